// Pareto/NBD model: Schmittlein, Morrison & Colombo (1987); likelihood, P(alive) and E[Y(t)] as in
// Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions", eqs.
// (18)–(22).

import type { HistoryGroups } from './purchase-history.ts';
import { fitOnLogParameters, purchasesAndExposure, softplus } from './repeat-purchase-model.ts';
import { oneHorizon, type HistoryScores, type HorizonScores, type RepeatPurchaseFit, type RepeatPurchaseModel } from './repeat-purchase-model.ts';
import type { StagedFitOptions } from './staged-fit.ts';
import { digamma, lnGamma, logIncompleteBetaFraction } from './special-functions.ts';

/** Purchase rate λ ~ Gamma(r, α), dropout rate μ ~ Gamma(s, β); α and β in the time unit of the data. */
export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export type ParetoNbdFit = RepeatPurchaseFit<ParetoNbdParams>;

const NAMES = ['r', 'alpha', 's', 'beta'] as const;

/** Staged-fit options (warm-up sample, tolerance, iterations) plus starting values. */
export interface ParetoNbdFitOptions extends StagedFitOptions {
  initial?: ParetoNbdParams;
}

/**
 * Why the likelihood is stable: with p = r + x, q = s + 1,
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^{−p} (β+T)^{−s} + s·I ],  I = ∫_{t_x}^T (α+τ)^{−p} (β+τ)^{−q} dτ,
 * the integral being the A₀ term of Fader & Hardie's eq. (22) divided by r+s+x. I = G(t_x) − G(T) with
 * G(t) = ∫_t^∞ (α+τ)^{−p}(β+τ)^{−q} dτ = (m+t)^{−(r+s+x)} / (r+s+x) · 2F1(r+s+x, b; r+s+x+1; z),
 * m = max(α, β), z = |α−β|/(m+t), b = p when α ≤ β else q. Euler's transformation turns that 2F1 into
 * (1−z)^{1−b}·2F1(r+s+x+1−b, 1; r+s+x+1; z), the incomplete-beta continued fraction, whose terms are all
 * positive and which converges fast even for z near 1; everything is summed in logs, so x = 200 or
 * T = 10⁴ days neither overflows nor cancels. G depends on (x, t) only: it is computed once per
 * distinct pair per evaluation, with its gradient, and each history row then costs four exp/logs.
 */
export function fitParetoNbd(groups: HistoryGroups, options: ParetoNbdFitOptions = {}): ParetoNbdFit {
  return fitOnLogParameters<ParetoNbdParams, PreparedParetoNbd>(
    groups,
    NAMES,
    {
      prepare,
      logLik: (m) => m.evaluate,
      identified: (m) => m.repeatPurchases > 0,
      notIdentified: 'fitParetoNbd: no repeat purchases, the model is not identified',
    },
    options.initial ?? initialGuess(groups),
    options,
  );
}

/**
 * Total Pareto/NBD log-likelihood of grouped histories; with `gradient`, ∂LL/∂(r, α, s, β) is written into it.
 * @example paretoNbdLogLikelihood({ r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }, cdnowWeeks) // ≈ −9595.0
 */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, groups: HistoryGroups, gradient?: Float64Array): number {
  return prepare(groups).evaluate(params, gradient);
}

/**
 * ln L(r, α, s, β | x, t_x, T) for one customer.
 * @example paretoNbdIndividualLogLikelihood(p, 200, 300, 310) // finite
 */
export function paretoNbdIndividualLogLikelihood(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  const aliveAtT = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const head = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  return head + aliveAtT + softplus(logDeadOverAlive(params, x, tx, T));
}

/**
 * P(alive | x, t_x, T) (Fader & Hardie 2005, eq. 18). Below 1 also for x = 0, and falling with T.
 * @example paretoNbdProbabilityAlive(cdnowParams, 0, 0, 38.86) // ≈ 0.3
 */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  return 1 / (1 + Math.exp(logDeadOverAlive(params, x, tx, T)));
}

