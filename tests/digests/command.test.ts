import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { resolveChannel } from '../../src/commands/digest.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Actor, Invocation } from '../../src/core/context.ts';
import { listSubscriptions } from '../../src/db/digests.ts';
import { tick } from '../../src/digests/tick.ts';
import { makeTestContext, rep, type TestContext } from '../helpers/context.ts';
import { noChart, recordingPoster } from './helpers/digests.ts';

const registry = createRegistry();
const manager: Actor = { id: 'slack:UMGR', name: 'Mia Manager', role: 'manager' };
const inSlack = (actor: Actor = manager): Invocation => ({ actor, platform: 'slack', channel: 'slack:C0SALES' });

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

describe('/digest subscribe', () => {
  it('GIVEN a bad cron schedule THEN INVALID_ARGS says why, with a hint on the five fields', async () => {
    ctx = await makeTestContext();
    for (const schedule of ['every monday', '61 9 * * 1', '0 0 9 * * 1']) {
      const r = await registry.run(`/digest subscribe satisfaction schedule:"${schedule}"`, inSlack(), ctx);
      expect(r.error?.code, schedule).toBe('INVALID_ARGS');
      expect(r.error!.message).toContain(`\`${schedule}\` is not a schedule I can use`);
      expect(r.error!.hint).toMatch(/five cron fields/);
      expect(r.error!.hint).toMatch(/Usage: `\/digest subscribe/);
    }
    expect(await listSubscriptions(ctx.store.db)).toEqual([]);
  });

  it('GIVEN a schedule of every minute (or every half hour) THEN it is refused with the allowed minimum; hourly is allowed', async () => {
    ctx = await makeTestContext();
    for (const [schedule, every] of [['* * * * *', 'every minute'], ['*/30 * * * *', 'every 30 minutes'], ['0,45 9 * * 1', 'every 45 minutes']] as const) {
      const r = await registry.run(`/digest subscribe at-risk schedule:"${schedule}"`, inSlack(), ctx);
      expect(r.error?.code, schedule).toBe('INVALID_ARGS');
      expect(r.error!.message).toBe(`\`${schedule}\` would post ${every}; a digest posts at most once an hour.`);
    }
    expect(await listSubscriptions(ctx.store.db)).toEqual([]);
    const hourly = await registry.run('/digest subscribe at-risk schedule:"0 * * * *"', inSlack(), ctx);
    expect(hourly.error).toBeUndefined();
    expect(await listSubscriptions(ctx.store.db)).toHaveLength(1);
  });

  it('GIVEN a bad time zone THEN INVALID_ARGS with a hint naming real zones', async () => {
    ctx = await makeTestContext();
    const r = await registry.run('/digest subscribe at-risk tz:Mars/Olympus', inSlack(), ctx);
    expect(r.error?.code).toBe('INVALID_ARGS');
    expect(r.error!.message).toBe('`Mars/Olympus` is not a time zone I know.');
    expect(r.error!.hint).toMatch(/IANA zone name such as `tz:Europe\/Berlin`/);
  });

  it('GIVEN an unknown kind THEN INVALID_ARGS lists the kinds', async () => {
    ctx = await makeTestContext();
    const r = await registry.run('/digest subscribe weather', inSlack(), ctx);
    expect(r.error?.code).toBe('INVALID_ARGS');
    expect(r.error!.hint).toMatch(/`satisfaction`.*`at-risk`/);
  });

  it('GIVEN a rep THEN subscribe and unsubscribe are FORBIDDEN; list, preview and history are allowed', async () => {
    ctx = await makeTestContext();
    const asRep = inSlack({ ...rep, id: 'slack:UREP' });
    expect((await registry.run('/digest subscribe satisfaction', asRep, ctx)).error?.code).toBe('FORBIDDEN');
    expect((await registry.run('/digest unsubscribe 1', asRep, ctx)).error?.code).toBe('FORBIDDEN');
    for (const t of ['/digest', '/digest list', '/digest history', '/digest preview at-risk', '/digest preview satisfaction']) {
      expect((await registry.run(t, asRep, ctx)).error, t).toBeUndefined();
    }
  });

  it('GIVEN a manager in a Slack channel WHEN subscribing with defaults THEN this channel, Mondays 09:00 in PULSE_TIMEZONE', async () => {
    ctx = await makeTestContext({ PULSE_TIMEZONE: 'Europe/Berlin' });
    const r = await registry.run('/digest subscribe satisfaction', inSlack(), ctx);
    expect(r.error).toBeUndefined();
    expect(r.title).toBe('Subscribed: digest #1');
    expect(r.fields!.find((f) => f.label === 'Next runs')!.value.split('\n')[0]).toBe('Mon, 30 Nov 2026, 09:00 CET');
    expect(await listSubscriptions(ctx.store.db)).toMatchObject([{ subscription_id: 1, platform: 'slack', channel: 'C0SALES', kind: 'satisfaction', schedule: '0 9 * * 1', time_zone: 'Europe/Berlin', skip_if_empty: 0, created_by: 'slack:UMGR', active: 1 }]);
  });

  it('GIVEN every option THEN they are stored as given (zone canonicalised, channel from a mention)', async () => {
    ctx = await makeTestContext();
    const r = await registry.run('/digest subscribe at-risk <#C0RISK|risk> schedule:"30 8 * * 1-5" tz:america/new_york skip-if-empty owner:"Maya Chen" segment:"At Risk"', inSlack(), ctx);
    expect(r.error).toBeUndefined();
    expect(await listSubscriptions(ctx.store.db)).toMatchObject([{ platform: 'slack', channel: 'C0RISK', kind: 'at-risk', schedule: '30 8 * * 1-5', time_zone: 'America/New_York', skip_if_empty: 1, owner: 'Maya Chen', segment: 'At Risk' }]);
  });
});

