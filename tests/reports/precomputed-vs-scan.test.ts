// The rollups a refresh writes must say exactly what the rows say: every report, run once over the
// precomputed data and once over a scan of the rows, gives the same reply — with feedback logged
// after the refresh (added at read time), owners and segments, empty filters and full lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { fixedClock, localDay } from '../../src/core/time.ts';
import { latestRun } from '../../src/db/insights.ts';
import type { ModelRunRow } from '../../src/db/schema.ts';
import { churnRiskReport } from '../../src/reports/churn-risk.ts';
import { buildDigest } from '../../src/reports/digest.ts';
import { lifecycleReport } from '../../src/reports/lifecycle.ts';
import { precomputedData } from '../../src/reports/precomputed-data.ts';
import type { ReportData } from '../../src/reports/report-data.ts';
import type { OffLoopRunner } from '../../src/core/off-loop.ts';
import { satisfactionReportFor } from '../../src/reports/satisfaction.ts';
import { scanData } from '../../src/reports/scan-data.ts';
import { clustersReport, segmentMembersReport, segmentsReport } from '../../src/reports/segments.ts';
import { valueReport } from '../../src/reports/value.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { consoleCall, makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let run: ModelRunRow;
let fast: ReportData;
let slow: ReportData;

beforeAll(async () => {
  ctx = await makeTestContext({}, '2026-11-23T10:00:00Z');
  await seedTestDemo(ctx, 900, 11);
  const today = localDay(ctx.clock.now().getTime(), 'UTC');
  await refresh({ ...ctx, clock: fixedClock('2026-11-09T10:00:00Z') }, { asOfDay: today - 14 });
  await refresh(ctx, { asOfDay: today });
  // Feedback after the refresh: the precomputed path adds it at read time.
  const registry = createRegistry();
  for (const text of ['/feedback C00003 1 late delivery and a damaged box', '/feedback C00004 nps 2 "support never answered"', '/feedback C00005 5 great service']) {
    const reply = await registry.run(text, consoleCall(), ctx);
    expect(reply.error).toBeUndefined();
  }
  run = (await latestRun(ctx.store.db))!;
  fast = precomputedData(ctx, run);
  slow = scanData(ctx, run);
});
afterAll(async () => ctx?.cleanup());

const refusingRunner: OffLoopRunner = {
  run: () => Promise.reject(new Error('not used')),
  digest: () => Promise.reject(new Error('not used')),
  served: 0,
  close: async () => undefined,
};

const both = async <T>(f: (data: ReportData) => Promise<T>) => [await f(fast), await f(slow)] as const;