/**
 * E[X(t)] for a new customer: rβ/(α(s−1))·[1 − (β/(β+t))^{s−1}] (the s → 1 limit handled).
 * @example paretoNbdExpectedPurchases(cdnowParams, 39)
 */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number): number {
  const { r, alpha, s, beta } = params;
  return ((r * beta) / alpha) * powerGrowth(s - 1, Math.log1p(t / beta));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] (Fader & Hardie 2005, eq. 21).
 * @example paretoNbdConditionalExpectedPurchases(cdnowParams, 39, 2, 30.43, 38.86)
 */
export function paretoNbdConditionalExpectedPurchases(
  params: ParetoNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  const { r, alpha, s, beta } = params;
  const rate = ((r + x) * (beta + T)) / (alpha + T);
  return rate * powerGrowth(s - 1, Math.log1p(t / (beta + T))) * paretoNbdProbabilityAlive(params, x, tx, T);
}

export type ParetoNbdScores = HistoryScores;

/**
 * P(alive) and E[Y(horizon) | history] for every row of grouped histories, G computed once per (x, t) pair.
 * @example paretoNbdScores(fit, groups, 365).probabilityAlive
 */
export function paretoNbdScores(params: ParetoNbdParams, groups: HistoryGroups, horizon: number): ParetoNbdScores {
  return oneHorizon(paretoNbdScoresOver)(params, groups, horizon);
}

/** paretoNbdScores for several horizons, P(alive) computed once. */
export function paretoNbdScoresOver(params: ParetoNbdParams, groups: HistoryGroups, horizons: readonly number[]): HorizonScores {
  const pairs = indexPairs(groups);
  const logG = new Float64Array(pairs.count);
  const { r, alpha, s, beta } = params;
  for (let k = 0; k < pairs.count; k++) {
    logG[k] = logTail(params, groups.frequencies[pairs.x[k]!]!, groups.times[pairs.time[k]!]!);
  }
  const probabilityAlive = new Float64Array(groups.size);
  for (let row = 0; row < groups.size; row++) {
    const x = groups.frequency[row]!;
    const T = groups.age[row]!;
    const g1 = logG[pairs.ofRecency[row]!]!;
    const g2 = logG[pairs.ofAge[row]!]!;
    const aliveAtT = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
    probabilityAlive[row] = g2 < g1 ? 1 / (1 + Math.exp(Math.log(s) + g1 + Math.log(-Math.expm1(g2 - g1)) - aliveAtT)) : 1;
  }
  const expectedPurchases = horizons.map((horizon) => {
    const expected = new Float64Array(groups.size);
    for (let row = 0; row < groups.size; row++) {
      const x = groups.frequency[row]!;
      const T = groups.age[row]!;
      expected[row] = (((r + x) * (beta + T)) / (alpha + T)) * powerGrowth(s - 1, Math.log1p(horizon / (beta + T))) * probabilityAlive[row]!;
    }
    return expected;
  });
  return { probabilityAlive, expectedPurchases };
}

/** [1 − e^{−kL}]/k, equal to L in the limit k → 0. */
function powerGrowth(k: number, L: number): number {
  return Math.abs(k) < 1e-9 ? L * (1 - (k * L) / 2) : -Math.expm1(-k * L) / k;
}

/** ln(s·I) − ln((α+T)^{−(r+x)}(β+T)^{−s}): the log-odds of "died in (t_x, T]" against "alive at T". */
function logDeadOverAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  if (!(tx < T)) return -Infinity;
  const { r, alpha, s, beta } = params;
  const g1 = logTail(params, x, tx);
  const g2 = logTail(params, x, T);
  if (!(g2 < g1)) return -Infinity;
  const logI = g1 + Math.log(-Math.expm1(g2 - g1));
  return Math.log(s) + logI + (r + x) * Math.log(alpha + T) + s * Math.log(beta + T);
}

