// No email address or phone number reaches a channel, on either platform, whatever the data holds.
// Every customer's name, company and owner, and every feedback comment, carries a form from the
// hostile corpus behind a marker (`ZZN12 <form>`); then digests (both kinds, with charts) are posted
// to Slack and Discord, and cards are shared in channels on both. In every public message, each
// marker must be followed by [hidden], and no address or number of the corpus may appear at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscord, type DiscordAdapter } from '../../src/adapters/discord/discord-adapter.ts';
import { createSlackAdapter, type SlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import { createRegistry } from '../../src/commands/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { ReplyChart } from '../../src/core/reply.ts';
import { fixedClock, localDay } from '../../src/core/time.ts';
import { openStore } from '../../src/db/store.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { createPosters } from '../../src/digests/posters.ts';
import { tick } from '../../src/digests/tick.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { subscribe } from '../digests/helpers/digests.ts';
import { HOSTILE_CORPUS } from '../helpers/hostile-corpus.ts';
import { buttonInteraction, callbackPath, FakeDiscord } from './discord/fake-discord.ts';
import { BOTH_SIGNING_SECRET, bothPlatformsEnv } from './helpers/both-platforms.ts';
import { buttonClick, interactionBody, postSigned, startFakeSlack, type FakeSlack } from './slack/helpers/fake-slack.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabase } from '../helpers/test-database.ts';

const AT = '2026-11-23T10:00:00Z';
const dir = mkdtempSync(join(tmpdir(), 'pulse-privacy-'));
// SQLite in the folder, or a schema of its own with PULSE_TEST_DATABASE_URL.
const database = await testDatabase(dir);
let slackFake: FakeSlack;
let discordFake: FakeDiscord;
let ctx: Context;
let slack: SlackAdapter;
let discord: DiscordAdapter;
const charts: ReplyChart[] = [];
const form = (i: number) => HOSTILE_CORPUS[i % HOSTILE_CORPUS.length]!;

beforeAll(async () => {
  slackFake = await startFakeSlack();
  discordFake = await FakeDiscord.start();
  const config = loadConfig(bothPlatformsEnv({ slackApiUrl: slackFake.apiUrl, discordApiUrl: discordFake.apiUrl }, database.url));
  ctx = { store: await openStore(config.databaseUrl), config, log: createLogger('silent'), clock: fixedClock(AT) };
  await seedDemo(ctx, 300, 11);
  // Hostile data everywhere a person's words can end up: names, companies, owners (eight of them), comments.
  const customers = await ctx.store.db.selectFrom('customers').select('customer_id').orderBy('customer_id').execute();
  for (const [i, c] of customers.entries()) {
    await ctx.store.db
      .updateTable('customers')
      .set({ name: `Pat ZZN${i} ${form(i)}`, company: `Co ZZC${i} ${form(i + 7)}`, owner: `Maya ZZO${i % 8} ${form(i % 8)}` })
      .where('customer_id', '=', c.customer_id)
      .execute();
  }
  const feedback = await ctx.store.db.selectFrom('feedback').select(['feedback_id', 'comment']).execute();
  for (const [i, f] of feedback.entries()) {
    await ctx.store.db
      .updateTable('feedback')
      .set({ comment: `${f.comment ?? 'late again'} ZZF${i} ${form(i + 3)}` })
      .where('feedback_id', '=', f.feedback_id)
      .execute();
  }
  await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), config.timeZone) });
  const registry = createRegistry();
  slack = createSlackAdapter(ctx, registry, { host: '127.0.0.1', port: 0, retryConfig: { retries: 0 } });
  await slack.start();
  discord = await startDiscord(ctx, registry, { indexRefreshMs: 0 });
}, 120_000);

