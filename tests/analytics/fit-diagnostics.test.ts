import { describe, expect, it } from 'vitest';
import { PARETO_NBD } from '../../src/analytics/pareto-nbd.ts';
import { fitEveryModel } from '../../src/analytics/model-fits.ts';
import { fitNbd } from '../../src/analytics/nbd.ts';
import { groupHistories } from '../../src/analytics/purchase-history.ts';
import { standardErrors } from '../../src/analytics/standard-errors.ts';
import { CDNOW_SUMMARY, cdnowStatus, loadCdnowSummary } from './helpers/cdnow.ts';
import { mulberry32 } from './helpers/random.ts';
import { simulateParetoNbd } from './helpers/simulate.ts';

const cdnow = cdnowStatus();
const cdnowGroups = () => {
  const rows = loadCdnowSummary(CDNOW_SUMMARY);
  return groupHistories(rows.map((r) => r.x), rows.map((r) => r.tx), rows.map((r) => r.T));
};

describe.skipIf(cdnow.skip)('GIVEN the CDNOW summary (weeks)', () => {
  it('WHEN the NBD is fitted THEN its log-likelihood is the −9763.7 of Fader, Hardie & Lee (2005)', () => {
    expect(fitNbd(cdnowGroups()).logLik).toBeCloseTo(-9763.7, 0);
  });

  it('WHEN Pareto/NBD is fitted THEN the Hessian standard errors match CLVTools to 0.5%', () => {
    const groups = cdnowGroups();
    const fit = PARETO_NBD.fit(groups);
    const se = standardErrors(PARETO_NBD.logLikelihoodOf(groups), PARETO_NBD.parameterNames, fit);
    const clvTools = [0.0476264, 0.8427222, 0.1872594, 6.2105448]; // r, α, s, β
    expect(se.positiveDefinite).toBe(true);
    se.standardErrors.forEach((value, i) => expect(Math.abs(value! / clvTools[i]! - 1)).toBeLessThan(0.005));
  });

  it('WHEN every model is fitted THEN all three are trusted, dropout is clearly identified and nothing is flagged', () => {
    const fits = fitEveryModel(cdnowGroups());
    expect(fits.warnings).toEqual([]);
    for (const name of ['bgnbd', 'paretoNbd', 'mbgnbd'] as const) {
      const d = fits.fitted[name]!.diagnosis;
      expect(d.trusted).toBe(true);
      expect(d.dropoutLikelihoodRatio!).toBeGreaterThan(300); // −9582 vs −9764
      expect(Object.values(d.standardErrors).every((v) => v !== null && v > 0)).toBe(true);
    }
  });
});

describe('GIVEN a simulated store where nobody ever drops out (NBD, 5,000 customers)', () => {
  const sim = simulateParetoNbd(mulberry32(11), { r: 0.8, alpha: 20, s: 1, beta: 1e12 }, { customers: 5000, minAge: 100, maxAge: 400 });
  const fits = fitEveryModel(groupHistories(sim.frequency, sim.recency, sim.age));

  it('THEN no model is trusted for P(alive), and each says in words that the data cannot tell dropout', () => {
    for (const name of ['bgnbd', 'paretoNbd', 'mbgnbd'] as const) {
      const result = fits.fitted[name]!;
      expect(result.diagnosis.trusted).toBe(false);
      expect(result.diagnosis.dropoutIdentified).toBe(false);
      expect(result.diagnosis.dropoutLikelihoodRatio!).toBeLessThan(3.84);
    }
    expect(fits.warnings.filter((w) => w.includes('the data cannot tell how fast customers drop out'))).toHaveLength(3);
    expect(fits.warnings.every((w) => !/\b(theta|logLik|NaN|undefined)\b/.test(w))).toBe(true);
  });

  it('THEN Pareto/NBD has no curvature to give standard errors from: they are flat, not finite', () => {
    // Forward differences of the gradient found a positive-definite information matrix here (log-SEs
    // of 26.6); central ones see the flat direction.
    const d = fits.fitted.paretoNbd!.diagnosis;
    expect(Object.values(d.standardErrors).every((v) => v === null)).toBe(true);
  });
});

describe('GIVEN a simulated store with real dropout (Pareto/NBD, 5,000 customers)', () => {
  const sim = simulateParetoNbd(mulberry32(5), { r: 0.7, alpha: 15, s: 0.8, beta: 60 }, { customers: 5000, minAge: 100, maxAge: 400 });
  const groups = groupHistories(sim.frequency, sim.recency, sim.age);

  it('THEN Pareto/NBD is trusted, with finite standard errors', () => {
    const d = fitEveryModel(groups).fitted.paretoNbd!.diagnosis;
    expect(d.trusted).toBe(true);
    expect(d.warnings).toEqual([]);
  });

  it('WHEN the optimiser is cut off after two steps THEN the fit is flagged as not settled and not trusted', () => {
    const fits = fitEveryModel(groups, { maxIterations: 2, warmUpSample: 0 });
    const result = fits.fitted.paretoNbd!;
    expect(result.fit.converged).toBe(false);
    expect(result.diagnosis.trusted).toBe(false);
    expect(fits.warnings.some((w) => w.startsWith('Pareto/NBD did not settle on an answer'))).toBe(true);
  });
});

describe('GIVEN a store where few customers came back', () => {
  it('THEN a store-level sentence says so and no fit is trusted', () => {
    const x = [1, 2, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0];
    const tx = [10, 30, 0, 0, 0, 0, 5, 0, 0, 0, 40, 0];
    const T = [60, 60, 50, 40, 30, 60, 20, 10, 60, 60, 60, 45];
    const fits = fitEveryModel(groupHistories(x, tx, T));
    expect(fits.warnings[0]).toBe(
      'Only 4 of 12 buyers have bought more than once: too few for the repeat-purchase models (they need at least 50), ' +
        'so their figures are rough and no P(alive) is shown as a model fact.',
    );
    expect(Object.values(fits.fitted).every((f) => !f.diagnosis.trusted)).toBe(true);
  });

  it('WHEN nobody came back THEN no model is fitted and the reason is kept', () => {
    const fits = fitEveryModel(groupHistories([0, 0], [0, 0], [5, 9]));
    expect(fits.fitted).toEqual({});
    expect(fits.failed.bgnbd).toMatch(/no repeat purchases/);
  });
});