/**
 * ln G(t) = ln ∫_t^∞ (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ; with `gradient`, ∂/∂(r, α, s, β) go into it.
 * `logAlphaT`/`logBetaT` are ln(α+t), ln(β+t) when the caller has them.
 */
function logTail(
  params: ParetoNbdParams,
  x: number,
  t: number,
  gradient?: Float64Array,
  scratch?: Float64Array,
  logAlphaT = Math.log(params.alpha + t),
  logBetaT = Math.log(params.beta + t),
): number {
  const { r, alpha, s, beta } = params;
  const a = r + s + x;
  const alphaSmaller = alpha <= beta;
  const mt = (alphaSmaller ? beta : alpha) + t;
  const logMt = alphaSmaller ? logBetaT : logAlphaT;
  const logOneMinusZ = alphaSmaller ? logAlphaT - logBetaT : logBetaT - logAlphaT; // 1 − z = (min + t)/(max + t)
  const z = Math.abs(alpha - beta) / mt;
  const exponent = alphaSmaller ? r + x : s + 1; // b of the 2F1
  const k = scratch ?? (gradient ? new Float64Array(3) : undefined);
  const logK = logIncompleteBetaFraction(a, 1 - exponent, z, k);
  const value = -a * logMt - Math.log(a) + (1 - exponent) * logOneMinusZ + logK;
  if (gradient && k) {
    const [kA, kB, kZ] = [k[0]!, k[1]!, k[2]!];
    const oneMinusZ = ((alphaSmaller ? alpha : beta) + t) / mt;
    const dz = -(1 - exponent) / oneMinusZ + kZ;
    const common = -logMt - 1 / a + kA;
    const shifted = common - logOneMinusZ - kB; // the parameter that also moves b
    if (alphaSmaller) {
      gradient[0] = shifted;
      gradient[2] = common;
      gradient[1] = -dz / mt;
      gradient[3] = -a / mt + (dz * (alpha + t)) / (mt * mt);
    } else {
      gradient[0] = common;
      gradient[2] = shifted;
      gradient[1] = -a / mt + (dz * (beta + t)) / (mt * mt);
      gradient[3] = -dz / mt;
    }
  }
  return value;
}

function initialGuess(groups: HistoryGroups): ParetoNbdParams {
  const { purchases, exposure } = purchasesAndExposure(groups);
  const scale = Math.min(Math.max(exposure / Math.max(purchases, Number.MIN_VALUE), 1e-6), 1e12);
  return { r: 1, alpha: scale, s: 1, beta: scale };
}

interface Pairs {
  count: number;
  x: Int32Array;
  time: Int32Array;
  ofRecency: Int32Array;
  ofAge: Int32Array;
}

/** Distinct (x, t) pairs over the (x, t_x) and (x, T) of every row. */
function indexPairs(groups: HistoryGroups): Pairs {
  const nT = groups.times.length;
  const nX = groups.frequencies.length;
  const ofRecency = new Int32Array(groups.size);
  const ofAge = new Int32Array(groups.size);
  let px: Int32Array = new Int32Array(1024);
  let pt: Int32Array = new Int32Array(1024);
  let count = 0;
  const direct = nX * nT <= 16_000_000 ? new Int32Array(nX * nT).fill(-1) : undefined;
  const map = direct ? undefined : new Map<number, number>();
  const lookup = (xi: number, ti: number): number => {
    const key = xi * nT + ti;
    let id = direct ? direct[key]! : (map!.get(key) ?? -1);
    if (id === -1) {
      if (count === px.length) {
        px = growInt32(px);
        pt = growInt32(pt);
      }
      id = count++;
      px[id] = xi;
      pt[id] = ti;
      if (direct) direct[key] = id;
      else map!.set(key, id);
    }
    return id;
  };
  for (let row = 0; row < groups.size; row++) {
    ofRecency[row] = lookup(groups.frequencyIndex[row]!, groups.recencyIndex[row]!);
    ofAge[row] = lookup(groups.frequencyIndex[row]!, groups.ageIndex[row]!);
  }
  return { count, x: px.subarray(0, count), time: pt.subarray(0, count), ofRecency, ofAge };
}

