import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../src/core/time.ts';
import { upsertUser } from '../../src/db/users.ts';
import { atRiskReply, type AtRiskDigestData } from '../../src/reports/at-risk-digest.ts';
import { buildDigest, lastCompleteWeek } from '../../src/reports/digest.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';

// TEST_NOW is Monday 2026-11-23 10:00Z: the last complete week is 16–22 November.
let ctx: TestContext;
let today: number;
beforeAll(async () => {
  ctx = await makeTestContext();
  await seedTestDemo(ctx, 800, 7);
  today = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
  // Two refreshes a fortnight apart: the second logs who moved where since the first.
  await refresh(ctx, { asOfDay: today - 14 });
  await refresh(ctx, { asOfDay: today });
  await upsertUser(ctx.store.db, { user_id: 'slack:UMAYA', name: 'Maya Chen', email: 'maya.chen@pulse.example' }, ctx.clock.now());
});
afterAll(async () => ctx?.cleanup());

const request = (kind: 'satisfaction' | 'at-risk', extra: Partial<Parameters<typeof buildDigest>[1]> = {}) => ({ kind, platform: 'slack' as const, scheduledFor: ctx.clock.now(), since: null, timeZone: 'Europe/Berlin', ...extra });

describe('satisfaction digest', () => {
  it('GIVEN a Monday THEN the digest covers last Monday to Sunday', () => {
    const monday = localDay(Date.parse('2026-11-23T10:00:00Z'), 'UTC');
    expect(lastCompleteWeek(monday)).toEqual({ monday: monday - 7, sunday: monday - 1 });
    expect(lastCompleteWeek(monday + 2)).toEqual({ monday: monday - 7, sunday: monday - 1 });
    expect(lastCompleteWeek(monday - 1)).toEqual({ monday: monday - 14, sunday: monday - 8 });
  });

  it('GIVEN demo feedback THEN CSAT and NPS with n and intervals vs last week, a 12-week trend chart, pain points and detractors', async () => {
    const { reply, empty } = await buildDigest(ctx, request('satisfaction'));
    expect(empty).toBe(false);
    expect(reply.title).toBe('Weekly satisfaction · week of 16 Nov 2026');
    expect(reply.visibility).toBe('channel');
    expect(reply.buttons).toBeUndefined();
    const field = (label: string) => reply.fields!.find((f) => f.label === label)?.value;
    expect(field('CSAT')).toMatch(/n=\d+; 95% CI \d+%–\d+%/);
    expect(field('NPS')).toMatch(/n=\d+: .*95% CI/);
    expect(field('CSAT vs last week')).toBeDefined();
    expect(field('NPS vs last week')).toBeDefined();
    expect(reply.chart!.series.map((s) => s.points.length)).toEqual([12, 12]);
    expect(reply.chart!.series[0]!.points.at(-1)!.x).toBe('11-16');
    const titles = reply.tables!.map((t) => t.title ?? '');
    expect(titles.some((t) => t.startsWith('Pain points'))).toBe(true);
    expect(titles).toContain('Detractors among the most valuable customers');
    const pains = reply.tables!.find((t) => t.title!.startsWith('Pain points'))!.rows.map((r) => r[0]);
    expect(pains.some((p) => /late|delivery|damaged|物流|包装/.test(p!))).toBe(true);
  });

  it('GIVEN an owner nobody has THEN the digest is empty (no responses)', async () => {
    const built = await buildDigest(ctx, request('satisfaction', { owner: 'Nobody Here' }));
    expect(built.empty).toBe(true);
    expect(built.emptyReason).toBe('no survey responses in the week');
  });
});

