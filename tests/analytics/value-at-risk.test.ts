import { describe, expect, it } from 'vitest';
import { valueAtRisk, yearlyValueIfTheyStay } from '../../src/analytics/value-at-risk.ts';

describe('yearlyValueIfTheyStay', () => {
  const prior = { r: 0.8, alpha: 70 };
  it('GIVEN a regular buyer THEN a year at the posterior purchase rate × their spend per purchase day', () => {
    // (0.8 + 20) / (70 + 365) per day × 365 × 2100 / 21
    expect(yearlyValueIfTheyStay({ repeatPurchases: 20, ageDays: 365, revenue: 2100, purchaseDays: 21 }, prior)).toBeCloseTo((365 * 20.8 * 100) / 435, 6);
  });
  it("GIVEN Gamma-Gamma's expected spend THEN that spend, as the CLV uses (one large first order is not a large yearly value)", () => {
    const oneBigOrder = { repeatPurchases: 0, ageDays: 211, revenue: 9861.38, purchaseDays: 1 };
    const own = yearlyValueIfTheyStay(oneBigOrder, prior);
    const shrunk = yearlyValueIfTheyStay({ ...oneBigOrder, expectedSpend: 417 }, prior);
    expect(shrunk).toBeCloseTo((365 * 0.8 * 417) / 281, 6);
    expect(own / shrunk).toBeCloseTo(9861.38 / 417, 6);
  });
  it('GIVEN no usable expected spend THEN their own spend; GIVEN no revenue THEN 0', () => {
    const c = { repeatPurchases: 2, ageDays: 100, revenue: 300, purchaseDays: 3 };
    expect(yearlyValueIfTheyStay({ ...c, expectedSpend: Number.NaN }, prior)).toBe(yearlyValueIfTheyStay(c, prior));
    expect(yearlyValueIfTheyStay({ ...c, expectedSpend: null }, prior)).toBe(yearlyValueIfTheyStay(c, prior));
    expect(yearlyValueIfTheyStay({ ...c, revenue: -5 }, prior)).toBe(0);
  });
});

describe('valueAtRisk', () => {
  it('GIVEN a yearly value and a churn risk out of 100 THEN their product', () => {
    expect(valueAtRisk(1750, 64)).toBe(1120);
  });
});
