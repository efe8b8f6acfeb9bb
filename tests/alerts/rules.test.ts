// The pure parts of owner alerts: who crosses (edge-triggered), the top-share cutoff, settings as
// admins type them, quiet hours across zones and DST, matched controls and "does it help?".
import { describe, expect, it } from 'vitest';
import { pickControls, stratumOf, valueDeciles } from '../../src/alerts/controls.ts';
import { alertEffect, describeEffect, differenceOf, type EffectInput } from '../../src/alerts/effect.ts';
import { evaluateAlerts, kthLargest, topShareCutoff, type AlertInputs } from '../../src/alerts/evaluate.ts';
import { quietUntil } from '../../src/alerts/quiet-hours.ts';
import { DEFAULT_ALERT_SETTINGS, describeSetting, formatDuration, normaliseSetting, parseDuration, settingsFromRows } from '../../src/alerts/settings.ts';
import { PulseError } from '../../src/core/errors.ts';

const RULES = { risk: 60, topShare: 0.5, silentGaps: 3 };

/** Customers as rows: risk now and before, value at risk, worth, purchase days, last purchase, usual gap. */
function inputs(rows: [number, number, number, number, number, number, number][], asOfDay = 100, previousAsOfDay: number | null = 93): AlertInputs {
  const col = (k: number) => Float64Array.from(rows.map((r) => r[k]!));
  return {
    asOfDay,
    previousAsOfDay,
    risk: col(0),
    previousRisk: col(1),
    previousKnown: Uint8Array.from(rows.map(() => 1)),
    valueAtRisk: col(2),
    worth: col(3),
    purchaseDays: Int32Array.from(rows.map((r) => r[4])),
    lastPurchaseDay: Int32Array.from(rows.map((r) => r[5])),
    usualGap: col(6),
  };
}

describe('who crosses into an alert', () => {
  it('GIVEN risk below the threshold last time and above it now, in the top share THEN slipping; already above, or below now, or not valuable THEN nothing', () => {
    const x = inputs([
      [65, 40, 900, 1000, 5, 95, 10], // crossed, valuable
      [70, 65, 800, 1000, 5, 95, 10], // was above already: the episode is older
      [55, 40, 900, 1000, 5, 95, 10], // still below
      [80, 30, 10, 10, 5, 95, 10], // crossed, but its value at risk is not in the top half
      [61, NaN, 850, 1000, 1, 95, NaN], // no score last time (no purchase yet) counts as below
    ]);
    const { candidates, valueCutoff } = evaluateAlerts(x, RULES);
    expect(valueCutoff).toBe(850);
    expect(candidates).toEqual([
      { index: 0, kind: 'slipping' },
      { index: 4, kind: 'slipping' },
    ]);
  });

  it('GIVEN a repeat customer quiet for more than 3 usual gaps now and not at the previous refresh THEN silent, once', () => {
    const x = inputs([
      [20, 20, 5, 1000, 4, 60, 10], // 40 days quiet now (> 30), 33 at day 93 (> 30): crossed earlier
      [20, 20, 5, 1000, 4, 68, 10], // 32 now, 25 then: crosses now
      [20, 20, 5, 1000, 1, 68, NaN], // one purchase: no usual gap, never silent
      [20, 20, 5, 1, 4, 68, 10], // crosses, but not valuable
    ]);
    expect(evaluateAlerts(x, RULES).candidates).toEqual([{ index: 1, kind: 'silent' }]);
    // The same store refreshed again the same day: nothing crosses.
    expect(evaluateAlerts({ ...x, previousAsOfDay: 100 }, RULES).candidates).toEqual([]);
  });

  it('GIVEN no previous refresh (or one for a later day) THEN nobody crosses: the first refresh only sets the baseline', () => {
    const x = inputs([[90, NaN, 900, 1000, 5, 10, 10]], 100, null);
    expect(evaluateAlerts(x, RULES).candidates).toEqual([]);
  });

  it('GIVEN values THEN the top-share cutoff is the smallest value inside the share (positive, finite values only)', () => {
    expect(topShareCutoff(Float64Array.from([5, 1, 4, 2, 3]), 0.4)).toBe(4);
    expect(topShareCutoff(Float64Array.from([0, NaN, -3, 7]), 0.2)).toBe(7);
    expect(topShareCutoff(Float64Array.from([NaN, 0]), 0.2)).toBe(Infinity);
    const many = Float64Array.from({ length: 10_001 }, (_, i) => (i * 7919) % 10_001);
    expect(kthLargest(many.slice(), 1)).toBe(10_000);
    expect(kthLargest(many.slice(), 10_001)).toBe(0);
    expect(kthLargest(Float64Array.from([3, 3, 3, 1]), 3)).toBe(3);
  });
});