describe('at-risk digest', () => {
  it('GIVEN transitions in the last week THEN new entrants, total value at risk, the top ten with drivers, counts per owner and a chart', async () => {
    const { reply, empty } = await buildDigest(ctx, request('at-risk'));
    expect(empty).toBe(false);
    expect(reply.title).toBe('At-risk customers · since 16 Nov 2026');
    expect(reply.text).toMatch(/moved into at-risk or churned since/);
    expect(reply.text).toMatch(/of yearly value at risk in all/);
    const table = (prefix: string) => reply.tables!.find((t) => t.title?.startsWith(prefix))!;
    const entrants = table('New since');
    const expected = await ctx.store.db
      .selectFrom('lifecycle_transitions as t')
      .innerJoin('insights as i', 'i.customer_id', 't.customer_id')
      .select('t.customer_id')
      .distinct()
      .where('t.to_stage', 'in', ['at-risk', 'churned'])
      .where('t.as_of_day', '>', today - 7)
      .where('i.lifecycle_stage', 'in', ['at-risk', 'churned'])
      .execute();
    expect(expected.length).toBeGreaterThan(0);
    expect(entrants.total).toBe(expected.length);
    expect(entrants.rows.length).toBe(Math.min(10, expected.length));
    const top = table('Highest value at risk');
    expect(top.rows).toHaveLength(10);
    const values = top.rows.map((r) => Number(r[3]!.replace(/[^0-9.]/g, '')));
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    expect(top.rows.every((r) => r[4]!.length > 0)).toBe(true); // drivers in words
    const owners = table('By owner').rows.map((r) => r[0]);
    expect(owners).toContain('@Maya Chen'); // mapped to a Slack user
    expect(owners).toContain('Tom Becker'); // not mapped: the name as is
    expect(reply.chart).toMatchObject({ kind: 'bar' });
    expect(reply.footer).toMatch(/@Name: the owner’s chat account/);
  });

  it('GIVEN a Discord digest THEN Slack users are not mentioned', async () => {
    const { reply } = await buildDigest(ctx, request('at-risk', { platform: 'discord' }));
    const owners = reply.tables!.find((t) => t.title === 'By owner')!.rows.map((r) => r[0]);
    expect(owners).toContain('Maya Chen');
    expect(owners.some((o) => o!.startsWith('@'))).toBe(false);
  });

  it('GIVEN the previous digest went out today THEN nobody is new and the digest is empty', async () => {
    const built = await buildDigest(ctx, request('at-risk', { since: ctx.clock.now() }));
    expect(built.empty).toBe(true);
    expect(built.reply.text).toMatch(/^No customer moved into at-risk or churned since 23 Nov 2026/);
  });

  it('GIVEN a refresh that finished after the previous digest on the same day THEN its new entrants are in the next digest', async () => {
    const at = ctx.clock.now();
    const atRisk = await ctx.store.db.selectFrom('insights').select('customer_id').where('lifecycle_stage', '=', 'at-risk').limit(1).executeTakeFirstOrThrow();
    const later = new Date(at.getTime() + 3_600_000).toISOString();
    await ctx.store.db.insertInto('model_runs').values({ run_id: 999, as_of_day: today, started_at: later, finished_at: later, status: 'done', customers: 0, card: null }).execute();
    await ctx.store.db.insertInto('lifecycle_transitions').values({ customer_id: atRisk.customer_id, run_id: 999, as_of_day: today, from_stage: 'active', to_stage: 'at-risk', reason: 'test' }).execute();
    try {
      const built = await buildDigest(ctx, request('at-risk', { since: at }));
      expect(built.empty).toBe(false);
      expect(built.reply.tables!.find((t) => t.title?.startsWith('New since'))!.rows.map((r) => r[0]).join()).toContain(atRisk.customer_id);
    } finally {
      await ctx.store.db.deleteFrom('lifecycle_transitions').where('run_id', '=', 999).execute();
      await ctx.store.db.deleteFrom('model_runs').where('run_id', '=', 999).execute();
    }
  });

  it('GIVEN an owner filter THEN only that owner appears', async () => {
    const { reply } = await buildDigest(ctx, request('at-risk', { owner: 'maya chen' }));
    expect(reply.title).toMatch(/owner maya chen$/);
    const owners = new Set(reply.tables!.flatMap((t) => (t.title === 'By owner' ? t.rows.map((r) => r[0]) : t.rows.map((r) => r[1]))));
    expect(owners).toEqual(new Set(['@Maya Chen']));
  });
});

describe('atRiskReply (pure)', () => {
  const data = (over: Partial<AtRiskDigestData> = {}): AtRiskDigestData => ({
    run: { run_id: 4, as_of_day: 20_000 },
    currency: 'USD',
    afterDay: 19_993,
    untilDay: 20_000,
    scope: '',
    entrants: [{ customer_id: 'C1', name: 'Ann', owner: 'Maya Chen', lifecycle_stage: 'at-risk', lifecycle_reason: 'overdue', churn_risk: 71.6, churn_drivers: '["no purchase for 90 days"]', value_at_risk: 1234.5 }],
    entrantsByOwner: [{ owner: 'Maya Chen', count: 1, valueAtRisk: 1234.5 }],
    highRiskByOwner: [{ owner: 'Maya Chen', count: 3, valueAtRisk: 5000 }, { owner: null, count: 1, valueAtRisk: 10 }],
    top: [{ customer_id: 'C1', name: 'Ann', owner: 'Maya Chen', churn_risk: 71.6, value_at_risk: 1234.5, churn_drivers: '["no purchase for 90 days"]' }],
    totalValueAtRisk: 6000,
    owners: new Map([['maya chen', { userId: 'slack:U1', name: 'Maya Chen' }]]),
    ...over,
  });

  it('GIVEN one new entrant THEN it is listed with its drivers and its owner mentioned', () => {
    const { reply, empty } = atRiskReply(data());
    expect(empty).toBe(false);
    expect(reply.text).toContain('**1** customer moved into at-risk or churned since 27 Sep 2024');
    expect(reply.tables![0]!.rows).toEqual([['Ann (C1)', '@Maya Chen', 'at-risk', '72', '$1,234.50', 'no purchase for 90 days']]);
    expect(reply.tables![2]!.rows).toEqual([['@Maya Chen', '1', '3', '$5,000.00'], ['(no owner)', '0', '1', '$10.00']]);
    expect(reply.chart!.series[0]!.points).toEqual([{ x: 'Maya Chen', y: 5000 }, { x: '(no owner)', y: 10 }]);
  });

  it('GIVEN no new entrants THEN it is empty, with the reason', () => {
    const built = atRiskReply(data({ entrants: [], entrantsByOwner: [] }));
    expect(built.empty).toBe(true);
    expect(built.emptyReason).toBe('no new at-risk or churned customers since 27 Sep 2024');
  });
});