afterAll(async () => {
  await slack?.stop();
  await discord?.stop();
  await ctx?.store.close();
  await discordFake?.close();
  await slackFake?.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every string in a JSON value, joined: what a channel would show. */
function strings(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(strings).join('\n');
  if (v && typeof v === 'object') return Object.values(v).map(strings).join('\n');
  return '';
}

/** What must never appear in a channel; an empty list when the text is clean. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/ZZ[NCOF]\d+ (?!\[hid)(.{0,24})/g)) found.push(`after ${m[0].slice(0, 6)}: ${m[1]}`);
  const withoutMentions = text.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>|<@!?\d+>/g, '');
  if (/[@＠﹫]|%40|&#0*64;|\[at\]|\(at\)/i.test(withoutMentions)) found.push('an at-sign');
  // Addresses spelled out, and the numbers of the corpus' phone forms in any grouping. (Single words
  // of a comment, like a domain's name, may appear as pain-point terms: they are no address.)
  const pieces = /\bat\s+acme|acme\s*(?:dot|\[dot\]|\(dot\))|0199|０１９９|٠١٩٩|7946|2671|0958|496 0000|4960000|1234 ?5678|1234567/i;
  const piece = pieces.exec(text);
  if (piece) found.push(piece[0]);
  return found;
}

describe('the hostile corpus never reaches a channel', () => {
  it('GIVEN at-risk and satisfaction digests on Slack and Discord THEN every post, and every chart drawn, is clean', async () => {
    await subscribe(ctx, {
      created_at: '2026-11-20T00:00:00Z',
      kind: 'at-risk',
      platform: 'slack',
      channel: 'C0PRIV1',
      schedule: '0 * * * *',
      time_zone: 'UTC',
    });
    await subscribe(ctx, {
      created_at: '2026-11-20T00:00:00Z',
      kind: 'satisfaction',
      platform: 'slack',
      channel: 'C0PRIV2',
      schedule: '0 * * * *',
      time_zone: 'UTC',
    });
    await subscribe(ctx, {
      created_at: '2026-11-20T00:00:00Z',
      kind: 'at-risk',
      platform: 'discord',
      channel: '380000000000000038',
      schedule: '0 * * * *',
      time_zone: 'UTC',
    });
    await subscribe(ctx, {
      created_at: '2026-11-20T00:00:00Z',
      kind: 'satisfaction',
      platform: 'discord',
      channel: '390000000000000039',
      schedule: '0 * * * *',
      time_zone: 'UTC',
    });
    const renderChart = async (chart: ReplyChart) => {
      charts.push(chart);
      return Buffer.from('png');
    };
    const report = await tick(ctx, { poster: await createPosters(ctx), renderChart }, new Date('2026-11-23T10:00:30Z'));
    expect(report.deliveries.map((d) => d.result)).toEqual(['posted', 'posted', 'posted', 'posted']);
    const posts = [
      ...slackFake.callsTo('chat.postMessage').map((c) => c.body),
      ...discordFake.requests.filter((r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path)).map((r) => r.body),
    ];
    expect(posts).toHaveLength(4);
    // The data did reach the digests: the markers are there, each followed by [hidden].
    const all = posts.map(strings).join('\n');
    expect(all).toMatch(/ZZO\d \[hidden\]/);
    expect(all).toMatch(/ZZN\d+ \[hidden\]/);
    expect(all).toMatch(/ZZF\d+/);
    for (const p of posts) expect(leaks(strings(p))).toEqual([]);
    expect(charts.length).toBeGreaterThan(0);
    for (const c of charts) expect(leaks(strings(c))).toEqual([]);
    expect(strings(charts)).toMatch(/ZZO\d \[hidden\]/);
  }, 60_000);

  it('GIVEN a card shared into a Slack channel THEN the post is clean, title included', async () => {
    const value = JSON.stringify({ kind: 'share', command: '/customer C00012' });
    const url = `http://127.0.0.1:${slack.port}/slack/events`;
    const res = await postSigned(
      url,
      BOTH_SIGNING_SECRET,
      interactionBody(buttonClick({ actionId: 'pulse_button_0', value, channelId: 'C0SHARE', responseUrl: slackFake.responseUrl('share') })),
    );
    expect(res.status).toBe(200);
    const post = await slackFake.waitFor(() => slackFake.callsTo('chat.postMessage').find((c) => c.body.channel === 'C0SHARE'));
    const text = strings(post.body);
    expect(text).toMatch(/ZZN\d+ \[hidden\]/);
    expect(leaks(text)).toEqual([]);
  });

  it('GIVEN a card shared into a Discord channel THEN the public answer is clean, title included', async () => {
    const interaction = buttonInteraction('pulse:share:/customer C00013', { flags: 64, fake: discordFake });
    discordFake.dispatch('INTERACTION_CREATE', interaction);
    const cb = await discordFake.waitFor((r) => r.path === callbackPath(interaction));
    expect((cb.body.data.flags ?? 0) & 64).toBe(0);
    const text = strings(cb.body.data);
    expect(text).toMatch(/ZZN\d+ \[hidden\]/);
    expect(leaks(text)).toEqual([]);
  });
});
