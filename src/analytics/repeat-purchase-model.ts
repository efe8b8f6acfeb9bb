// One surface for every repeat-purchase model (the shape of lifetimes' fitters and PyMC-Marketing's
// CLVModel: fit, log-likelihood, P(alive), expected purchases) and the parts they all share.
import type { MinimizeResult, ObjectiveWithGradient } from './optimize.ts';
import type { HistoryGroups } from './purchase-history.ts';
import { fitInStages, type StagedFitOptions } from './staged-fit.ts';

export type RepeatPurchaseModelName = 'bgnbd' | 'paretoNbd' | 'mbgnbd';

/** Positive model parameters by name (r, α, …), in the time unit of the data. */
export type ModelParams = object;

const get = (params: object, name: string): number => (params as Record<string, number>)[name]!;

/** A maximum-likelihood estimate: the parameters, spread flat, and how the optimiser ended. */
export type RepeatPurchaseFit<P extends ModelParams> = P & {
  /** Total log-likelihood at the estimate, in the time unit of the data. */
  logLik: number;
  iterations: number;
  converged: boolean;
  /** Why the optimiser stopped: a small gradient, no further progress (often a bound), or the iteration cap. */
  reason: MinimizeResult['reason'];
};

/** Per history row of grouped histories: P(alive) and E[purchases in the horizon | history]. */
export interface HistoryScores {
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array;
}

/** HistoryScores for several horizons: `expectedPurchases[k]` is for `horizons[k]`. */
export interface HorizonScores {
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array[];
}

/** One horizon of a model's `scoresOver` (the figures are the same as asking for it alone). */
export function oneHorizon<P>(
  scoresOver: (params: P, groups: HistoryGroups, horizons: readonly number[]) => HorizonScores,
): (params: P, groups: HistoryGroups, horizon: number) => HistoryScores {
  return (params, groups, horizon) => {
    const s = scoresOver(params, groups, [horizon]);
    return { probabilityAlive: s.probabilityAlive, expectedPurchases: s.expectedPurchases[0]! };
  };
}

/** A log-likelihood over prepared histories; with `gradient`, ∂LL/∂(each parameter) goes into it. */
export type PreparedLogLikelihood<P extends ModelParams> = (params: P, gradient?: Float64Array) => number;

export interface RepeatPurchaseModel<P extends ModelParams = ModelParams> {
  readonly name: RepeatPurchaseModelName;
  /** How people write it: "BG/NBD". */
  readonly label: string;
  readonly parameterNames: readonly string[];
  /** Whether a one-time buyer can have dropped out (BG/NBD: no, P(alive) is 1 until a repeat purchase). */
  readonly oneTimeBuyersCanDropOut: boolean;
  /**
   * The model's mean dropout, for telling whether the data identify it: for Pareto/NBD the mean
   * dropout rate per time unit E[μ] = s/β, for the BG family the mean chance of dropping out at a
   * purchase E[p] = a/(a+b). Near 0 the model has become the NBD (nobody ever leaves).
   */
  meanDropout(params: P): number;
  fit(groups: HistoryGroups, options?: StagedFitOptions & { initial?: P }): RepeatPurchaseFit<P>;
  /** Prepares histories once for repeated evaluation (fitting, standard errors). */
  logLikelihoodOf(groups: HistoryGroups): PreparedLogLikelihood<P>;
  probabilityAlive(params: P, x: number, tx: number, T: number): number;
  /** E[X(t)] for a customer just acquired. */
  expectedPurchases(params: P, t: number): number;
  /** E[Y(t) | x, t_x, T]: purchases expected in the next t time units. */
  conditionalExpectedPurchases(params: P, t: number, x: number, tx: number, T: number): number;
  scores(params: P, groups: HistoryGroups, horizon: number): HistoryScores;
  /**
   * `scores` for several horizons at once: P(alive), the costly part, is computed once (a CLV asks
   * for thirteen horizons).
   */
  scoresOver(params: P, groups: HistoryGroups, horizons: readonly number[]): HorizonScores;
}

/**
 * ln(1 + eᵈ) without overflow or lost digits; 0 at d = −∞.
 * @example softplus(0) // ln 2
 */
export function softplus(d: number): number {
  if (d === -Infinity) return 0;
  return d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d));
}

/** The parameters named `names` from log-parameters θ: pᵢ = exp θᵢ. */
export function fromLogParameters<P extends ModelParams>(names: readonly string[], theta: ArrayLike<number>): P {
  const p: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) p[names[i]!] = Math.exp(theta[i]!);
  return p as P;
}

/**
 * Mean negative log-likelihood over log-parameters, as the optimiser wants it: the chain rule
 * ∂/∂ln p = p·∂/∂p written once for every model. A trial point where the likelihood's series do
 * not converge (a RangeError, only at absurd parameter values) tells the line search to back off.
 */
export function logParameterObjective<P extends ModelParams>(
  names: readonly string[],
  logLik: PreparedLogLikelihood<P>,
  customers: number,
): ObjectiveWithGradient {
  const grad = new Float64Array(names.length);
  return (theta, gradient) => {
    const p = fromLogParameters<P>(names, theta);
    let ll: number;
    try {
      ll = logLik(p, grad);
    } catch (error) {
      if (error instanceof RangeError) return NaN;
      throw error;
    }
    for (let i = 0; i < names.length; i++) gradient[i] = (-grad[i]! * get(p, names[i]!)) / customers;
    return -ll / customers;
  };
}

/**
 * Maximum likelihood over log-parameters with the staged fit (sample first, then everyone).
 * `identified` says whether the prepared histories can identify the model at all.
 */
export function fitOnLogParameters<P extends ModelParams, M>(
  groups: HistoryGroups,
  names: readonly string[],
  model: { prepare(g: HistoryGroups): M; logLik(m: M): PreparedLogLikelihood<P>; identified(m: M): boolean; notIdentified: string },
  start: P,
  options: StagedFitOptions = {},
): RepeatPurchaseFit<P> {
  const result = fitInStages(
    groups,
    {
      prepare: model.prepare,
      identified: model.identified,
      objective: (m, customers) => logParameterObjective(names, model.logLik(m), customers),
      notIdentified: model.notIdentified,
    },
    names.map((name) => Math.log(get(start, name))),
    options,
  );
  const params = fromLogParameters<P>(names, result.theta);
  return { ...params, logLik: -result.value * groups.customers, iterations: result.iterations, converged: result.converged, reason: result.reason };
}

/** Σ repeat purchases and Σ exposure (T) over grouped histories: the scale of a first guess. */
export function purchasesAndExposure(groups: HistoryGroups): { purchases: number; exposure: number } {
  let purchases = 0;
  let exposure = 0;
  for (let i = 0; i < groups.size; i++) {
    purchases += groups.weight[i]! * groups.frequency[i]!;
    exposure += groups.weight[i]! * groups.age[i]!;
  }
  return { purchases, exposure };
}