describe('GIVEN the rollups of a refresh and the rows they came from', () => {
  it('THEN the refresh stored rollups (this run is read from them, not scanned)', () => {
    expect(run.feedback_watermark).not.toBeNull();
  });

  it.each([
    [{ limit: 10 }],
    [{ limit: 50 }],
    [{ owner: 'Maya Chen', limit: 10 }],
    [{ owner: 'maya chen ', limit: 50 }],
    [{ segment: 'champions', limit: 10 }],
    [{ segment: 'At Risk', owner: 'Tom Becker', limit: 20 }],
    [{ owner: 'Nobody Here', limit: 10 }],
    [{ min: 75, limit: 10 }],
    [{ min: 30, sort: 'overdue' as const, limit: 20 }],
    [{ min: 70, owner: 'Maya Chen', segment: 'At Risk', limit: 10 }],
  ])('THEN /churn-risk %j reads the same', async (args) => {
    const [a, b] = await both((d) => churnRiskReport(ctx, d, args));
    expect(a).toEqual(b);
  });

  it.each([[{ limit: 10 }], [{ limit: 50 }], [{ owner: 'Wei Zhang', limit: 10 }], [{ owner: 'nobody', limit: 5 }]])('THEN /value %j reads the same', async (args) => {
    const [a, b] = await both((d) => valueReport(ctx, d, args));
    expect(a).toEqual(b);
  });

  it('THEN /segment, /segment clusters and every segment\'s members read the same', async () => {
    const [s1, s2] = await both((d) => segmentsReport(ctx, d));
    expect(s1).toEqual(s2);
    const [c1, c2] = await both((d) => clustersReport(ctx, d));
    expect(c1).toEqual(c2);
    for (const name of ['Champions', 'loyal', 'at risk', 'Lost', 'New', "can't lose them"]) {
      const [m1, m2] = await both((d) => segmentMembersReport(ctx, d, { name, limit: 50 }));
      expect(m1).toEqual(m2);
    }
  });

  it('THEN /lifecycle reads the same', async () => {
    for (const stage of [undefined, 'at-risk', 'churned']) {
      const [a, b] = await both((d) => lifecycleReport(ctx, d, { stage, limit: 50 }));
      expect(a).toEqual(b);
    }
  });

  it.each([
    [{ period: '30d' as const }],
    [{ period: '7d' as const }],
    [{ period: '90d' as const }],
    [{ period: 'week' as const }],
    [{ period: '30d' as const, owner: 'Maya Chen' }],
    [{ period: '90d' as const, owner: 'Priya Nair' }],
  ])('THEN /satisfaction %j reads the same, feedback since the refresh included', async (args) => {
    const [a, b] = await both((d) => satisfactionReportFor(d, args, run.as_of_day, 'USD'));
    expect(a).toEqual(b);
  });

  it.each([
    [{ period: '30d' as const, segment: 'At Risk' }],
    [{ period: '90d' as const, segment: 'champions' }],
    [{ period: 'week' as const, segment: 'Hibernating' }],
    [{ period: '90d' as const, segment: 'loyal', owner: 'Maya Chen' }],
    [{ period: '7d' as const, segment: 'new', owner: 'Priya Nair' }],
  ])('THEN /satisfaction %j is read from the rollups, without a scan, and reads the same', async (args) => {
    // A context with an off-loop runner: any step that needs a scan throws instead of scanning.
    const strict = precomputedData({ ...ctx, offLoop: refusingRunner }, run);
    const [a, b] = [await satisfactionReportFor(strict, args, run.as_of_day, 'USD'), await satisfactionReportFor(slow, args, run.as_of_day, 'USD')];
    expect(a).toEqual(b);
  });

  it('THEN a segment with answers shows them (the comparison above is not of two empty replies)', async () => {
    const strict = precomputedData({ ...ctx, offLoop: refusingRunner }, run);
    const reply = await satisfactionReportFor(strict, { period: '90d', segment: 'champions' }, run.as_of_day, 'USD');
    expect(reply.fields?.find((f) => f.label === 'CSAT')?.value).toMatch(/n=[1-9]/);
  });

  it('THEN the answers logged since the refresh are counted at once', async () => {
    const day = run.as_of_day;
    const stored = await ctx.store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).where('day', '=', day).executeTakeFirstOrThrow();
    const counts = (await fast.counts({}, day, day)).get(day)!;
    const total = [...counts.csat, ...counts.nps].reduce((x, y) => x + y, 0);
    expect(total).toBe(Number(stored.n));
    const logged = await ctx.store.db.selectFrom('feedback').select('feedback_id').where('platform', '=', 'console').execute();
    expect(logged).toHaveLength(3);
  });

  it('THEN what the at-risk digest reads (entrants, owners, the top by value at risk, the total) is the same', async () => {
    const runIds = [run.run_id];
    const byOwner = (xs: { owner: string | null }[]) => [...xs].sort((x, y) => String(x.owner).localeCompare(String(y.owner)));
    for (const filter of [{}, { owner: 'maya chen' }]) {
      const [a, b] = await both((d) => d.entrants({ runIds }, filter, 10));
      expect(a.top).toEqual(b.top);
      expect(byOwner(a.byOwner)).toEqual(byOwner(b.byOwner));
      expect(a.byOwner.reduce((s, o) => s + o.count, 0)).toBeGreaterThan(0);
      const [o1, o2] = await both((d) => d.breakdown('owner', filter));
      expect(byOwner(o1.map((o) => ({ ...o, owner: o.key, clvTop20: null, tiers: null })))).toEqual(byOwner(o2.map((o) => ({ ...o, owner: o.key }))));
      const [t1, t2] = await both((d) => d.ranked('value-at-risk', filter, 10));
      expect(t1).toEqual(t2);
    }
    const digest = await buildDigest(ctx, { kind: 'at-risk', owner: null, platform: 'slack', scheduledFor: ctx.clock.now(), since: null, timeZone: 'UTC' });
    expect(digest.empty).toBe(false);
  });

  it('THEN over a window of several runs, most with no entrant left (an hourly refresh), the entrants are the same', async () => {
    // The first run placed everyone (no entrants); 9999 never ran.
    const runs = await ctx.store.db.selectFrom('model_runs').select('run_id').orderBy('run_id').execute();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const runIds of [[...runs.map((r) => r.run_id), 9_999], [runs[0]!.run_id, 9_999]]) {
      for (const filter of [{}, { owner: 'maya chen' }, { owner: 'nobody at all' }]) {
        const [a, b] = await both((d) => d.entrants({ runIds }, filter, 10));
        expect(a.top).toEqual(b.top);
        expect(a.byOwner.length).toBe(b.byOwner.length);
      }
    }
    const [withAll] = await both((d) => d.entrants({ runIds: [...runs.map((r) => r.run_id), 9_999] }, {}, 10));
    expect(withAll.top.length).toBeGreaterThan(0);
    const [none] = await both((d) => d.entrants({ runIds: [runs[0]!.run_id, 9_999] }, {}, 10));
    expect(none.top).toEqual([]);
  });
});
