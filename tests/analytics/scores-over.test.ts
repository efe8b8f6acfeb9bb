// A model's scores for several horizons at once (what a CLV asks for: thirteen monthly horizons)
// must be the figures each horizon gives alone, bit for bit, the figures `scores` gave before it
// computed P(alive) once, and the per-customer formulas'.
import { describe, expect, it } from 'vitest';
import { REPEAT_PURCHASE_MODELS } from '../../src/analytics/model-fits.ts';
import { groupHistories } from '../../src/analytics/purchase-history.ts';
import type { ModelParams } from '../../src/analytics/repeat-purchase-model.ts';
import { CDNOW_SUMMARY, cdnowStatus, loadCdnowSummary } from './helpers/cdnow.ts';

/** Parameters near each model's published CDNOW fit (weeks). */
const PARAMS: Record<string, ModelParams> = {
  bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  paretoNbd: { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 },
  mbgnbd: { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 },
};

/**
 * What `scores` gave before scoresOver existed (d571aa0), at 4.345 weeks: P(alive) and expected
 * purchases of history rows 0, 97, 500 and the last, in turn. A CLV's figures must not move.
 */
const BEFORE: Record<string, number[]> = {
  bgnbd: [1, 0.03292810246202026, 0.5784346153987123, 0.09627001117993098, 0.34146669177255157, 0.0421575285051055, 0.9691295181593396, 2.79852973650212],
  paretoNbd: [0.38393078435005523, 0.023760088560807077, 0.6520695342916517, 0.11291964485459577, 0.28370624119747945, 0.03808138682909174, 0.9961260449723084, 2.5663919159060464],
  mbgnbd: [0.42849443148199895, 0.02874133387339932, 0.5409590288970277, 0.1042380845865746, 0.2848033386648837, 0.04131015141773839, 0.9658563632417825, 2.6953114364587893],

};

const cdnow = cdnowStatus([CDNOW_SUMMARY]);

describe.skipIf(cdnow.skip)('scoresOver on the CDNOW customers', () => {
  const rows = cdnow.skip ? [] : loadCdnowSummary(CDNOW_SUMMARY);
  const groups = groupHistories(rows.map((r) => r.x), rows.map((r) => r.tx), rows.map((r) => r.T));
  const horizons = Array.from({ length: 13 }, (_, month) => month * 4.345);

  for (const model of REPEAT_PURCHASE_MODELS) {
    it(`GIVEN ${model.label} THEN every horizon's figures equal that horizon asked alone, and the per-customer formula`, () => {
      const params = PARAMS[model.name]!;
      const over = model.scoresOver(params, groups, horizons);
      expect(over.expectedPurchases).toHaveLength(horizons.length);
      horizons.forEach((t, k) => {
        const alone = model.scores(params, groups, t);
        expect(over.probabilityAlive).toEqual(alone.probabilityAlive);
        expect(over.expectedPurchases[k]).toEqual(alone.expectedPurchases);
      });
      const last = groups.size - 1;
      expect([0, 97, 500, last].flatMap((row) => [over.probabilityAlive[row], over.expectedPurchases[1]![row]])).toEqual(BEFORE[model.name]);
      for (let row = 0; row < groups.size; row += 97) {
        const [x, tx, T] = [groups.frequency[row]!, groups.recency[row]!, groups.age[row]!];
        expect(over.probabilityAlive[row]).toBeCloseTo(model.probabilityAlive(params, x, tx, T), 13);
        expect(over.expectedPurchases[0]![row]).toBe(0);
        expect(over.expectedPurchases[12]![row]).toBeCloseTo(model.conditionalExpectedPurchases(params, horizons[12]!, x, tx, T), 12);
      }
    });
  }
});
