import { describe, expect, it } from 'vitest';
import {
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaExpectedSpends,
  gammaGammaLogLikelihood,
  type GammaGammaParams,
} from '../../src/analytics/gamma-gamma.ts';
import { numericalGradient } from '../../src/analytics/optimize.ts';
import { summarizeCustomers } from '../../src/analytics/purchase-history.ts';
import { lnGamma } from '../../src/analytics/special-functions.ts';
import { CALIBRATION_END_DAY, CDNOW_SUMMARY_WITH_SPEND, cdnowStatus, loadCdnowSummary, loadCdnowTransactions } from './helpers/cdnow.ts';
import { mulberry32 } from './helpers/random.ts';
import { simulateBgnbd, simulateMeanSpend } from './helpers/simulate.ts';
import { logParameterStandardErrors } from './helpers/standard-errors.ts';

/** Fader, Hardie & Lee (2005), "RFM and CLV": the 946 CDNOW repeat customers. */
const PUBLISHED = { p: 6.25, q: 3.74, v: 15.44 };

function expectPublished(fit: GammaGammaParams): void {
  expect(Math.abs(fit.p / PUBLISHED.p - 1)).toBeLessThan(0.01);
  expect(Math.abs(fit.q / PUBLISHED.q - 1)).toBeLessThan(0.01);
  expect(Math.abs(fit.v / PUBLISHED.v - 1)).toBeLessThan(0.01);
}

const cdnow = cdnowStatus();

describe.skipIf(cdnow.skip)('GIVEN the CDNOW repeat customers (calibration period)', () => {
  it('WHEN fitted on the zbar column of cdnow_customers_summary_with_transactions.csv THEN p, q, γ are within 1% of 6.25, 3.74, 15.44', () => {
    const rows = loadCdnowSummary(CDNOW_SUMMARY_WITH_SPEND);
    const fit = fitGammaGamma(rows.map((r) => r.x), rows.map((r) => r.zbar));
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
    expectPublished(fit);
  });

  it('WHEN fitted on our own summary of the raw transactions THEN the same figures', () => {
    const tx = loadCdnowTransactions();
    const s = summarizeCustomers({ offsets: tx.offsets, days: tx.days, amounts: tx.dollars }, CALIBRATION_END_DAY);
    const fit = fitGammaGamma(s.frequency, s.meanRepeatSpend);
    expect(fit.customers).toBe(946);
    expectPublished(fit);
  });
});

describe('Gamma-Gamma formulas', () => {
  const params = { p: 6.25, q: 3.74, v: 15.44 };

  it('GIVEN one customer THEN the log-likelihood is the z̄ density of FHL 2005 (eq. 5)', () => {
    const [x, m] = [3, 25.5];
    const { p, q, v } = params;
    const density =
      lnGamma(p * x + q) - lnGamma(p * x) - lnGamma(q) + q * Math.log(v) + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * Math.log(x * m + v);
    expect(gammaGammaLogLikelihood(params, [x], [m])).toBeCloseTo(density, 12);
    // Customers without spend information are left out.
    expect(gammaGammaLogLikelihood(params, [x, 0, 2], [m, 0, 0])).toBeCloseTo(density, 12);
  });

  it('GIVEN a customer THEN the expected spend mixes the population mean and the own mean', () => {
    const population = (6.25 * 15.44) / 2.74;
    expect(gammaGammaExpectedSpend(params, 0, 0)).toBeCloseTo(population, 12);
    const weight = (6.25 * 4) / (6.25 * 4 + 3.74 - 1);
    expect(gammaGammaExpectedSpend(params, 4, 50)).toBeCloseTo((1 - weight) * population + weight * 50, 12);
    expect(Array.from(gammaGammaExpectedSpends(params, [0, 4], [0, 50]))).toEqual([
      gammaGammaExpectedSpend(params, 0, 0),
      gammaGammaExpectedSpend(params, 4, 50),
    ]);
    expect(() => gammaGammaExpectedSpend({ p: 1, q: 0.9, v: 1 }, 1, 1)).toThrow(/q > 1/);
  });

  it('GIVEN every customer spending the same THEN the likelihood has no maximum: the fit stops early and says it did not converge', () => {
    const x = Array.from({ length: 1000 }, (_, i) => 1 + (i % 5));
    const fit = fitGammaGamma(x, x.map(() => 20));
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBeLessThan(60);
  });

  it('GIVEN two repeat customers THEN q and v run off together and the fit says it did not converge', () => {
    const fit = fitGammaGamma([1, 2], [5, 7]);
    expect(fit.converged).toBe(false);
  });

  it('GIVEN no usable customer THEN the fit refuses', () => {
    expect(() => fitGammaGamma([0, 1], [0, 0])).toThrow(/fitGammaGamma/);
  });
});

describe('GIVEN a simulated Gamma-Gamma population (repeat customers of 10 000, seeded)', () => {
  const truth = { p: 6, q: 4, v: 15 };
  const random = mulberry32(99);
  const histories = simulateBgnbd(random, { r: 0.5, alpha: 8, a: 0.8, b: 2.5 }, { customers: 10_000, minAge: 26, maxAge: 78 });
  const spend = simulateMeanSpend(random, truth, histories.frequency);

  it('THEN the fit recovers p, q, v within 4 standard errors', () => {
    const fit = fitGammaGamma(histories.frequency, spend);
    expect(fit.converged).toBe(true);
    const ll = (t: number[]) => gammaGammaLogLikelihood({ p: Math.exp(t[0]!), q: Math.exp(t[1]!), v: Math.exp(t[2]!) }, histories.frequency, spend);
    const estimate = [fit.p, fit.q, fit.v].map(Math.log);
    const se = logParameterStandardErrors(ll, estimate);
    const truthLog = [truth.p, truth.q, truth.v].map(Math.log);
    estimate.forEach((value, i) => {
      expect(se[i]).toBeLessThan(0.3);
      expect(Math.abs(value - truthLog[i]!)).toBeLessThan(4 * se[i]!);
    });
  });

  it('THEN the fitted estimate is a stationary point of the likelihood, reached in a few Newton steps', () => {
    const fit = fitGammaGamma(histories.frequency, spend);
    // An exact Hessian doubles the correct digits per step; a wrong one would crawl.
    expect(fit.iterations).toBeLessThanOrEqual(10);
    const ll = (t: Float64Array) => gammaGammaLogLikelihood({ p: t[0]!, q: t[1]!, v: t[2]! }, histories.frequency, spend);
    const gradient = numericalGradient(ll, [fit.p, fit.q, fit.v], 1e-6);
    gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-3));
  });

  it('WHEN spends are in cents instead of dollars THEN v scales by 100 and p, q do not move', () => {
    const dollars = fitGammaGamma(histories.frequency, spend);
    const cents = fitGammaGamma(histories.frequency, spend.map((m) => m * 100));
    expect(cents.v / 100 / dollars.v).toBeCloseTo(1, 6);
    expect(cents.p / dollars.p).toBeCloseTo(1, 6);
    expect(cents.q / dollars.q).toBeCloseTo(1, 6);
  });
});
