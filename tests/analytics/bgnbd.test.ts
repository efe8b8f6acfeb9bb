import { describe, expect, it } from 'vitest';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdIndividualLogLikelihood,
  bgnbdLogLikelihood,
  bgnbdProbabilityAlive,
  bgnbdScores,
  fitBgnbd,
  logLikelihoodInUnit,
  type BgnbdParams,
} from '../../src/analytics/bgnbd.ts';
import { groupHistories, summarizeCustomers, type HistoryGroups } from '../../src/analytics/purchase-history.ts';
import { CALIBRATION_END_DAY, CDNOW_SUMMARY, cdnowStatus, loadCdnowSummary, loadCdnowTransactions } from './helpers/cdnow.ts';
import { mulberry32 } from './helpers/random.ts';
import { simulateBgnbd } from './helpers/simulate.ts';
import { logParameterStandardErrors } from './helpers/standard-errors.ts';

/** Fader, Hardie & Lee (2005), Table/§5: CDNOW sample, 39-week calibration, α per week. */
const PUBLISHED = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, logLik: -9582.4 };
const CDNOW_WEEKS: BgnbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

function expectPublished(fit: BgnbdParams & { logLik: number }, logLik: number): void {
  expect(Math.abs(fit.r / PUBLISHED.r - 1)).toBeLessThan(0.01);
  expect(Math.abs(fit.alpha / PUBLISHED.alpha - 1)).toBeLessThan(0.01);
  expect(Math.abs(fit.a / PUBLISHED.a - 1)).toBeLessThan(0.01);
  expect(Math.abs(fit.b / PUBLISHED.b - 1)).toBeLessThan(0.01);
  expect(Math.abs(logLik - PUBLISHED.logLik)).toBeLessThan(0.5);
}

const cdnow = cdnowStatus();

describe.skipIf(cdnow.skip)('GIVEN the CDNOW sample, 39-week calibration', () => {
  const calibration = () => {
    const tx = loadCdnowTransactions();
    return summarizeCustomers({ offsets: tx.offsets, days: tx.days, amounts: tx.dollars }, CALIBRATION_END_DAY);
  };

  it('WHEN fitted in weeks THEN r, α, a, b are within 1% of FHL 2005 and LL within 0.5 of −9582.4', () => {
    const s = calibration();
    const fit = fitBgnbd(groupHistories(s.frequency, s.recency.map((d) => d / 7), s.age.map((d) => d / 7)));
    expect(fit.converged).toBe(true);
    expectPublished(fit, fit.logLik);
  });

  it('WHEN fitted in days THEN α/7 and the LL re-expressed in weeks match the same figures', () => {
    const s = calibration();
    const fit = fitBgnbd(groupHistories(s.frequency, s.recency, s.age));
    const repeatPurchases = s.frequency.reduce((sum, x) => sum + x, 0);
    expect(repeatPurchases).toBe(2457);
    expect(fit.converged).toBe(true);
    expectPublished({ ...fit, alpha: fit.alpha / 7 }, logLikelihoodInUnit(fit.logLik, repeatPurchases, 7));
  });

  it('WHEN fitted on cdnow_customers_summary.csv (weeks rounded to 2 dp) THEN the same figures', () => {
    const rows = loadCdnowSummary(CDNOW_SUMMARY);
    const fit = fitBgnbd(groupHistories(rows.map((r) => r.x), rows.map((r) => r.tx), rows.map((r) => r.T)));
    expectPublished(fit, fit.logLik);
  });

  it('THEN the LL at the published parameters is −9582.4', () => {
    const rows = loadCdnowSummary(CDNOW_SUMMARY);
    const groups = groupHistories(rows.map((r) => r.x), rows.map((r) => r.tx), rows.map((r) => r.T));
    expect(bgnbdLogLikelihood(CDNOW_WEEKS, groups)).toBeCloseTo(-9582.43, 1);
  });
});