describe('alert settings as admins type them', () => {
  it('GIVEN good values THEN they are stored in one form and read back; a bad one says what is expected', () => {
    expect(normaliseSetting('escalate-after', '36h')).toBe('2160m');
    expect(normaliseSetting('escalate-after', 'off')).toBe('off');
    expect(normaliseSetting('quiet-hours', '22-7')).toBe('22-07');
    expect(normaliseSetting('quiet-hours', '21:00–06:00')).toBe('21-06');
    expect(normaliseSetting('top-share', '20%')).toBe('20%');
    expect(normaliseSetting('top-share', '0.1')).toBe('10%');
    expect(normaliseSetting('silent-after', '4x')).toBe('4x');
    expect(normaliseSetting('risk', '70')).toBe('70');
    const s = settingsFromRows([
      { key: 'escalate-after', value: '2160m' },
      { key: 'quiet-hours', value: 'off' },
      { key: 'top-share', value: '10%' },
      { key: 'channel', value: 'slack:C1' },
      { key: 'risk', value: 'nonsense' },
    ]);
    expect(s).toMatchObject({ escalateAfterMs: 36 * 3_600_000, quietHours: null, topShare: 0.1, channel: 'slack:C1', risk: 60 });
    expect(describeSetting('escalate-after', s)).toBe('36 hours');
    expect(describeSetting('managers', s)).toContain('slack:C1');
    for (const [key, value, words] of [
      ['risk', '150', 'whole number from 1 to 99'],
      ['risk', '6o', 'whole number'],
      ['quiet-hours', '25-07', 'like `22-07`'],
      ['quiet-hours', '7-7', 'like `22-07`'],
      ['top-share', '0%', 'percentage'],
      ['escalate-after', '5m', 'at least an hour'],
      ['escalate-after', 'soon', 'like `2d`'],
      ['silent-after', '1x', 'from 1.5 to 20'],
      ['channel', 'sales', 'Slack or Discord channel'],
    ] as const) {
      expect(() => normaliseSetting(key, value), `${key}:${value}`).toThrow(PulseError);
      try {
        normaliseSetting(key, value);
      } catch (err) {
        expect(`${(err as PulseError).message} ${(err as PulseError).hint ?? ''}`).toContain(words);
      }
    }
    expect(DEFAULT_ALERT_SETTINGS).toMatchObject({ risk: 60, topShare: 0.2, escalateAfterMs: 2 * 86_400_000, quietHours: { from: 22, to: 7 }, silentGaps: 3 });
  });

  it('GIVEN durations THEN they read and print as people say them', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('2 weeks')).toBe(14 * 86_400_000);
    expect(parseDuration('later')).toBeUndefined();
    expect(formatDuration(2 * 86_400_000 + 60_000)).toBe('2 days');
    expect(formatDuration(36 * 3_600_000)).toBe('36 hours');
    expect(formatDuration(90 * 60_000)).toBe('90 minutes');
  });
});

