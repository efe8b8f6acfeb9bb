// `npm start` with Slack and Discord credentials both set (issue 16), against the local stand-ins:
// both adapters come up, /help answers on each, and the catch-up tick of the bot's own digest
// scheduler posts on both platforms (the Discord post carrying its chart as a file).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fixedClock, localDay } from '../../src/core/time.ts';
import { openStore } from '../../src/db/store.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { subscribe } from '../digests/helpers/digests.ts';
import { callbackPath, chatInputInteraction, FakeDiscord } from './discord/fake-discord.ts';
import { BOTH_SIGNING_SECRET, bothPlatformsEnv } from './helpers/both-platforms.ts';
import { postSigned, slashCommandBody, startFakeSlack, type FakeSlack } from './slack/helpers/fake-slack.ts';
import { testDatabase } from '../helpers/test-database.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-npm-start-'));
// SQLite in the folder, or a schema of its own with PULSE_TEST_DATABASE_URL.
const database = await testDatabase(dir);
const DISCORD_CHANNEL = '330000000000000033';
let slack: FakeSlack;
let discord: FakeDiscord;
let bot: ChildProcess;
let stderr = '';
let exited: Promise<number | null>;

beforeAll(async () => {
  slack = await startFakeSlack();
  discord = await FakeDiscord.start();
  const env = bothPlatformsEnv({ slackApiUrl: slack.apiUrl, discordApiUrl: discord.apiUrl }, database.url);
  const config = loadConfig(env);
  const ctx: Context = { store: await openStore(config.databaseUrl), config, log: createLogger('silent'), clock: fixedClock('2026-11-23T10:00:00Z') };
  await seedDemo(ctx, 300, 11);
  await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), config.timeZone) });
  // Hourly digests subscribed three hours ago: the latest hour is due the moment the bot starts.
  const created = new Date(Date.now() - 3 * 3_600_000).toISOString();
  await subscribe(ctx, { created_at: created, kind: 'at-risk', platform: 'slack', channel: 'C0START', schedule: '0 * * * *', time_zone: 'UTC' });
  await subscribe(ctx, { created_at: created, kind: 'at-risk', platform: 'discord', channel: DISCORD_CHANNEL, schedule: '0 * * * *', time_zone: 'UTC' });
  await ctx.store.close();

  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PULSE_LOG_LEVEL: 'info' };
  for (const k of ['SLACK_APP_TOKEN', 'DISCORD_GUILD_ID', 'PULSE_ADMINS']) delete childEnv[k];
  // Its own process group, so that stopping it reaches node behind npm's shell.
  bot = spawn('npm', ['start'], { cwd: root, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  bot.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  exited = new Promise((resolve) => bot.once('exit', (code) => resolve(code)));
}, 60_000);

afterAll(async () => {
  if (bot?.pid) {
    try {
      process.kill(-bot.pid, 'SIGKILL');
    } catch {
      /* already gone: the test stopped it */
    }
  }
  await discord?.close();
  await slack?.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once no process of the group is left (node finishes shutting down after npm exits). */
async function groupGone(pgid: number): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    if (Date.now() > until) throw new Error(`the bot did not stop; its log:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function slackEventsUrl(): Promise<string> {
  const until = Date.now() + 60_000;
  for (;;) {
    const m = /http:\/\/127\.0\.0\.1:(\d+)\/slack\/events/.exec(stderr);
    if (m) return `http://127.0.0.1:${m[1]}/slack/events`;
    if (Date.now() > until || bot.exitCode !== null) throw new Error(`the bot never said where Slack listens; its log:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start with Slack and Discord credentials', () => {
  it('GIVEN both credentials THEN both adapters come up, /help answers on each, posts arrive on each, and SIGTERM stops it cleanly', async () => {
    const url = await slackEventsUrl();
    await discord.identified;

    const help = await postSigned(url, BOTH_SIGNING_SECRET, slashCommandBody({ command: '/help', response_url: slack.responseUrl('help') }));
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.json.blocks)).toContain('Pulse commands');

    const interaction = chatInputInteraction('help');
    discord.dispatch('INTERACTION_CREATE', interaction);
    const callback = await discord.waitFor((r) => r.path === callbackPath(interaction), 20_000);
    expect(callback.body.data.embeds[0].title).toBe('Pulse commands');

    const discordPost = await discord.waitFor((r) => r.method === 'POST' && r.path === `/api/v10/channels/${DISCORD_CHANNEL}/messages`, 30_000);
    expect(discordPost.body.attachments).toEqual([{ id: 0, filename: 'chart.png' }]);
    const slackPost = await slack.waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.body.channel === 'C0START'), 30_000);
    expect(JSON.stringify(slackPost.body.blocks)).toContain('At-risk');
    expect(stderr).not.toMatch(/action is not a function/);

    // npm's shell does not hand signals on, so the whole group gets it, as a service manager does.
    process.kill(-bot.pid!, 'SIGTERM');
    await exited;
    await groupGone(bot.pid!);
    expect(stderr).toMatch(/"msg":"stopping…"[\s\S]*"msg":"stopped"/);
  }, 120_000);
});
