import { describe, expect, it } from 'vitest';
import {
  CHURNED,
  NOT_ELIGIBLE,
  RETAINED,
  churnLabels,
  compareWithBaseline,
  precisionAtTop,
  precisionAtTopDecile,
  rocAuc,
} from '../../src/analytics/backtest.ts';

/** O(n₁·n₀) definition of AUC, for checking the fast one. */
function bruteForceAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((s, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((t, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('rocAuc', () => {
  it('GIVEN perfect, reversed and constant scores THEN 1, 0 and 0.5', () => {
    expect(rocAuc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('GIVEN the hand case 0.1/0.4 (negatives) vs 0.35/0.8 (positives) THEN 3 of 4 pairs are ordered: 0.75', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('GIVEN a tie between a positive and a negative THEN that pair counts ½: (1 + ½ + 2) / 4 = 0.875', () => {
    // positives 2, 3; negatives 1, 2 → pairs (2>1) 1, (2=2) ½, (3>1) 1, (3>2) 1
    expect(rocAuc([1, 2, 2, 3], [0, 0, 1, 1])).toBe(0.875);
  });

  it('GIVEN random scores with many ties THEN it equals the pairwise definition', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const scores = Array.from({ length: 300 }, () => Math.floor(next() * 12));
    const labels = scores.map((s) => (next() < 0.2 + s / 20 ? 1 : 0));
    expect(rocAuc(scores, labels)).toBeCloseTo(bruteForceAuc(scores, labels), 12);
  });

  it('GIVEN only one class THEN AUC is undefined (null)', () => {
    expect(rocAuc([1, 2], [1, 1])).toBeNull();
  });

  it('GIVEN a label that is not 0/1 or a NaN score THEN it throws', () => {
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(RangeError);
    expect(() => rocAuc([1, Number.NaN], [0, 1])).toThrow(RangeError);
  });
});

describe('precisionAtTop', () => {
  it('GIVEN 20 customers THEN the top decile is the 2 highest scores and precision is their churn share', () => {
    const scores = [0.95, 0.9, ...Array.from({ length: 18 }, (_, i) => i / 100)];
    const labels = [1, 0, ...Array.from({ length: 18 }, (_, i) => (i % 3 === 0 ? 1 : 0))];
    const top = precisionAtTopDecile(scores, labels);
    expect(top.selected).toBe(2);
    expect(top.precision).toBe(0.5);
    expect(top.baseRate).toBe(7 / 20);
    expect(top.lift).toBeCloseTo(0.5 / 0.35, 12);
  });

  it('GIVEN three customers tied at the cut for one place THEN that place counts pro rata (1/3)', () => {
    const scores = [9, 9, 9, 0, 0, 0, 0, 0, 0, 0];
    const labels = [1, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    expect(precisionAtTopDecile(scores, labels).precision).toBeCloseTo(1 / 3, 12);
  });

  it('GIVEN a cut inside a tie block THEN precision does not depend on input order', () => {
    const scores = [5, 4, 4, 4, 4, 1, 1, 1, 1, 1];
    const labels = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0];
    const forward = precisionAtTop(scores, labels, 0.3).precision;
    const backward = precisionAtTop([...scores].reverse(), [...labels].reverse(), 0.3).precision;
    // top 3: the 5 (positive) + 2 of four 4s, of which half are positive → (1 + 2·½) / 3
    expect(forward).toBeCloseTo(2 / 3, 12);
    expect(backward).toBeCloseTo(forward, 12);
  });
});

describe('churnLabels', () => {
  it('GIVEN purchases around a cutoff THEN churned = none in the window, retained = one in it, prospects not eligible', () => {
    const labels = churnLabels({
      lastPurchaseDayBeforeCutoff: [10, 95, Number.NaN, 50, 100],
      firstPurchaseDayAfterCutoff: [Number.NaN, 120, 130, 250, 190],
      cutoffDay: 100,
      horizonDays: 90,
      dataEndDay: 300,
    });
    expect(Array.from(labels)).toEqual([CHURNED, RETAINED, NOT_ELIGIBLE, CHURNED, RETAINED]);
  });

  it('GIVEN a window that runs past the data THEN it refuses (labels would be censored)', () => {
    expect(() =>
      churnLabels({ lastPurchaseDayBeforeCutoff: [1], firstPurchaseDayAfterCutoff: [Number.NaN], cutoffDay: 100, horizonDays: 90, dataEndDay: 150 }),
    ).toThrow(/after the data/);
  });
});

describe('compareWithBaseline', () => {
  it('GIVEN a model that sees churn recency misses THEN it beats the recency-only baseline, skipping ineligible rows', () => {
    const labels = [1, 1, 0, 0, NOT_ELIGIBLE, 1, 0];
    const model = [0.9, 0.8, 0.2, 0.1, 0.99, 0.7, 0.3];
    const daysSince = [10, 200, 150, 5, 0, 20, 100];
    const comparison = compareWithBaseline(model, daysSince, labels);
    expect(comparison.n).toBe(6);
    expect(comparison.churned).toBe(3);
    expect(comparison.model.auc).toBe(1);
    // baseline pairs: positives 10, 200, 20 vs negatives 150, 5, 100 → 1 + 3 + 1 = 5 of 9
    expect(comparison.baseline.auc).toBeCloseTo(5 / 9, 12);
    expect(comparison.beatsBaseline).toBe(true);
    expect(comparison.model.precisionTopDecile).toBe(1);
    expect(comparison.baseline.precisionTopDecile).toBe(1);
  });
});