function growInt32(values: Int32Array): Int32Array {
  const out = new Int32Array(values.length * 2);
  out.set(values);
  return out;
}

interface PreparedParetoNbd {
  repeatPurchases: number;
  evaluate(params: ParetoNbdParams, gradient?: Float64Array): number;
}

/**
 * LL = Σ_x W_x·[ln Γ(r+x) − ln Γ(r) + r ln α + s ln β] − Σ_T [(r·W_T + X_T) ln(α+T) + s·W_T ln(β+T)]
 *    + Σ_rows w·softplus(ln s + ln I − ln((α+T)^{−(r+x)}(β+T)^{−s})).
 */
function prepare(groups: HistoryGroups): PreparedParetoNbd {
  const xs = groups.frequencies;
  const times = groups.times;
  const nX = xs.length;
  const nT = times.length;
  const pairs = indexPairs(groups);
  const weightOfX = new Float64Array(nX);
  const weightOfT = new Float64Array(nT);
  const purchasesOfT = new Float64Array(nT);
  let repeatPurchases = 0;
  for (let row = 0; row < groups.size; row++) {
    const w = groups.weight[row]!;
    const k = groups.frequencyIndex[row]!;
    const j = groups.ageIndex[row]!;
    weightOfX[k] = weightOfX[k]! + w;
    weightOfT[j] = weightOfT[j]! + w;
    purchasesOfT[j] = purchasesOfT[j]! + w * groups.frequency[row]!;
    repeatPurchases += w * groups.frequency[row]!;
  }
  // Rows where death inside (t_x, T] is possible, in compact arrays for the hot loop.
  let rows = 0;
  for (let row = 0; row < groups.size; row++) {
    if (groups.recency[row]! < groups.age[row]! && groups.weight[row]! > 0) rows++;
  }
  const rowX = new Int32Array(rows);
  const rowAge = new Int32Array(rows);
  const rowPair1 = new Int32Array(rows);
  const rowPair2 = new Int32Array(rows);
  const rowWeight = new Float64Array(rows);
  for (let row = 0, i = 0; row < groups.size; row++) {
    if (!(groups.recency[row]! < groups.age[row]! && groups.weight[row]! > 0)) continue;
    rowX[i] = groups.frequencyIndex[row]!;
    rowAge[i] = groups.ageIndex[row]!;
    rowPair1[i] = pairs.ofRecency[row]!;
    rowPair2[i] = pairs.ofAge[row]!;
    rowWeight[i] = groups.weight[row]!;
    i++;
  }
  const logAlphaT = new Float64Array(nT);
  const logBetaT = new Float64Array(nT);
  const logG = new Float64Array(pairs.count);
  const gradG = new Float64Array(4 * pairs.count);
  const pairGradient = new Float64Array(4);
  const scratch = new Float64Array(3);

  const evaluate = (params: ParetoNbdParams, gradient?: Float64Array): number => {
    const { r, alpha, s, beta } = params;
    if (!(r > 0 && alpha > 0 && s > 0 && beta > 0)) return NaN;
    const withGradient = gradient !== undefined;
    const logAlpha = Math.log(alpha);
    const logBeta = Math.log(beta);
    const logS = Math.log(s);
    const lnGammaR = lnGamma(r);
    const psiR = withGradient ? digamma(r) : 0;
    let ll = 0;
    let gR = 0;
    let gAlpha = 0;
    let gS = 0;
    let gBeta = 0;
    for (let k = 0; k < nX; k++) {
      const w = weightOfX[k]!;
      if (w === 0) continue;
      ll += w * (lnGamma(r + xs[k]!) - lnGammaR + r * logAlpha + s * logBeta);
      if (withGradient) {
        gR += w * (digamma(r + xs[k]!) - psiR + logAlpha);
        gAlpha += (w * r) / alpha;
        gS += w * logBeta;
        gBeta += (w * s) / beta;
      }
    }
    for (let j = 0; j < nT; j++) {
      const la = (logAlphaT[j] = Math.log(alpha + times[j]!));
      const lb = (logBetaT[j] = Math.log(beta + times[j]!));
      const w = weightOfT[j]!;
      ll -= (r * w + purchasesOfT[j]!) * la + s * w * lb;
      gR -= w * la;
      gAlpha -= (r * w + purchasesOfT[j]!) / (alpha + times[j]!);
      gS -= w * lb;
      gBeta -= (s * w) / (beta + times[j]!);
    }
    for (let k = 0; k < pairs.count; k++) {
      const tj = pairs.time[k]!;
      logG[k] = logTail(params, xs[pairs.x[k]!]!, times[tj]!, withGradient ? pairGradient : undefined, scratch, logAlphaT[tj]!, logBetaT[tj]!);
      if (withGradient) gradG.set(pairGradient, 4 * k);
    }
    for (let i = 0; i < rows; i++) {
      const p1 = rowPair1[i]!;
      const p2 = rowPair2[i]!;
      const g1 = logG[p1]!;
      const diff = logG[p2]! - g1;
      if (!(diff < 0)) continue; // t_x within rounding of T: nothing can happen in between
      const oneMinusRho = -Math.expm1(diff);
      const j = rowAge[i]!;
      const rx = r + xs[rowX[i]!]!;
      const d = logS + g1 + Math.log(oneMinusRho) + rx * logAlphaT[j]! + s * logBetaT[j]!;
      const e = Math.exp(-Math.abs(d));
      const w = rowWeight[i]!;
      ll += w * ((d > 0 ? d : 0) + Math.log(1 + e));
      if (withGradient) {
        const ws = (w * (d > 0 ? 1 : e)) / (1 + e);
        // ∂ ln I = ∂ln G(T) + (∂ln G(t_x) − ∂ln G(T)) / (1 − ρ), ρ = G(T)/G(t_x)
        const o1 = 4 * p1;
        const o2 = 4 * p2;
        gR += ws * (gradG[o2]! + (gradG[o1]! - gradG[o2]!) / oneMinusRho + logAlphaT[j]!);
        gAlpha += ws * (gradG[o2 + 1]! + (gradG[o1 + 1]! - gradG[o2 + 1]!) / oneMinusRho + rx / (alpha + times[j]!));
        gS += ws * (gradG[o2 + 2]! + (gradG[o1 + 2]! - gradG[o2 + 2]!) / oneMinusRho + 1 / s + logBetaT[j]!);
        gBeta += ws * (gradG[o2 + 3]! + (gradG[o1 + 3]! - gradG[o2 + 3]!) / oneMinusRho + s / (beta + times[j]!));
      }
    }
    if (gradient) {
      gradient[0] = gR;
      gradient[1] = gAlpha;
      gradient[2] = gS;
      gradient[3] = gBeta;
    }
    return ll;
  };
  return { repeatPurchases, evaluate };
}

/** Pareto/NBD behind the common model surface. */
export const PARETO_NBD: RepeatPurchaseModel<ParetoNbdParams> = Object.freeze({
  name: 'paretoNbd',
  label: 'Pareto/NBD',
  parameterNames: NAMES,
  oneTimeBuyersCanDropOut: true,
  meanDropout: (p: ParetoNbdParams) => p.s / p.beta,
  fit: fitParetoNbd,
  logLikelihoodOf: (groups: HistoryGroups) => prepare(groups).evaluate,
  probabilityAlive: paretoNbdProbabilityAlive,
  expectedPurchases: paretoNbdExpectedPurchases,
  conditionalExpectedPurchases: paretoNbdConditionalExpectedPurchases,
  scores: paretoNbdScores,
  scoresOver: paretoNbdScoresOver,
});
