import { describe, expect, it } from 'vitest';
import {
  RFM_SEGMENTS,
  RFM_SEGMENT_GRID,
  RFM_SEGMENT_DESCRIPTIONS,
  formatRfmGrid,
  quintileThresholds,
  scoreAgainst,
  quintileScores,
  rfmScores,
  rfmSegment,
} from '../../src/analytics/rfm.ts';

describe('RFM segment grid', () => {
  it('GIVEN all 25 R×F cells THEN each maps to exactly one named segment and every segment is used', () => {
    console.log(`RFM segment grid (rows R5..R1, columns F1..F5):\n${formatRfmGrid()}`);
    const seen = new Set<string>();
    let cells = 0;
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const segment = rfmSegment(r, f);
        expect(RFM_SEGMENTS.filter((name) => name === segment)).toHaveLength(1);
        expect(RFM_SEGMENT_GRID[r - 1]![f - 1]).toBe(segment);
        seen.add(segment);
        cells++;
      }
    }
    expect(cells).toBe(25);
    expect(RFM_SEGMENT_GRID).toHaveLength(5);
    for (const row of RFM_SEGMENT_GRID) expect(row).toHaveLength(5);
    expect([...seen].sort()).toEqual([...RFM_SEGMENTS].sort());
    expect(Object.keys(RFM_SEGMENT_DESCRIPTIONS).sort()).toEqual([...RFM_SEGMENTS].sort());
  });

  it('GIVEN the corner cells THEN they carry the expected names', () => {
    expect(rfmSegment(5, 5)).toBe('Champions');
    expect(rfmSegment(5, 1)).toBe('New');
    expect(rfmSegment(4, 1)).toBe('Promising');
    expect(rfmSegment(3, 3)).toBe('Need Attention');
    expect(rfmSegment(1, 5)).toBe("Can't Lose Them");
    expect(rfmSegment(1, 1)).toBe('Lost');
    expect(rfmSegment(2, 2)).toBe('Hibernating');
    expect(rfmSegment(1, 4)).toBe('At Risk');
  });

  it('GIVEN a score outside 1–5 THEN rfmSegment throws', () => {
    expect(() => rfmSegment(0, 3)).toThrow(RangeError);
    expect(() => rfmSegment(3, 6)).toThrow(RangeError);
    expect(() => rfmSegment(2.5, 3)).toThrow(RangeError);
  });
});

describe('quintileScores', () => {
  it('GIVEN ten distinct values THEN each fifth of the population gets one score', () => {
    expect(Array.from(quintileScores([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]))).toEqual([5, 1, 5, 1, 4, 2, 4, 2, 3, 3]);
  });

  it('GIVEN ties THEN equal values get equal scores: 1 + floor(5 × share strictly below)', () => {
    // sorted: 1 1 1 1 2 2 3 4 5 5 (n = 10)
    // 1: 0 below → 1; 2: 4 below → 1 + floor(2.0) = 3; 3: 6 below → 4; 4: 7 below → 4; 5: 8 below → 5
    expect(Array.from(quintileScores([1, 2, 1, 5, 3, 1, 4, 2, 5, 1]))).toEqual([1, 3, 1, 5, 4, 1, 4, 3, 5, 1]);
  });

  it('GIVEN everyone equal THEN everyone scores 1', () => {
    expect(Array.from(quintileScores([7, 7, 7]))).toEqual([1, 1, 1]);
  });

  it('GIVEN higherIsBetter false (recency in days) THEN fewer days scores higher and tied days share the lower score', () => {
    // days since: 0 0 5 10 30 → negated order: -30 -10 -5 0 0 → below counts 0,1,2,3,3 of 5
    expect(Array.from(quintileScores([0, 30, 5, 0, 10], false))).toEqual([4, 1, 3, 4, 2]);
  });

  it('GIVEN the same values in another order THEN each value keeps its score', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const scores = quintileScores(values);
    const reversed = quintileScores([...values].reverse());
    expect(Array.from(reversed).reverse()).toEqual(Array.from(scores));
  });
});

describe('rfmScores', () => {
  it('GIVEN customers with and without purchases THEN only buyers are scored and segmented', () => {
    const result = rfmScores({
      daysSinceLastPurchase: [2, 0, 400, 30, 90, 10],
      purchaseDays: [12, 0, 1, 3, 1, 6],
      revenue: [900, 0, 20, 150, 40, 300],
    });
    expect(result.scored).toBe(5);
    // buyers: recency days 2,400,30,90,10 → R 5,1,3,2,4; frequency 12,1,3,1,6 → F 5,1,3,1,4
    expect(Array.from(result.recency)).toEqual([5, 0, 1, 3, 2, 4]);
    expect(Array.from(result.frequency)).toEqual([5, 0, 1, 3, 1, 4]);
    expect(Array.from(result.monetary)).toEqual([5, 0, 1, 3, 2, 4]);
    expect(result.segment).toEqual(['Champions', null, 'Lost', 'Need Attention', 'Hibernating', 'Loyal']);
  });

  it('GIVEN misaligned arrays THEN it throws', () => {
    expect(() => rfmScores({ daysSinceLastPurchase: [1], purchaseDays: [1, 2], revenue: [1, 2] })).toThrow(RangeError);
  });

  it('GIVEN 1,000,000 customers THEN the 800,000 buyers are scored (time printed, not asserted)', () => {
    const n = 1_000_000;
    const days = new Float64Array(n);
    const count = new Float64Array(n);
    const revenue = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      days[i] = (i * 7919) % 730;
      count[i] = i % 5 === 0 ? 0 : 1 + ((i * 31) % 20);
      revenue[i] = ((i * 104729) % 100_000) / 10;
    }
    const started = performance.now();
    const result = rfmScores({ daysSinceLastPurchase: days, purchaseDays: count, revenue });
    const ms = performance.now() - started;
    console.log(`rfmScores on 1,000,000 customers: ${ms.toFixed(0)} ms`);
    expect(result.scored).toBe(800_000);
    expect(result.segment[0]).toBeNull();
  });
});

describe('quintileThresholds', () => {
  it('GIVEN 1..10 THEN the cuts are the 2nd, 4th, 6th and 8th smallest and scoreAgainst agrees with quintileScores', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const thresholds = quintileThresholds(values);
    expect(thresholds).toEqual([2, 4, 6, 8]);
    expect(values.map((v) => scoreAgainst(thresholds, v))).toEqual(Array.from(quintileScores(values)));
  });

  it('GIVEN recency thresholds (lower is better) THEN a new customer is scored against the stored population', () => {
    const days = [0, 30, 5, 0, 10];
    const thresholds = quintileThresholds(days, false);
    expect(days.map((v) => scoreAgainst(thresholds, v, false))).toEqual(Array.from(quintileScores(days, false)));
    expect(scoreAgainst(thresholds, 1000, false)).toBe(1);
  });
});