describe('quiet hours in the owner’s zone', () => {
  const q = { from: 22, to: 7 };
  it('GIVEN 23:30 in Berlin (summer) THEN the message waits until 07:00 Berlin; at 11:00 it goes now', () => {
    expect(new Date(quietUntil(Date.parse('2026-06-01T21:30:00Z'), 'Europe/Berlin', q)!).toISOString()).toBe('2026-06-02T05:00:00.000Z');
    expect(quietUntil(Date.parse('2026-06-01T09:00:00Z'), 'Europe/Berlin', q)).toBeUndefined();
    expect(new Date(quietUntil(Date.parse('2026-06-02T02:00:00Z'), 'America/New_York', q)!).toISOString()).toBe('2026-06-02T11:00:00.000Z');
    expect(quietUntil(Date.parse('2026-06-02T02:00:00Z'), 'UTC', null)).toBeUndefined();
  });

  it('GIVEN the night the clocks go forward in Berlin THEN quiet hours still end at 07:00 local', () => {
    expect(new Date(quietUntil(Date.parse('2026-03-28T22:30:00Z'), 'Europe/Berlin', q)!).toISOString()).toBe('2026-03-29T05:00:00.000Z');
  });

  it('GIVEN daytime quiet hours (12-14) THEN 13:00 waits until 14:00', () => {
    expect(new Date(quietUntil(Date.parse('2026-06-01T13:00:00Z'), 'UTC', { from: 12, to: 14 })!).toISOString()).toBe('2026-06-01T14:00:00.000Z');
  });
});

describe('does it help?', () => {
  it('GIVEN alerted and matched customers THEN the shares, the difference and its interval; too few THEN no verdict', () => {
    const rows: EffectInput[] = [
      ...Array.from({ length: 40 }, (_, i): EffectInput => ({ kind: 'slipping', claimed: i < 30, snoozed: i < 5, escalated: i >= 30, alertedBought: i < 20, controlBought: i < 8 })),
      ...Array.from({ length: 5 }, (): EffectInput => ({ kind: 'silent', claimed: false, snoozed: false, escalated: false, alertedBought: null })),
    ];
    const e = alertEffect(rows);
    expect(e.raised).toEqual({ slipping: 40, detractor: 0, silent: 5, total: 45 });
    expect(e).toMatchObject({ claimed: 30, snoozed: 5, escalated: 10, pending: 5, alerted: { customers: 40, bought: 20, share: 0.5 }, notAlerted: { customers: 40, bought: 8, share: 0.2 } });
    // 0.5 − 0.2 = 0.3; se = sqrt(.25/40 + .16/40) = 0.1012; 95%: 0.1016 to 0.4984.
    expect(e.difference!.value).toBeCloseTo(0.3, 10);
    expect(e.difference!.low).toBeCloseTo(0.3 - 1.96 * Math.sqrt(0.41 / 40), 10);
    expect(describeEffect(e).join(' ')).toMatch(/50% of alerted customers \(20 of 40\) vs 20% of similar customers not alerted \(8 of 40; .*\+30\.0 points .*came back more often/);
    expect(differenceOf({ customers: 9, bought: 5, share: 5 / 9 }, { customers: 40, bought: 8, share: 0.2 })).toBeNull();
    expect(describeEffect(alertEffect([]))).toEqual(['No alerts were raised in the last 90 days.']);
  });

  it('GIVEN alerts to match THEN each gets a distinct, eligible customer of its own risk band and value decile, the same ones every time', () => {
    const n = 5_000;
    const risk = Float64Array.from({ length: n }, (_, i) => (i * 37) % 100);
    const value = Float64Array.from({ length: n }, (_, i) => ((i * 101) % 1000) + 1);
    const cuts = valueDeciles(value, 1);
    expect(cuts).toHaveLength(9);
    const requests = [
      { alertId: 1, risk: 65, valueAtRisk: 950 },
      { alertId: 2, risk: 66, valueAtRisk: 960 },
      { alertId: 3, risk: 12, valueAtRisk: 50 },
    ];
    const excluded = new Set([0, 1, 2]);
    const picked = pickControls(requests, risk, value, (i) => !excluded.has(i), cuts, 7);
    expect([...picked.keys()].sort()).toEqual([1, 2, 3]);
    expect(new Set(picked.values()).size).toBe(3);
    for (const r of requests) {
      const i = picked.get(r.alertId)!;
      expect(excluded.has(i)).toBe(false);
      expect(stratumOf(cuts, risk[i]!, value[i]!)).toBe(stratumOf(cuts, r.risk, r.valueAtRisk));
    }
    expect(pickControls(requests, risk, value, (i) => !excluded.has(i), cuts, 7)).toEqual(picked);
    expect(pickControls([{ alertId: 9, risk: 65, valueAtRisk: 950 }], risk, value, () => false, cuts, 7).size).toBe(0);
  });
});
