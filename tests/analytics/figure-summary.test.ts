import { describe, expect, it } from 'vitest';
import { summarizeFigure } from '../../src/analytics/figure-summary.ts';

describe('summarizeFigure', () => {
  it("GIVEN 0.1 … 0.5 THEN R's type-7 percentiles (0.14, 0.3, 0.46) and the mean, NaNs left out", () => {
    expect(summarizeFigure([0.5, NaN, 0.1, 0.3, 0.2, 0.4])).toEqual({
      customers: 5,
      p10: expect.closeTo(0.14, 12),
      median: 0.3,
      p90: expect.closeTo(0.46, 12),
      mean: expect.closeTo(0.3, 12),
    });
  });

  it('GIVEN nothing finite THEN null', () => {
    expect(summarizeFigure([NaN, Infinity])).toBeNull();
    expect(summarizeFigure([])).toBeNull();
  });

  it('GIVEN a million values THEN the percentiles from the subsample are within 0.003 of the exact ones', () => {
    const values = Float64Array.from({ length: 1_000_000 }, (_, i) => ((i * 7919) % 1_000_000) / 1_000_000);
    const s = summarizeFigure(values)!;
    expect(s.customers).toBe(1_000_000);
    expect(Math.abs(s.median - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(s.p10 - 0.1)).toBeLessThan(0.003);
    expect(Math.abs(s.p90 - 0.9)).toBeLessThan(0.003);
    expect(s.mean).toBeCloseTo(0.4999995, 9);
  });
});
