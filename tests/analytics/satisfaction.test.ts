import { describe, expect, it } from 'vitest';
import { compareCsat, compareNps, csat, nps, wilsonInterval, zForConfidence } from '../../src/analytics/satisfaction.ts';

/** `count` copies of `score`, for building hand cases. */
const times = (...groups: Array<[score: number, count: number]>): number[] =>
  groups.flatMap(([score, count]) => Array<number>(count).fill(score));

describe('csat', () => {
  it('GIVEN 8 of 10 responses at 4–5 THEN CSAT is 0.8 with Wilson interval [0.4902, 0.9433]', () => {
    // p = 0.8, n = 10, z = 1.959964, z² = 3.841459
    // denominator = 1 + z²/n = 1.384146
    // centre      = (p + z²/2n) / denominator = (0.8 + 0.192073) / 1.384146 = 0.716738
    // half-width  = z/denominator · √(p(1−p)/n + z²/4n²) = 1.416009 · √(0.016 + 0.009604) = 1.416009 · 0.160012 = 0.226578
    // interval    = [0.490162, 0.943316]
    const result = csat([5, 4, 4, 5, 3, 5, 4, 2, 5, 4]);
    expect(result.csat).toBe(0.8);
    expect(result.n).toBe(10);
    expect(result.satisfied).toBe(8);
    expect(result.lower).toBeCloseTo(0.4902, 4);
    expect(result.upper).toBeCloseTo(0.9433, 4);
    expect(result.tooFew).toBe(false);
  });

  it('GIVEN every response a 5 THEN the interval stays inside [0, 1] (lower 0.7225, upper 1)', () => {
    // p = 1: centre = (1 + 0.192073) / 1.384146 = 0.861233; half = 1.416009 · √(3.841459/400) = 0.138766
    // → [0.722467, 1.0] (the Wald interval would be the useless [1, 1])
    const result = csat(times([5, 10]));
    expect(result.csat).toBe(1);
    expect(result.lower).toBeCloseTo(0.7225, 4);
    expect(result.upper).toBe(1);
  });

  it('GIVEN 9 responses THEN the figure is flagged too few; a lower minimum clears the flag', () => {
    expect(csat(times([5, 9])).tooFew).toBe(true);
    expect(csat(times([5, 9]), { minResponses: 5 }).tooFew).toBe(false);
    expect(csat(times([5, 10])).tooFew).toBe(false);
  });

  it('GIVEN no responses THEN CSAT and its interval are null and flagged too few', () => {
    expect(csat([])).toEqual({ csat: null, n: 0, satisfied: 0, lower: null, upper: null, tooFew: true });
  });

  it('GIVEN a score off the 1–5 scale THEN it throws naming csat', () => {
    expect(() => csat([5, 6])).toThrow(/^csat: score 6 is outside the csat scale 1–5/);
    expect(() => csat([0])).toThrow(/csat: score 0/);
    expect(() => csat([4.5])).toThrow(/csat: score 4.5/);
    expect(() => csat([Number.NaN])).toThrow(/csat/);
  });

  it('GIVEN a 99% level THEN z is 2.5758 and the interval is wider', () => {
    expect(zForConfidence('test', 0.95)).toBeCloseTo(1.959964, 6);
    expect(zForConfidence('test', 0.99)).toBeCloseTo(2.575829, 6);
    const wide = csat([5, 4, 4, 5, 3, 5, 4, 2, 5, 4], { confidence: 0.99 });
    expect(wide.lower!).toBeLessThan(0.4902);
    expect(wide.upper!).toBeGreaterThan(0.9433);
  });

  it('GIVEN impossible counts THEN wilsonInterval throws with its name', () => {
    expect(() => wilsonInterval(11, 10, 1.96)).toThrow(/^wilsonInterval:/);
    expect(() => wilsonInterval(0, 0, 1.96)).toThrow(/^wilsonInterval:/);
  });
});

describe('nps', () => {
  it('GIVEN 5 promoters, 2 passives, 3 detractors THEN NPS is 20 with adjusted-Wald interval [−30.33, 61.10]', () => {
    // NPS = 100 · (5 − 3)/10 = 20
    // adjusted (Rocks 2016): n' = 13, p_pro' = 5.75/13 = 0.442308, p_det' = 3.75/13 = 0.288462
    // centre = 0.153846; var = (0.442308 + 0.288462 − 0.153846²)/13 = (0.730769 − 0.023669)/13 = 0.054392
    // se = 0.233221; z·se = 1.959964 · 0.233221 = 0.457105
    // interval = 100 · [0.153846 − 0.457105, 0.153846 + 0.457105] = [−30.33, 61.10]
    const result = nps([10, 10, 9, 9, 9, 8, 7, 6, 3, 0]);
    expect(result.nps).toBe(20);
    expect(result).toMatchObject({ n: 10, promoters: 5, passives: 2, detractors: 3, tooFew: false });
    expect(result.lower).toBeCloseTo(-30.33, 2);
    expect(result.upper).toBeCloseTo(61.1, 2);
  });

  it('GIVEN only promoters THEN NPS is 100 and the upper bound is clamped to 100', () => {
    // p_pro' = 10.75/13 = 0.826923, p_det' = 0.75/13 = 0.057692, centre = 0.769231
    // var = (0.884615 − 0.591716)/13 = 0.022531, z·se = 1.959964 · 0.150102 = 0.294195
    // → [47.50, 106.34] → clamped to [47.50, 100]
    const result = nps(times([10, 10]));
    expect(result.nps).toBe(100);
    expect(result.lower).toBeCloseTo(47.5036, 3);
    expect(result.upper).toBe(100);
  });

  it('GIVEN fewer responses than the minimum THEN too few is flagged', () => {
    expect(nps([10, 9, 0]).tooFew).toBe(true);
    expect(nps([10, 9, 0], { minResponses: 3 }).tooFew).toBe(false);
    expect(nps([]).nps).toBeNull();
  });

  it('GIVEN a score off the 0–10 scale THEN it throws naming nps', () => {
    expect(() => nps([10, 11])).toThrow(/^nps: score 11 is outside the nps scale 0–10/);
    expect(() => nps([-1])).toThrow(/^nps: score -1/);
  });
});

