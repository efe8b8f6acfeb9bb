// Digests exactly once across a crash mid-post, through the real adapters and the stand-ins: a
// `pulse digest tick` process is killed with SIGKILL after Slack and Discord received its messages
// and before it heard back (so no message id was recorded); the takeover after the lease looks the
// messages up in the channels and records them: exactly one message per delivery on each platform.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryNonce } from '../../src/adapters/discord/post-to-channel.ts';
import { DELIVERY_EVENT_TYPE } from '../../src/adapters/slack/post-to-channel.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fixedClock, localDay, systemClock } from '../../src/core/time.ts';
import { recentDeliveries } from '../../src/db/digests.ts';
import { openStore } from '../../src/db/store.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { createPosters } from '../../src/digests/posters.ts';
import { tick } from '../../src/digests/tick.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { FakeDiscord } from '../adapters/discord/fake-discord.ts';
import { bothPlatformsEnv } from '../adapters/helpers/both-platforms.ts';
import { startFakeSlack, type FakeSlack } from '../adapters/slack/helpers/fake-slack.ts';
import { subscribe } from './helpers/digests.ts';
import { testDatabase } from '../helpers/test-database.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-exactly-once-'));
// SQLite in the folder, or a schema of its own with PULSE_TEST_DATABASE_URL.
const database = await testDatabase(dir);
const SLACK = ['C0ONCE1', 'C0ONCE2', 'C0ONCE3'];
const DISCORD = ['340000000000000034', '350000000000000035', '360000000000000036'];
let slack: FakeSlack;
let discord: FakeDiscord;
let env: Record<string, string>;
let ctx: Context;

beforeAll(async () => {
  slack = await startFakeSlack();
  discord = await FakeDiscord.start();
  env = bothPlatformsEnv({ slackApiUrl: slack.apiUrl, discordApiUrl: discord.apiUrl }, database.url);
  const config = loadConfig(env);
  const seeding: Context = { store: await openStore(config.databaseUrl), config, log: createLogger('silent'), clock: fixedClock('2026-11-23T10:00:00Z') };
  await seedDemo(seeding, 300, 11);
  await refresh(seeding, { asOfDay: localDay(seeding.clock.now().getTime(), config.timeZone) });
  ctx = { ...seeding, clock: systemClock };
  // Hourly digests subscribed hours ago: the latest hour is due now, on both platforms, three channels each.
  const created = new Date(Date.now() - 3 * 3_600_000).toISOString();
  for (const [i, channel] of SLACK.entries())
    await subscribe(ctx, {
      created_at: created,
      kind: i % 2 ? 'satisfaction' : 'at-risk',
      platform: 'slack',
      channel,
      schedule: '0 * * * *',
      time_zone: 'UTC',
    });
  for (const [i, channel] of DISCORD.entries())
    await subscribe(ctx, {
      created_at: created,
      kind: i % 2 ? 'satisfaction' : 'at-risk',
      platform: 'discord',
      channel,
      schedule: '0 * * * *',
      time_zone: 'UTC',
    });
}, 120_000);

afterAll(async () => {
  await ctx?.store.close();
  await discord?.close();
  await slack?.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('digests exactly once across kill -9 of the poster', () => {
  it('GIVEN a poster killed after the platforms got its messages, before it recorded them THEN the takeover posts nothing twice', async () => {
    // The stand-ins keep the messages to the first channel of each platform but never answer.
    const slackHeld = slack.hold('chat.postMessage', (b) => b.channel === SLACK[0]);
    let discordArrived!: () => void;
    const discordReceived = new Promise<void>((r) => (discordArrived = r));
    discord.hold = (req) =>
      req.method === 'POST' && req.path === `/api/v10/channels/${DISCORD[0]}/messages` ? (discordArrived(), new Promise<void>(() => undefined)) : undefined;

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

    // Both messages are on the platforms; the outbox has no id for them.
    expect(slack.channels.messages(SLACK[0]!)).toHaveLength(1);
    expect(discord.channelMessages.get(DISCORD[0]!)).toHaveLength(1);
    const before = await recentDeliveries(ctx.store.db, 20);
    for (const channel of [SLACK[0], DISCORD[0]]) expect(before.find((d) => d.channel === channel)).toMatchObject({ status: 'claimed', message_id: null });

    // The bot's next tick, once the dead poster's lease has run out.
    const later = () => new Date(Date.now() + 6 * 60_000);
    const takeover = await tick(ctx, { poster: await createPosters(ctx), processId: 'takeover', wallClock: later }, new Date());
    const byChannel = new Map(takeover.deliveries.map((d) => [d.channel, d]));
    expect(byChannel.get(SLACK[0]!)).toMatchObject({ result: 'posted', found: true, messageId: slack.channels.messages(SLACK[0]!)[0]!.ts });
    expect(byChannel.get(DISCORD[0]!)).toMatchObject({ result: 'posted', found: true, messageId: discord.channelMessages.get(DISCORD[0]!)![0]!.message.id });

    // Exactly one message per delivery, on every channel of both platforms, each carrying its key.
    const rows = await recentDeliveries(ctx.store.db, 20);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toMatchObject({ status: 'posted' });
    for (const channel of SLACK) {
      const messages = slack.channels.messages(channel);
      expect(messages, channel).toHaveLength(1);
      expect(messages[0]!.metadata?.event_type).toBe(DELIVERY_EVENT_TYPE);
      expect(rows.find((r) => r.channel === channel)!.message_id).toBe(messages[0]!.ts);
    }
    for (const channel of DISCORD) {
      const messages = discord.channelMessages.get(channel) ?? [];
      expect(messages, channel).toHaveLength(1);
      expect(messages[0]!.message.embeds.at(-1).footer.text).toMatch(/^ref [0-9a-f]{8}\/\d+\/\d{8}T\d{4}Z/);
      const key = /^ref (\S+)/.exec(messages[0]!.message.embeds.at(-1).footer.text)![1]!;
      expect(messages[0]!.nonce).toBe(deliveryNonce(key));
      expect(rows.find((r) => r.channel === channel)!.message_id).toBe(messages[0]!.message.id);
    }
    // The Slack lookup read the history with metadata; no post was sent twice to the held channels.
    expect(slack.callsTo('conversations.history').some((c) => c.body.channel === SLACK[0] && String(c.body.include_all_metadata) === 'true')).toBe(true);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === SLACK[0])).toHaveLength(1);
    expect(discord.requests.filter((r) => r.method === 'POST' && r.path === `/api/v10/channels/${DISCORD[0]}/messages`)).toHaveLength(1);

    // And again: nothing is due, nothing is posted.
    expect((await tick(ctx, { poster: await createPosters(ctx), processId: 'again', wallClock: later }, new Date())).deliveries).toEqual([]);
  }, 120_000);
});

describe('Discord enforce_nonce', () => {
  it('GIVEN the same delivery posted twice within minutes (no lookup) THEN Discord returns the first message and creates no second one', async () => {
    const posters = await createPosters(ctx);
    const reply = { title: 'Nonce test', text: 'once', visibility: 'channel' as const };
    const first = await posters.post('discord', '370000000000000037', reply, { deliveryKey: 'abcd1234/99/20261123T1000Z' });
    const second = await posters.post('discord', '370000000000000037', reply, { deliveryKey: 'abcd1234/99/20261123T1000Z' });
    expect(second.messageId).toBe(first.messageId);
    expect(discord.channelMessages.get('370000000000000037')).toHaveLength(1);
  });
});
