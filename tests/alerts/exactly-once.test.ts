// Alerts exactly once across a crash mid-post, like digests: a `pulse digest tick` process is killed
// with SIGKILL after Slack and Discord received its direct messages to two owners and before it
// heard back; the takeover after the lease looks the messages up in those DMs and records them.
// Every alert ends with exactly one message, on both platforms.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { systemClock } from '../../src/core/time.ts';
import { linkOwner, setAlertSetting } from '../../src/db/alert-owners.ts';
import type { AlertRow } from '../../src/db/alerts.ts';
import { openStore } from '../../src/db/store.ts';
import { upsertUser } from '../../src/db/users.ts';
import { createPosters } from '../../src/digests/posters.ts';
import { tick } from '../../src/digests/tick.ts';
import { directChannelId, FakeDiscord } from '../adapters/discord/fake-discord.ts';
import { bothPlatformsEnv } from '../adapters/helpers/both-platforms.ts';
import { startFakeSlack, type FakeSlack } from '../adapters/slack/helpers/fake-slack.ts';
import { demoWithAlerts, installId } from './helpers/alert-store.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-alerts-once-'));
const DISCORD_OWNER_ID = '420000000000000042';
let slack: FakeSlack;
let discord: FakeDiscord;
let env: Record<string, string>;
let ctx: Context;
let alerts: AlertRow[];
let discordOwner: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.users.set('UMAYA', { name: 'maya', real_name: 'Maya Chen', email: 'maya.chen@pulse.example', tz: 'Europe/Berlin' });
  discord = await FakeDiscord.start();
  env = bothPlatformsEnv({ slackApiUrl: slack.apiUrl, discordApiUrl: discord.apiUrl }, join(dir, 'pulse.sqlite'));
  const config = loadConfig(env);
  ctx = { store: await openStore(config.databaseUrl), config, log: createLogger('silent'), clock: systemClock };
  alerts = await demoWithAlerts(ctx, 600, 7);
  const now = new Date().toISOString();
  // Maya is on Slack (her email is known from her profile); another owner is linked on Discord.
  await upsertUser(ctx.store.db, { user_id: 'slack:UMAYA', name: 'Maya Chen', email: 'maya.chen@pulse.example' }, new Date());
  discordOwner = alerts.find((a) => a.owner && a.owner !== 'Maya Chen')!.owner!;
  await linkOwner(ctx.store.db, { owner_key: discordOwner.toLowerCase(), owner: discordOwner, platform: 'discord', user_id: DISCORD_OWNER_ID, time_zone: 'UTC', linked_by: 'test', checked_at: now });
  await setAlertSetting(ctx.store.db, 'channel', 'slack:C0TEAM', 'test', now);
  // Whatever the hour of the run, the DMs go now.
  await setAlertSetting(ctx.store.db, 'quiet-hours', 'off', 'test', now);
}, 180_000);

afterAll(async () => {
  await ctx?.store.close();
  await discord?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts exactly once across kill -9 of the poster', () => {
  it('GIVEN a poster killed after both platforms took its DMs, before it recorded them THEN the takeover finds them and nothing is sent twice', async () => {
    const mayas = alerts.filter((a) => a.owner === 'Maya Chen');
    const linked = alerts.filter((a) => a.owner === discordOwner);
    expect(mayas.length).toBeGreaterThan(0);
    expect(linked.length).toBeGreaterThan(0);
    const discordDm = directChannelId(DISCORD_OWNER_ID);
    const slackHeld = slack.hold('chat.postMessage', (b) => b.channel === 'DUMAYA');
    let discordArrived!: () => void;
    const discordReceived = new Promise<void>((r) => (discordArrived = r));
    discord.hold = (req) =>
      req.method === 'POST' && req.path === `/api/v10/channels/${discordDm}/messages` ? (discordArrived(), new Promise<void>(() => undefined)) : undefined;

    const child = spawn(process.execPath, [join(root, 'bin/pulse.mjs'), 'digest', 'tick', '--json'], {
      cwd: root,
      env: { ...process.env, ...env, PULSE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    await Promise.race([
      Promise.all([slackHeld.received, discordReceived]),
      exited.then(() => Promise.reject(new Error(`the poster exited early:\n${stderr}`))),
    ]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    slackHeld.release();
    discord.hold = undefined;
    expect(slack.channels.messages('DUMAYA')).toHaveLength(1);
    expect(discord.channelMessages.get(discordDm)).toHaveLength(1);

    // The bot's next tick, once the dead poster's lease has run out.
    const later = () => new Date(Date.now() + 6 * 60_000);
    const takeover = await tick(ctx, { poster: await createPosters(ctx), processId: 'takeover', wallClock: later }, new Date());
    const held = takeover.alerts.filter((r) => r.found);
    expect(held.map((r) => r.channel).sort()).toEqual(['DUMAYA', discordDm].sort());
    for (const r of held) expect(r).toMatchObject({ result: 'posted', purpose: 'raise' });
    expect(slack.callsTo('conversations.history').some((c) => c.body.channel === 'DUMAYA' && String(c.body.include_all_metadata) === 'true')).toBe(true);

    // Exactly one message per alert, wherever it went.
    const keys = [
      ...['DUMAYA', 'C0TEAM'].flatMap((c) => slack.channels.messages(c).map((m) => String(m.metadata?.event_payload.delivery_key))),
      ...(discord.channelMessages.get(discordDm) ?? []).map((m) => /^ref (\S+)/.exec(m.message.embeds.at(-1).footer.text)![1]!),
    ];
    const install = await installId(ctx);
    expect(keys.sort()).toEqual(alerts.map((a) => `${install}/alert/${a.alert_id}:raise`).sort());
    expect(slack.channels.messages('DUMAYA')).toHaveLength(mayas.length);
    expect(discord.channelMessages.get(discordDm)).toHaveLength(linked.length);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'DUMAYA')).toHaveLength(mayas.length);
    expect(discord.requests.filter((r) => r.method === 'POST' && r.path === `/api/v10/channels/${discordDm}/messages`)).toHaveLength(linked.length);
    const rows = await ctx.store.db.selectFrom('alert_deliveries').selectAll().execute();
    expect(rows).toHaveLength(alerts.length);
    for (const row of rows) expect(row).toMatchObject({ status: 'posted', message_id: expect.any(String) });

    // And again: nothing is due, nothing is posted.
    expect((await tick(ctx, { poster: await createPosters(ctx), processId: 'again', wallClock: later }, new Date())).alerts).toEqual([]);
  }, 120_000);
});
