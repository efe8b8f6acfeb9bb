// Slack and Discord in one process (issue 16): the bot with both platforms configured against the two
// local stand-ins answers a Slack slash command and a Discord interaction, and posts digests with
// their charts on both platforms — from the running bot's own scheduler and from `pulse digest tick`
// run in the same process. Before the fix, Bolt's undici 7 owned the process-wide dispatcher and
// every Discord post with an attachment failed with "action is not a function".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBot, type Bot } from '../../src/adapters/bot.ts';
import { digestCommand } from '../../src/cli/digest.ts';
import { createRegistry } from '../../src/commands/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fixedClock, localDay, systemClock } from '../../src/core/time.ts';
import { sampleCustomers } from '../../src/db/customers.ts';
import { recentDeliveries } from '../../src/db/digests.ts';
import { openStore } from '../../src/db/store.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { subscribe } from '../digests/helpers/digests.ts';
import { callbackPath, chatInputInteraction, FakeDiscord } from './discord/fake-discord.ts';
import { BOTH_SIGNING_SECRET, bothPlatformsEnv } from './helpers/both-platforms.ts';
import { postSigned, slashCommandBody, startFakeSlack, type FakeSlack } from './slack/helpers/fake-slack.ts';
import { testDatabase } from '../helpers/test-database.ts';

const SECRET = BOTH_SIGNING_SECRET;
const DATA_AS_OF = '2026-11-23T10:00:00Z';
const dir = mkdtempSync(join(tmpdir(), 'pulse-both-'));
// SQLite in the folder, or a schema of its own with PULSE_TEST_DATABASE_URL.
const database = await testDatabase(dir);
const saved = { ...process.env };
let slack: FakeSlack;
let discord: FakeDiscord;
let ctx: Context;
let bot: Bot;
let slackUrl: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  discord = await FakeDiscord.start();
  const env = bothPlatformsEnv({ slackApiUrl: slack.apiUrl, discordApiUrl: discord.apiUrl }, database.url);
  // `pulse digest tick` reads the environment, as it does when an admin runs it.
  for (const k of ['SLACK_APP_TOKEN', 'DISCORD_GUILD_ID', 'PULSE_ADMINS']) delete process.env[k];
  Object.assign(process.env, env);
  const config = loadConfig(env);
  // Demo data as of a fixed day (a data set known to fit); the bot itself runs on the real clock.
  const seeding: Context = { store: await openStore(config.databaseUrl), config, log: createLogger('silent'), clock: fixedClock(DATA_AS_OF) };
  await seedDemo(seeding, 300, 11);
  await refresh(seeding, { asOfDay: localDay(seeding.clock.now().getTime(), config.timeZone) });
  ctx = { ...seeding, clock: systemClock };
  bot = await startBot(ctx, createRegistry(), {
    slack: { retryConfig: { retries: 0 } },
    discord: { indexRefreshMs: 0 },
    digests: { every: '* * * * * *' },
  });
  slackUrl = `http://127.0.0.1:${bot.adapters.find((a) => a.name === 'slack')!.port}/slack/events`;
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await ctx?.store.close();
  await discord?.close();
  await slack?.close();
  process.env = saved;
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A post into a Discord channel, with the chart attached as a file (a multipart body). */
const discordPostTo = (channel: string) => (r: { method: string; path: string }) => r.method === 'POST' && r.path === `/api/v10/channels/${channel}/messages`;

describe('one process, Slack and Discord both configured', () => {
  it('GIVEN both adapters THEN both are up', () => {
    expect(bot.adapters.map((a) => a.name).sort()).toEqual(['discord', 'slack']);
  });

  it('GIVEN a signed Slack /customer THEN the card is the acknowledgement', async () => {
    const c = (await sampleCustomers(ctx.store.db, 1))[0]!;
    const res = await postSigned(slackUrl, SECRET, slashCommandBody({ command: '/customer', text: c.customer_id, response_url: slack.responseUrl('both') }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json.blocks)).toContain(c.customer_id);
  });

  it('GIVEN a Discord /customer interaction THEN the card comes back through the callback', async () => {
    await discord.identified;
    const c = (await sampleCustomers(ctx.store.db, 2))[1]!;
    const interaction = chatInputInteraction('customer', [{ name: 'query', type: 3, value: c.customer_id }]);
    discord.dispatch('INTERACTION_CREATE', interaction);
    const callback = await discord.waitFor((r) => r.path === callbackPath(interaction));
    expect(callback.body.data.embeds[0].title).toContain(c.name);
  });

  it('GIVEN at-risk digests on both platforms WHEN the bot scheduler runs THEN each platform gets its post, the Discord one with the chart', async () => {
    const created = new Date(Date.now() - 3 * 3_600_000).toISOString();
    await subscribe(ctx, { created_at: created, kind: 'at-risk', platform: 'slack', channel: 'C0SCHED', schedule: '0 * * * *', time_zone: 'UTC' });
    await subscribe(ctx, { created_at: created, kind: 'at-risk', platform: 'discord', channel: '310000000000000031', schedule: '0 * * * *', time_zone: 'UTC' });
    const discordPost = await discord.waitFor(discordPostTo('310000000000000031'), 30_000);
    expect(discordPost.body.multipart).toBe(true);
    expect(discordPost.body.attachments).toEqual([{ id: 0, filename: 'chart.png' }]);
    expect(discordPost.raw.includes(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(true);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').find((c) => c.body.channel === 'C0SCHED'), 30_000);
    await vi.waitFor(async () => {
      const rows = await recentDeliveries(ctx.store.db, 10);
      expect(
        rows
          .filter((r) => r.status === 'posted')
          .map((r) => r.platform)
          .sort(),
      ).toEqual(['discord', 'slack']);
    }, 10_000);
  }, 60_000);

  it('GIVEN digests due next Monday on both platforms WHEN `pulse digest tick --now` runs in the same process THEN both are posted', async () => {
    const now = Date.now();
    await subscribe(ctx, {
      created_at: new Date(now).toISOString(),
      kind: 'at-risk',
      platform: 'slack',
      channel: 'C0TICK',
      schedule: '0 9 * * 1',
      time_zone: 'UTC',
    });
    await subscribe(ctx, {
      created_at: new Date(now).toISOString(),
      kind: 'at-risk',
      platform: 'discord',
      channel: '320000000000000032',
      schedule: '0 9 * * 1',
      time_zone: 'UTC',
    });
    const nextMonday = new Date(now + 7 * 86_400_000);
    nextMonday.setUTCDate(nextMonday.getUTCDate() - ((nextMonday.getUTCDay() + 6) % 7));
    nextMonday.setUTCHours(9, 0, 30, 0);
    const out = await captureStdout(() => digestCommand(['tick', '--now', nextMonday.toISOString(), '--json']));
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout);
    const mine = report.deliveries.filter((d: { channel: string }) => d.channel === 'C0TICK' || d.channel === '320000000000000032');
    expect(mine.map((d: { platform: string; result: string }) => `${d.platform} ${d.result}`).sort()).toEqual(['discord posted', 'slack posted']);
    const post = await discord.waitFor(discordPostTo('320000000000000032'));
    expect(post.body.attachments).toEqual([{ id: 0, filename: 'chart.png' }]);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0TICK')).toHaveLength(1);
  }, 60_000);
});

async function captureStdout(run: () => Promise<number>): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  try {
    return { code: await run(), stdout };
  } finally {
    spy.mockRestore();
  }
}