describe('compareCsat', () => {
  it('GIVEN 6/10 then 8/10 satisfied THEN the rise is no significant change (p = 0.329)', () => {
    // pooled p = 14/20 = 0.7; se = √(0.7 · 0.3 · (1/10 + 1/10)) = √0.042 = 0.204939
    // z = 0.2 / 0.204939 = 0.9759; two-sided p = 2(1 − Φ(0.9759)) = 0.3291 ≥ 0.05
    const result = compareCsat(times([5, 6], [1, 4]), times([5, 8], [1, 2]));
    expect(result.difference).toBeCloseTo(0.2, 12);
    expect(result.z).toBeCloseTo(0.9759, 4);
    expect(result.pValue).toBeCloseTo(0.3291, 4);
    expect(result.verdict).toBe('no significant change');
  });

  it('GIVEN 600/1000 then 800/1000 satisfied THEN CSAT is up (z = 9.76)', () => {
    // se = √(0.7 · 0.3 · (2/1000)) = 0.020494; z = 0.2/0.020494 = 9.759; p ≈ 1.7e−22
    const result = compareCsat(times([4, 600], [2, 400]), times([4, 800], [2, 200]));
    expect(result.z).toBeCloseTo(9.759, 3);
    expect(result.pValue!).toBeLessThan(1e-20);
    expect(result.verdict).toBe('up');
    expect(compareCsat(times([4, 800], [2, 200]), times([4, 600], [2, 400])).verdict).toBe('down');
  });

  it('GIVEN a period under the minimum THEN the verdict is too few however large the change', () => {
    const result = compareCsat(times([1, 5]), times([5, 100]));
    expect(result.verdict).toBe('too few');
    expect(result.previousN).toBe(5);
    expect(result.difference).toBe(1);
    expect(compareCsat([], times([5, 100])).verdict).toBe('too few');
    expect(compareCsat([], times([5, 100])).pValue).toBeNull();
  });

  it('GIVEN identical unanimous periods THEN p is 1 and nothing changed', () => {
    const result = compareCsat(times([5, 20]), times([5, 20]));
    expect(result.pValue).toBe(1);
    expect(result.verdict).toBe('no significant change');
  });

  it('GIVEN a bad score in either period THEN it throws naming compareCsat', () => {
    expect(() => compareCsat([5], [9])).toThrow(/^compareCsat: score 9/);
  });
});

describe('compareNps', () => {
  it('GIVEN NPS 0 then 30 on 100 responses each THEN NPS is up (z = 2.727, p = 0.0064)', () => {
    // before: 30 pro, 40 pas, 30 det → NPS 0;  var = (0.3 + 0.3 − 0²)/100 = 0.0060
    // after:  50 pro, 30 pas, 20 det → NPS 30; var = (0.5 + 0.2 − 0.3²)/100 = 0.0061
    // se = √0.0121 = 0.11; z = 0.30/0.11 = 2.7273; p = 2(1 − Φ(2.7273)) = 0.0064
    const before = times([10, 30], [8, 40], [0, 30]);
    const after = times([10, 50], [8, 30], [0, 20]);
    const result = compareNps(before, after);
    expect(result.previous).toBe(0);
    expect(result.current).toBe(30);
    expect(result.difference).toBe(30);
    expect(result.z).toBeCloseTo(2.7273, 4);
    expect(result.pValue).toBeCloseTo(0.0064, 4);
    expect(result.verdict).toBe('up');
    // …but not at α = 0.001
    expect(compareNps(before, after, { alpha: 0.001 }).verdict).toBe('no significant change');
  });

  it('GIVEN the same shares on 10 responses each THEN the change is not significant (p = 0.388)', () => {
    // var₁ = 0.6/10 = 0.060, var₂ = 0.61/10 = 0.061; se = √0.121 = 0.347851; z = 0.3/0.347851 = 0.8624
    const result = compareNps(times([10, 3], [8, 4], [0, 3]), times([10, 5], [8, 3], [0, 2]));
    expect(result.z).toBeCloseTo(0.8624, 4);
    expect(result.pValue).toBeCloseTo(0.3884, 4);
    expect(result.verdict).toBe('no significant change');
  });

  it('GIVEN a period under the minimum THEN the verdict is too few', () => {
    expect(compareNps(times([0, 4]), times([10, 50])).verdict).toBe('too few');
    expect(compareNps(times([0, 4]), times([10, 50]), { minResponses: 4 }).verdict).toBe('up');
  });

  it('GIVEN a bad score THEN it throws naming compareNps', () => {
    expect(() => compareNps([10], [12])).toThrow(/^compareNps: score 12/);
  });
});
