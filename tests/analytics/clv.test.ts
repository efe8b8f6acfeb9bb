import { describe, expect, it } from 'vitest';
import { bgnbdConditionalExpectedPurchases } from '../../src/analytics/bgnbd.ts';
import { customerLifetimeValue, customerLifetimeValues, discountedPurchases, PERIODS_PER_MONTH } from '../../src/analytics/clv.ts';

describe('customerLifetimeValue', () => {
  it('GIVEN 2 purchases a month at 10 each, 1% a month, 12 months THEN CLV is the annuity 20·(1 − 1.01⁻¹²)/0.01', () => {
    const clv = customerLifetimeValue((t) => 2 * t, 10, { periodsPerMonth: PERIODS_PER_MONTH.month });
    expect(clv).toBeCloseTo((20 * (1 - Math.pow(1.01, -12))) / 0.01, 10); // 225.1015…
    expect(clv).toBeCloseTo(225.10154, 4);
  });

  it('GIVEN a model in days THEN months are 30-day steps (lifetimes\' freq "D") and the value is the same', () => {
    const perDay = customerLifetimeValue((t) => t / 15, 10, { periodsPerMonth: PERIODS_PER_MONTH.day });
    expect(perDay).toBeCloseTo(customerLifetimeValue((t) => 2 * t, 10, { periodsPerMonth: 1 }), 10);
  });

  it('GIVEN uneven expected purchases THEN each month gets its own increment, discounted by month', () => {
    const cumulative = new Map([[0, 0], [1, 2], [2, 3.5]]);
    const clv = customerLifetimeValue((t) => cumulative.get(t)!, 10, { periodsPerMonth: 1, months: 2, discountRatePerMonth: 0.01 });
    expect(clv).toBeCloseTo(20 / 1.01 + 15 / 1.01 ** 2, 12); // 34.5064…
  });

  it('GIVEN no discount THEN CLV is spend × expected purchases over the horizon', () => {
    const p = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const byWeek = (t: number) => bgnbdConditionalExpectedPurchases(p, t, 2, 30.43, 38.86);
    const clv = customerLifetimeValue(byWeek, 30, { periodsPerMonth: PERIODS_PER_MONTH.week, discountRatePerMonth: 0 });
    expect(clv).toBeCloseTo(30 * byWeek(12 * 4.345), 10);
  });

  it('GIVEN many customers THEN the batch form gives each its own value', () => {
    const values = customerLifetimeValues((t) => [t, 2 * t, 0], [10, 10, 99], { periodsPerMonth: 1, months: 1 });
    expect(Array.from(values)).toEqual([10 / 1.01, 20 / 1.01, 0]);
  });

  it('GIVEN a history THEN its discounted purchases are the CLV of one unit of spend, the same for every customer sharing it', () => {
    // A saturating curve: 3 purchases at most, 1.2 of them in the first month.
    const curve = (t: number) => [3 * (1 - Math.exp(-t / 60)), 0.5 * t];
    const options = { periodsPerMonth: PERIODS_PER_MONTH.day, months: 12, discountRatePerMonth: 0.015 };
    const perUnit = discountedPurchases(curve, options);
    const byHand = (k: number) => Array.from({ length: 12 }, (_, m) => (curve((m + 1) * 30)[k]! - curve(m * 30)[k]!) / 1.015 ** (m + 1)).reduce((a, b) => a + b, 0);
    expect(perUnit[0]).toBeCloseTo(byHand(0), 12);
    expect(perUnit[1]).toBeCloseTo(byHand(1), 12);
    const values = customerLifetimeValues(curve, [25, 40], options);
    expect(values[0]).toBeCloseTo(25 * byHand(0), 10);
    expect(values[1]).toBeCloseTo(40 * byHand(1), 10);
  });

  it('GIVEN bad options or mismatched lengths THEN it throws', () => {
    expect(() => customerLifetimeValue((t) => t, 1, { periodsPerMonth: 0 })).toThrow(/periodsPerMonth/);
    expect(() => customerLifetimeValue((t) => t, 1, { periodsPerMonth: 1, months: 1.5 })).toThrow(/months/);
    expect(() => customerLifetimeValues(() => [1, 2], [1], { periodsPerMonth: 1 })).toThrow(/customers/);
  });
});
