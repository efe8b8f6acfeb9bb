// BG/NBD model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science
// 24(2) — likelihood eq. (6), E[X(t)] eq. (7), P(alive) eq. (11), conditional expectation eq. (10).

import type { HistoryGroups } from './purchase-history.ts';
import {
  bgFamilyConditionalExpectedPurchases,
  bgFamilyIndividualLogLikelihood,
  bgFamilyProbabilityAlive,
  bgFamilyScoresOver,
  bgFamilyInitialGuess,
  futureFactor,
  prepareBgFamily,
  type BetaGeometricParams,
} from './beta-geometric-family.ts';
import { fitOnLogParameters, oneHorizon, type HistoryScores, type HorizonScores, type RepeatPurchaseFit, type RepeatPurchaseModel } from './repeat-purchase-model.ts';
import type { StagedFitOptions } from './staged-fit.ts';

/** Purchase rate λ ~ Gamma(r, α) (α in the time unit of the data); dropout p ~ Beta(a, b). */
export type BgnbdParams = BetaGeometricParams;

/** The estimate, its total log-likelihood (in the time unit of the data; see `logLikelihoodInUnit`) and how the fit ended. */
export type BgnbdFit = RepeatPurchaseFit<BgnbdParams>;

/** Staged-fit options (warm-up sample, tolerance, iterations) plus starting values. */
export interface BgnbdFitOptions extends StagedFitOptions {
  /** Starting values (default derived from the data's purchase rate). */
  initial?: BgnbdParams;
}

const NAMES = ['r', 'alpha', 'a', 'b'] as const;

/**
 * Maximum-likelihood BG/NBD fit on grouped histories: one pass over the distinct (x, t_x, T)
 * rows per evaluation, with terms that depend only on x or only on T summed once per distinct
 * value, and analytic gradients for BFGS on log-parameters.
 * @example fitBgnbd(groupHistories(x, tx, T)) // { r, alpha, a, b, logLik, iterations, converged, reason }
 */
export function fitBgnbd(groups: HistoryGroups, options: BgnbdFitOptions = {}): BgnbdFit {
  return fitOnLogParameters<BgnbdParams, ReturnType<typeof prepareBgFamily>>(
    groups,
    NAMES,
    {
      prepare: (g) => prepareBgFamily(g, 0),
      logLik: (m) => m.evaluate,
      identified: (m) => m.repeatRows > 0,
      notIdentified: 'fitBgnbd: no repeat purchases, the model is not identified',
    },
    options.initial ?? bgFamilyInitialGuess(groups),
    options,
  );
}

/**
 * Total BG/NBD log-likelihood of grouped histories.
 * @example bgnbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, cdnowWeeks) // ≈ −9582.4
 */
export function bgnbdLogLikelihood(params: BgnbdParams, groups: HistoryGroups): number {
  return prepareBgFamily(groups, 0).evaluate(params);
}

/**
 * ln L(r, α, a, b | x, t_x, T) for one customer (FHL eq. 6), in log space: finite for large x and T.
 * @example bgnbdIndividualLogLikelihood(p, 200, 300, 310) // finite, no overflow
 */
export function bgnbdIndividualLogLikelihood(params: BgnbdParams, x: number, tx: number, T: number): number {
  return bgFamilyIndividualLogLikelihood(params, x, tx, T, 0);
}

/**
 * P(alive | x, t_x, T) (FHL eq. 11). Exactly 1 when x = 0: the model lets customers drop out only
 * after a repeat purchase; use the Pareto/NBD or MBG/NBD for a churn score of one-time buyers.
 * @example bgnbdProbabilityAlive(p, 0, 0, 39) // 1
 */
export function bgnbdProbabilityAlive(params: BgnbdParams, x: number, tx: number, T: number): number {
  return bgFamilyProbabilityAlive(params, x, tx, T, 0);
}

/**
 * E[X(t)]: expected repeat purchases of a new customer in (0, t] (FHL eq. 7).
 * @example bgnbdExpectedPurchases(cdnowWeekParams, 39) // ≈ 1.05
 */
export function bgnbdExpectedPurchases(params: BgnbdParams, t: number): number {
  return (params.a + params.b - 1) * futureFactor(params, 0, 0, t);
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] for a customer with that history (FHL eq. 10).
 * @example bgnbdConditionalExpectedPurchases(cdnowWeekParams, 39, 2, 30.43, 38.86)
 */
export function bgnbdConditionalExpectedPurchases(params: BgnbdParams, t: number, x: number, tx: number, T: number): number {
  return bgFamilyConditionalExpectedPurchases(params, t, x, tx, T, 0);
}

export type BgnbdScores = HistoryScores;

/**
 * P(alive) and E[Y(horizon) | history] for every row of grouped histories (spread them to customers
 * with `expandToCustomers`). The hypergeometric part depends on (x, T) only and is computed once per pair.
 * @example bgnbdScores(fit, groupHistories(x, tx, T, { keepCustomerRows: true }), 365)
 */
export function bgnbdScores(params: BgnbdParams, groups: HistoryGroups, horizon: number): BgnbdScores {
  return oneHorizon(bgnbdScoresOver)(params, groups, horizon);
}

/** bgnbdScores for several horizons, P(alive) computed once. */
export function bgnbdScoresOver(params: BgnbdParams, groups: HistoryGroups, horizons: readonly number[]): HorizonScores {
  return bgFamilyScoresOver(params, groups, horizons, 0);
}

/**
 * A log-likelihood fitted in one time unit, expressed in another: with times divided by `factor`
 * (days → weeks: 7) each of the Σx purchase-time densities is multiplied by `factor`.
 * @example logLikelihoodInUnit(fitInDays.logLik, 2457, 7) // the weekly figure, −9582.4 on CDNOW
 */
export function logLikelihoodInUnit(logLik: number, totalRepeatPurchases: number, factor: number): number {
  return logLik + totalRepeatPurchases * Math.log(factor);
}


/** BG/NBD behind the common model surface. */
export const BGNBD: RepeatPurchaseModel<BgnbdParams> = Object.freeze({
  name: 'bgnbd',
  label: 'BG/NBD',
  parameterNames: NAMES,
  oneTimeBuyersCanDropOut: false,
  meanDropout: (p: BgnbdParams) => p.a / (p.a + p.b),
  fit: fitBgnbd,
  logLikelihoodOf: (groups: HistoryGroups) => prepareBgFamily(groups, 0).evaluate,
  probabilityAlive: bgnbdProbabilityAlive,
  expectedPurchases: bgnbdExpectedPurchases,
  conditionalExpectedPurchases: bgnbdConditionalExpectedPurchases,
  scores: bgnbdScores,
  scoresOver: bgnbdScoresOver,
});