describe('/digest list, unsubscribe, history, preview', () => {
  it('GIVEN two subscriptions THEN list shows both with their next run; unsubscribe stops one; history shows deliveries', async () => {
    ctx = await makeTestContext();
    await registry.run('/digest subscribe satisfaction', inSlack(), ctx);
    await registry.run('/digest subscribe at-risk slack:C0OTHER skip-if-empty', inSlack(), ctx);
    const list = await registry.run('/digest list', inSlack(), ctx);
    expect(list.tables![0]!.rows.map((r) => [r[0], r[1], r[2]])).toEqual([['1', 'satisfaction', 'slack:C0SALES'], ['2', 'at-risk (skip if empty)', 'slack:C0OTHER']]);
    expect(list.tables![0]!.rows[0]![4]).toBe('Mon, 30 Nov 2026, 09:00 UTC');

    const poster = recordingPoster();
    await tick(ctx, { poster, renderChart: noChart }, new Date('2026-11-30T09:00:00Z'));
    const history = await registry.run('/digest history', inSlack(), ctx);
    const rows = history.tables![0]!.rows;
    expect(rows.map((r) => [r[1], r[4]]).sort()).toEqual([['1', 'posted'], ['2', 'skipped']]);
    expect(rows.find((r) => r[1] === '1')![6]).toBe('m1');
    expect(rows.find((r) => r[1] === '2')![6]).toMatch(/no insights yet/);

    const stop = await registry.run('/digest unsubscribe 2', inSlack(), ctx);
    expect(stop.text).toMatch(/^Stopped digest #2/);
    expect((await registry.run('/digest unsubscribe 2', inSlack(), ctx)).error?.code).toBe('NOT_FOUND');
    expect((await registry.run('/digest unsubscribe two', inSlack(), ctx)).error?.code).toBe('INVALID_ARGS');
    expect((await registry.run('/digest list', inSlack(), ctx)).tables![0]!.rows.map((r) => r[0])).toEqual(['1']);
    expect((await tick(ctx, { poster, renderChart: noChart }, new Date('2026-12-07T09:00:00Z'))).deliveries.map((d) => d.subscriptionId)).toEqual([1]);
  });

  it('GIVEN a delivery waiting for a retry WHEN its subscription ends THEN history says it was skipped, not still retrying', async () => {
    ctx = await makeTestContext();
    await registry.run('/digest subscribe satisfaction', inSlack(), ctx);
    const failing = recordingPoster({ behave: () => { throw new Error('not_in_channel'); } });
    expect((await tick(ctx, { poster: failing, renderChart: noChart }, new Date('2026-11-30T09:00:00Z'))).deliveries).toMatchObject([{ result: 'retrying' }]);
    await registry.run('/digest unsubscribe 1', inSlack(), ctx);
    const rows = (await registry.run('/digest history 1', inSlack(), ctx)).tables![0]!.rows;
    expect(rows.map((r) => [r[4], r[6]])).toEqual([['skipped', 'unsubscribed before it could be posted']]);
    expect((await tick(ctx, { poster: failing, renderChart: noChart }, new Date('2026-11-30T10:00:00Z'))).deliveries).toEqual([]);
  });

  it('GIVEN preview THEN the reply is private and says it is a preview', async () => {
    ctx = await makeTestContext();
    const r = await registry.run('/digest preview at-risk', inSlack(), ctx);
    expect(r.visibility).toBe('private');
    expect(r.title).toMatch(/^Preview · At-risk customers/);
    expect(r.footer).toMatch(/a skip-if-empty subscription would post nothing now/);
  });
});

describe('resolveChannel', () => {
  const config = loadConfig({ PULSE_LOG_LEVEL: 'silent' });
  const consoleCall: Invocation = { actor: manager, platform: 'console' };
  it('GIVEN the forms a channel is written in THEN platform and id', () => {
    expect(resolveChannel(undefined, inSlack(), config)).toEqual({ platform: 'slack', channel: 'C0SALES' });
    expect(resolveChannel('<#C0ABC|general>', inSlack(), config)).toEqual({ platform: 'slack', channel: 'C0ABC' });
    expect(resolveChannel('<#123456789012345678>', { actor: manager, platform: 'discord', channel: 'discord:1' }, config)).toEqual({ platform: 'discord', channel: '123456789012345678' });
    expect(resolveChannel('discord:42', consoleCall, config)).toEqual({ platform: 'discord', channel: '42' });
    expect(resolveChannel(undefined, consoleCall, config)).toEqual({ platform: 'console', channel: 'console' });
    expect(resolveChannel('C0BARE', consoleCall, loadConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y' }))).toEqual({ platform: 'slack', channel: 'C0BARE' });
    expect(() => resolveChannel('#general', inSlack(), config)).toThrow(/by name/);
    expect(() => resolveChannel('discord:abc', inSlack(), config)).toThrow(/not a Discord channel id/);
  });
});