// Reference values: the closed forms of FHL 2005 evaluated with mpmath at 40 digits (hyp2f1, gamma).
describe('BG/NBD formulas', () => {
  it.each([
    [0, 0, 38.86, -0.55471327643815845],
    [2, 30.43, 38.86, -9.4586063070662712],
    [200, 300, 310, -295.55027572578402],
    [200, 5, 10000, 400.20138131619318],
    [1, 0.01, 1e4, -4.3030837544102316],
  ])('GIVEN x=%s, t_x=%s, T=%s THEN the log-likelihood matches mpmath (stable at x = 200, T = 10⁴)', (x, tx, T, expected) => {
    expect(bgnbdIndividualLogLikelihood(CDNOW_WEEKS, x, tx, T)).toBeCloseTo(expected, 10);
  });

  it.each([
    [CDNOW_WEEKS, 2, 30.43, 38.86, 39, 1.2260281747671445, 0.72657857008067291],
    [CDNOW_WEEKS, 0, 0, 38.86, 39, 0.19509805201126264, 1],
    [CDNOW_WEEKS, 26, 30.86, 31.0, 39, 20.749726140857289, 0.96891564971752507],
    [CDNOW_WEEKS, 200, 300, 310, 52, 8.7839224444070617, 0.28193278861488865],
    [{ r: 1.2, alpha: 35, a: 1.7, b: 8 }, 5, 200, 400, 365, 0.52243718266210611, 0.13430296688205863],
  ])('GIVEN %o and x=%s, t_x=%s, T=%s THEN E[Y(%s) | history] and P(alive) match mpmath', (p, x, tx, T, t, expected, alive) => {
    expect(bgnbdConditionalExpectedPurchases(p, t, x, tx, T)).toBeCloseTo(expected, 11);
    expect(bgnbdProbabilityAlive(p, x, tx, T)).toBeCloseTo(alive, 13);
  });

  it('GIVEN the FHL 2005 example customer (x=2, t_x=30.43, T=38.86) THEN 1.226 purchases are expected in the next 39 weeks', () => {
    expect(bgnbdConditionalExpectedPurchases(CDNOW_WEEKS, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it('GIVEN x = 0 THEN BG/NBD says alive with probability 1 (why churn uses the Pareto/NBD)', () => {
    expect(bgnbdProbabilityAlive(CDNOW_WEEKS, 0, 0, 1000)).toBe(1);
  });

  it('GIVEN a new customer THEN E[X(t)] matches mpmath, also for a within 1e-7 of 1', () => {
    expect(bgnbdExpectedPurchases(CDNOW_WEEKS, 39)).toBeCloseTo(1.1967231933208169, 12);
    expect(bgnbdExpectedPurchases(CDNOW_WEEKS, 78)).toBeCloseTo(1.8605190579427686, 12);
    expect(bgnbdExpectedPurchases({ r: 1.2, alpha: 35, a: 1.7, b: 8 }, 365)).toBeCloseTo(4.9437909537046051, 12);
    expect(bgnbdExpectedPurchases({ r: 0.5, alpha: 10, a: 1.0000001, b: 3 }, 52)).toBeCloseTo(1.5416346010567252, 10);
    expect(bgnbdExpectedPurchases({ r: 0.5, alpha: 10, a: 1, b: 3 }, 52)).toBeCloseTo(1.5416346010567252, 6);
    expect(bgnbdExpectedPurchases({ r: 1.2, alpha: 35, a: 0.8, b: 8 }, 365)).toBeCloseTo(7.4147164027518388, 12);
    expect(bgnbdExpectedPurchases(CDNOW_WEEKS, 0)).toBe(0);
  });

  it('GIVEN grouped rows with x = 200 and T = 10⁴ THEN the fast grouped LL equals the sum of individual LLs', () => {
    const x = [0, 0, 1, 3, 200, 200, 57, 2];
    const tx = [0, 0, 0.5, 20, 300, 5, 9000, 38];
    const T = [40, 10000, 40, 39, 310, 10000, 10000, 38];
    const groups = groupHistories(x, tx, T);
    const sum = x.reduce((acc, xi, i) => acc + bgnbdIndividualLogLikelihood(CDNOW_WEEKS, xi, tx[i]!, T[i]!), 0);
    expect(Number.isFinite(sum)).toBe(true);
    expect(bgnbdLogLikelihood(CDNOW_WEEKS, groups)).toBeCloseTo(sum, 9);
  });

  it('GIVEN grouped rows THEN bgnbdScores equals the per-customer functions', () => {
    const groups = groupHistories([0, 1, 5, 200], [0, 3, 30, 35], [39, 39, 38, 39]);
    const scores = bgnbdScores(CDNOW_WEEKS, groups, 52);
    for (let row = 0; row < groups.size; row++) {
      const [x, tx, T] = [groups.frequency[row]!, groups.recency[row]!, groups.age[row]!];
      expect(scores.probabilityAlive[row]).toBe(bgnbdProbabilityAlive(CDNOW_WEEKS, x, tx, T));
      expect(scores.expectedPurchases[row]).toBeCloseTo(bgnbdConditionalExpectedPurchases(CDNOW_WEEKS, 52, x, tx, T), 13);
    }
  });

  it('GIVEN no repeat purchase at all THEN the fit refuses (the model is not identified)', () => {
    expect(() => fitBgnbd(groupHistories([0, 0], [0, 0], [5, 9]))).toThrow(/fitBgnbd/);
  });
});

describe('GIVEN a simulated BG/NBD population (10 000 customers, seeded)', () => {
  const truth: BgnbdParams = { r: 0.5, alpha: 8, a: 0.8, b: 2.5 };
  const simulated = simulateBgnbd(mulberry32(20240501), truth, { customers: 10_000, minAge: 26, maxAge: 78 });
  const groups = groupHistories(simulated.frequency, simulated.recency, simulated.age);
  const logLikAt = (g: HistoryGroups) => (logParams: number[]) =>
    bgnbdLogLikelihood({ r: Math.exp(logParams[0]!), alpha: Math.exp(logParams[1]!), a: Math.exp(logParams[2]!), b: Math.exp(logParams[3]!) }, g);

  it('THEN the fit recovers every parameter within 4 standard errors', () => {
    const fit = fitBgnbd(groups);
    expect(fit.converged).toBe(true);
    const estimate = [fit.r, fit.alpha, fit.a, fit.b].map(Math.log);
    const se = logParameterStandardErrors(logLikAt(groups), estimate);
    const truthLog = [truth.r, truth.alpha, truth.a, truth.b].map(Math.log);
    estimate.forEach((value, i) => {
      expect(se[i]).toBeGreaterThan(0);
      expect(se[i]).toBeLessThan(0.3);
      expect(Math.abs(value - truthLog[i]!)).toBeLessThan(4 * se[i]!);
    });
  });

  it('WHEN the times are expressed in days instead of weeks THEN α scales by 7 and r, a, b do not move', () => {
    const weeks = fitBgnbd(groups);
    const days = fitBgnbd(groupHistories(simulated.frequency, simulated.recency.map((t) => t * 7), simulated.age.map((t) => t * 7)));
    expect(days.alpha / 7 / weeks.alpha).toBeCloseTo(1, 6);
    expect(days.r / weeks.r).toBeCloseTo(1, 6);
    expect(days.a / weeks.a).toBeCloseTo(1, 6);
    expect(days.b / weeks.b).toBeCloseTo(1, 6);
  });

  it('WHEN the fit warms up on a sample first THEN it lands on the same estimate as a direct fit', () => {
    const direct = fitBgnbd(groups, { warmUpSample: 0 });
    const warm = fitBgnbd(groups, { warmUpSample: 1000 });
    expect(warm.logLik).toBeCloseTo(direct.logLik, 6);
    expect(warm.r / direct.r).toBeCloseTo(1, 5);
    expect(warm.b / direct.b).toBeCloseTo(1, 5);
  });

  it('WHEN customers with x = 200 and very long ages are added THEN the fit still converges to finite values', () => {
    const x = Array.from(simulated.frequency).concat([200, 200, 150]);
    const tx = Array.from(simulated.recency).concat([70, 3, 9000]);
    const T = Array.from(simulated.age).concat([71, 10_000, 10_000]);
    const fit = fitBgnbd(groupHistories(x, tx, T));
    expect(fit.converged).toBe(true);
    expect([fit.r, fit.alpha, fit.a, fit.b, fit.logLik].every(Number.isFinite)).toBe(true);
  });
});
