import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, formatLocal, nextSlots, parseSchedule, previousSlot, type CronSchedule } from '../../src/digests/cron.ts';
import { dueRuns } from '../../src/digests/due-runs.ts';

const schedule = (expr: string): CronSchedule => {
  const p = parseSchedule(expr);
  if (!p.ok) throw new Error(p.reason);
  return p.schedule;
};
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const berlinMonday = { schedule: '0 9 * * 1', time_zone: 'Europe/Berlin', created_at: '2026-01-01T00:00:00Z' };

describe('cron slots in a time zone', () => {
  it('GIVEN Europe/Berlin 09:00 Mondays WHEN March 2026 clocks go forward THEN it fires at 09:00 local: 08:00Z before, 07:00Z after', () => {
    const slots = nextSlots(schedule('0 9 * * 1'), 'Europe/Berlin', Date.parse('2026-03-20T00:00:00Z'), 3).map(iso);
    expect(slots).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-06T07:00:00.000Z']);
    expect(slots.map((s) => formatLocal(Date.parse(s!), 'Europe/Berlin'))).toEqual(['Mon, 23 Mar 2026, 09:00 CET', 'Mon, 30 Mar 2026, 09:00 CEST', 'Mon, 6 Apr 2026, 09:00 CEST']);
  });

  it('GIVEN Europe/Berlin 09:00 Mondays WHEN October 2026 clocks go back THEN it fires at 09:00 local: 07:00Z before, 08:00Z after', () => {
    const slots = nextSlots(schedule('0 9 * * 1'), 'Europe/Berlin', Date.parse('2026-10-18T00:00:00Z'), 3).map(iso);
    expect(slots).toEqual(['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z']);
  });

  it('GIVEN an instant THEN the previous slot is the latest at or before it, in local wall time', () => {
    const s = schedule('0 9 * * 1');
    expect(iso(previousSlot(s, 'Europe/Berlin', Date.parse('2026-03-30T07:00:00Z')))).toBe('2026-03-30T07:00:00.000Z');
    expect(iso(previousSlot(s, 'Europe/Berlin', Date.parse('2026-03-30T06:59:59Z')))).toBe('2026-03-23T08:00:00.000Z');
    expect(iso(previousSlot(s, 'Europe/Berlin', Date.parse('2026-10-26T07:59:00Z')))).toBe('2026-10-19T07:00:00.000Z');
    expect(iso(previousSlot(s, 'Europe/Berlin', Date.parse('2026-10-26T08:00:00Z')))).toBe('2026-10-26T08:00:00.000Z');
  });

  it('GIVEN a slot inside the spring-forward gap THEN it fires once, shifted past the gap; in the autumn overlap THEN once', () => {
    const s = schedule('30 2 * * *');
    expect(nextSlots(s, 'Europe/Berlin', Date.parse('2026-03-28T00:00:00Z'), 2).map(iso)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z']);
    expect(nextSlots(s, 'Europe/Berlin', Date.parse('2026-10-24T00:00:00Z'), 3).map(iso)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('GIVEN node-cron extensions (second Monday, last day, last Friday) THEN they match as in node-cron', () => {
    expect(nextSlots(schedule('0 9 * * 1#2'), 'UTC', Date.parse('2026-01-01T00:00:00Z'), 2).map(iso)).toEqual(['2026-01-12T09:00:00.000Z', '2026-02-09T09:00:00.000Z']);
    expect(nextSlots(schedule('0 9 L * *'), 'UTC', Date.parse('2026-01-01T00:00:00Z'), 2).map(iso)).toEqual(['2026-01-31T09:00:00.000Z', '2026-02-28T09:00:00.000Z']);
    expect(nextSlots(schedule('0 17 * * 5L'), 'UTC', Date.parse('2026-01-01T00:00:00Z'), 1).map(iso)).toEqual(['2026-01-30T17:00:00.000Z']);
    expect(nextSlots(schedule('0 9 * * MON'), 'America/New_York', Date.parse('2026-03-01T00:00:00Z'), 2).map(iso)).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
  });

  it('GIVEN bad schedules and zones THEN they are refused with a reason', () => {
    for (const bad of ['bogus', '61 9 * * *', '0 9 * * 8', '0 0 9 * * 1', '0 9 31 2 *']) {
      const p = parseSchedule(bad);
      expect(p.ok, bad).toBe(false);
      if (!p.ok) expect(p.reason.length).toBeGreaterThan(5);
    }
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(canonicalTimeZone('+01:00')).toBeUndefined();
  });
});

describe('dueRuns', () => {
  it('GIVEN nothing delivered yet WHEN the slot has come THEN one on-time run; THEN nothing once its period is in the outbox', () => {
    const now = new Date('2026-03-30T07:00:20Z');
    const runs = dueRuns(berlinMonday, null, now);
    expect(runs).toEqual([{ periodKey: '2026-03-30T07:00:00.000Z', scheduledFor: new Date('2026-03-30T07:00:00Z'), late: false }]);
    expect(dueRuns(berlinMonday, '2026-03-30T07:00:00.000Z', now)).toEqual([]);
  });

  it('GIVEN five Mondays missed while down THEN only the latest is due, once, marked late', () => {
    const now = new Date('2026-11-11T10:00:00Z');
    const runs = dueRuns(berlinMonday, '2026-10-05T07:00:00.000Z', now);
    expect(runs).toEqual([{ periodKey: '2026-11-09T08:00:00.000Z', scheduledFor: new Date('2026-11-09T08:00:00Z'), late: true }]);
    expect(dueRuns(berlinMonday, runs[0]!.periodKey, now)).toEqual([]);
  });

  it('GIVEN a subscription made on a Tuesday THEN the Monday before it is not due', () => {
    expect(dueRuns({ ...berlinMonday, created_at: '2026-11-10T12:00:00Z' }, null, new Date('2026-11-12T10:00:00Z'))).toEqual([]);
    expect(dueRuns({ ...berlinMonday, created_at: '2026-11-10T12:00:00Z' }, null, new Date('2026-11-16T08:00:00Z'))).toHaveLength(1);
  });

  it('GIVEN a clock behind the last delivered period (a tick run for a past instant) THEN nothing is due', () => {
    expect(dueRuns(berlinMonday, '2026-11-16T08:00:00.000Z', new Date('2026-11-10T08:00:00Z'))).toEqual([]);
  });
});
