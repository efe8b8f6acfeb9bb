// MBG/NBD model: Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
// for customer base analysis", IJRM 24(3), with Wagner & Hoppe's (2008) erratum — BG/NBD whose
// customers may also drop out right after their first purchase, so P(alive) < 1 for one-time buyers.

import {
  bgFamilyConditionalExpectedPurchases,
  bgFamilyIndividualLogLikelihood,
  bgFamilyInitialGuess,
  bgFamilyProbabilityAlive,
  bgFamilyScoresOver,
  prepareBgFamily,
  type BetaGeometricParams,
} from './beta-geometric-family.ts';
import type { HistoryGroups } from './purchase-history.ts';
import { fitOnLogParameters, oneHorizon, type HistoryScores, type HorizonScores, type RepeatPurchaseFit, type RepeatPurchaseModel } from './repeat-purchase-model.ts';
import type { StagedFitOptions } from './staged-fit.ts';

/** Purchase rate λ ~ Gamma(r, α); chance of dropping out at each purchase p ~ Beta(a, b). */
export type MbgnbdParams = BetaGeometricParams;
export type MbgnbdFit = RepeatPurchaseFit<MbgnbdParams>;

const NAMES = ['r', 'alpha', 'a', 'b'] as const;

/**
 * Maximum-likelihood MBG/NBD fit on grouped histories (analytic gradients, BFGS on log-parameters).
 * @example fitMbgnbd(cdnowWeeks) // r 0.525, α 6.183, a 0.891, b 1.614 (BTYDplus)
 */
export function fitMbgnbd(groups: HistoryGroups, options: StagedFitOptions & { initial?: MbgnbdParams } = {}): MbgnbdFit {
  return fitOnLogParameters<MbgnbdParams, ReturnType<typeof prepareBgFamily>>(
    groups,
    NAMES,
    {
      prepare: (g) => prepareBgFamily(g, 1),
      logLik: (m) => m.evaluate,
      identified: (m) => m.repeatRows > 0,
      notIdentified: 'fitMbgnbd: no repeat purchases, the model is not identified',
    },
    options.initial ?? bgFamilyInitialGuess(groups),
    options,
  );
}

/** Total MBG/NBD log-likelihood of grouped histories. */
export function mbgnbdLogLikelihood(params: MbgnbdParams, groups: HistoryGroups): number {
  return prepareBgFamily(groups, 1).evaluate(params);
}

/**
 * ln L for one customer: ln[Γ(r+x)α^r/Γ(r)] + ln[B(a, b+x+1)/B(a, b)] − (r+x) ln(α+T) + softplus(ln a − ln(b+x) + (r+x) ln((α+T)/(α+t_x))).
 * @example mbgnbdIndividualLogLikelihood(p, 0, 0, 39) // a one-time buyer also carries the dropout term
 */
export function mbgnbdIndividualLogLikelihood(params: MbgnbdParams, x: number, tx: number, T: number): number {
  return bgFamilyIndividualLogLikelihood(params, x, tx, T, 1);
}

/**
 * P(alive | x, t_x, T) = 1/(1 + a/(b+x)·((α+T)/(α+t_x))^{r+x}) (Batislam et al. 2007, eq. A5): below 1 also for x = 0.
 * @example mbgnbdProbabilityAlive(p, 0, 0, 39) // < 1
 */
export function mbgnbdProbabilityAlive(params: MbgnbdParams, x: number, tx: number, T: number): number {
  return bgFamilyProbabilityAlive(params, x, tx, T, 1);
}

/** E[X(t)] for a new customer: b/(a−1)·[1 − (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))]. */
export function mbgnbdExpectedPurchases(params: MbgnbdParams, t: number): number {
  return bgFamilyConditionalExpectedPurchases(params, t, 0, 0, 0, 1);
}

/** E[Y(t) | x, t_x, T] (Wagner & Hoppe 2008): (a+b+x)/(a−1)·[1 − ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x+1; a+b+x; z)]·P(alive). */
export function mbgnbdConditionalExpectedPurchases(params: MbgnbdParams, t: number, x: number, tx: number, T: number): number {
  return bgFamilyConditionalExpectedPurchases(params, t, x, tx, T, 1);
}

export function mbgnbdScores(params: MbgnbdParams, groups: HistoryGroups, horizon: number): HistoryScores {
  return oneHorizon(mbgnbdScoresOver)(params, groups, horizon);
}

/** mbgnbdScores for several horizons, P(alive) computed once. */
export function mbgnbdScoresOver(params: MbgnbdParams, groups: HistoryGroups, horizons: readonly number[]): HorizonScores {
  return bgFamilyScoresOver(params, groups, horizons, 1);
}

/** MBG/NBD behind the common model surface. */
export const MBGNBD: RepeatPurchaseModel<MbgnbdParams> = Object.freeze({
  name: 'mbgnbd',
  label: 'MBG/NBD',
  parameterNames: NAMES,
  oneTimeBuyersCanDropOut: true,
  meanDropout: (p: MbgnbdParams) => p.a / (p.a + p.b),
  fit: fitMbgnbd,
  logLikelihoodOf: (groups: HistoryGroups) => prepareBgFamily(groups, 1).evaluate,
  probabilityAlive: mbgnbdProbabilityAlive,
  expectedPurchases: mbgnbdExpectedPurchases,
  conditionalExpectedPurchases: mbgnbdConditionalExpectedPurchases,
  scores: mbgnbdScores,
  scoresOver: mbgnbdScoresOver,
});
