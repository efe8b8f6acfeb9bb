// A model's scores for several horizons at once (what a CLV asks for: thirteen monthly horizons)
// must be the figures each horizon gives alone, bit for bit, and the per-customer formulas'.
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
      for (let row = 0; row < groups.size; row += 97) {
        const [x, tx, T] = [groups.frequency[row]!, groups.recency[row]!, groups.age[row]!];
        expect(over.probabilityAlive[row]).toBeCloseTo(model.probabilityAlive(params, x, tx, T), 13);
        expect(over.expectedPurchases[0]![row]).toBe(0);
        expect(over.expectedPurchases[12]![row]).toBeCloseTo(model.conditionalExpectedPurchases(params, horizons[12]!, x, tx, T), 12);
      }
    });
  }
});
