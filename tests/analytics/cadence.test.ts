import { describe, expect, it } from 'vitest';
import {
  customerCadence,
  daysOverdue,
  distinctPurchaseDays,
  expectedGap,
  medianOf,
  overdueRatio,
  populationUsualGap,
  purchaseGaps,
  usualGap,
} from '../../src/analytics/cadence.ts';

describe('cadence', () => {
  it('GIVEN orders on repeated and unsorted days THEN each calendar day is one purchase', () => {
    expect(Array.from(distinctPurchaseDays([9, 3, 1, 3, 9, 12], 10))).toEqual([1, 3, 9]);
    expect(purchaseGaps([1, 3, 3, 10])).toEqual([2, 7]);
  });

  it('GIVEN one long pause among regular gaps THEN the usual gap (median) ignores it', () => {
    expect(usualGap([0, 10, 20, 30, 230])).toBe(10);
    expect(usualGap([0, 10, 30])).toBe(15);
    expect(usualGap([5])).toBeNull();
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
  });

  it('GIVEN a history THEN customerCadence reports counts, recency, usual gap and the gap before the latest purchase', () => {
    // purchase days 0, 30, 60, 200 (and one after the as-of day, ignored)
    const cadence = customerCadence([60, 0, 30, 200, 400], 210);
    expect(cadence).toEqual({
      purchaseDays: 4,
      daysSinceFirstPurchase: 210,
      daysSinceLastPurchase: 10,
      usualGapDays: 30, // gaps 30, 30, 140
      lastGapDays: 140,
      usualGapBeforeLastDays: 30,
    });
  });

  it('GIVEN no purchase by the as-of day THEN cadence is empty', () => {
    expect(customerCadence([50], 10)).toEqual({
      purchaseDays: 0,
      daysSinceFirstPurchase: null,
      daysSinceLastPurchase: null,
      usualGapDays: null,
      lastGapDays: null,
      usualGapBeforeLastDays: null,
    });
  });

  it('GIVEN a one-time buyer THEN the expected gap falls back to the population median of usual gaps', () => {
    expect(populationUsualGap([10, Number.NaN, 30, 50, Number.NaN])).toBe(30);
    expect(populationUsualGap([Number.NaN])).toBeNull();
    expect(expectedGap(customerCadence([5], 20), 30)).toEqual({ days: 30, source: 'population' });
    expect(expectedGap(customerCadence([0, 12], 20), 30)).toEqual({ days: 12, source: 'customer' });
  });

  it('GIVEN 142 days since the last purchase and a 46-day usual gap THEN 96 days overdue, ratio ≈ 3.09', () => {
    expect(daysOverdue(142, 46)).toBe(96);
    expect(daysOverdue(20, 46)).toBe(0);
    expect(overdueRatio(142, 46)).toBeCloseTo(3.087, 3);
    expect(() => overdueRatio(10, 0)).toThrow(RangeError);
  });
});

describe('customerCadenceSorted', () => {
  it('GIVEN sorted days with repeats and days after the as-of day THEN it equals customerCadence', async () => {
    const { customerCadence, customerCadenceSorted } = await import('../../src/analytics/cadence.ts');
    const cases: number[][] = [[], [5], [5, 5], [0, 30, 60, 80], [0, 0, 10, 10, 25, 26, 90, 200], [1, 2, 3, 4, 5, 6, 7, 8, 9, 50], [10, 20, 300, 301]];
    const scratch = new Float64Array(16);
    for (const days of cases) {
      for (const asOf of [0, 9, 60, 100, 500]) {
        expect(customerCadenceSorted(days, days.length, asOf, scratch)).toEqual(customerCadence(days, asOf));
      }
    }
  });
});
