// BG/NBD model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2) — likelihood eq. (6), E[X(t)] eq. (7), P(alive) eq. (11), conditional expectation eq. (10).

import type { ObjectiveWithGradient } from './optimize.ts';
import type { HistoryGroups } from './purchase-history.ts';
import { fitInStages, type StagedFitOptions } from './staged-fit.ts';
import { digamma, lnGamma } from './special-functions.ts';

/** Purchase rate λ ~ Gamma(r, α) (α in the time unit of the data); dropout p ~ Beta(a, b). */
export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgnbdFit extends BgnbdParams {
  /** Total log-likelihood at the estimate (in the time unit of the data; see `logLikelihoodInUnit`). */
  logLik: number;
  iterations: number;
  converged: boolean;
}

/** Staged-fit options (warm-up sample, tolerance, iterations) plus starting values. */
export interface BgnbdFitOptions extends StagedFitOptions {
  /** Starting values (default derived from the data's purchase rate). */
  initial?: BgnbdParams;
}

/**
 * Maximum-likelihood BG/NBD fit on grouped histories: one pass over the distinct (x, t_x, T)
 * rows per evaluation, with terms that depend only on x or only on T summed once per distinct
 * value, and analytic gradients for BFGS on log-parameters.
 * @example fitBgnbd(groupHistories(x, tx, T)) // { r, alpha, a, b, logLik, iterations, converged }
 */
export function fitBgnbd(groups: HistoryGroups, options: BgnbdFitOptions = {}): BgnbdFit {
  const start = options.initial ?? initialGuess(groups);
  const result = fitInStages(
    groups,
    { prepare, identified: (m) => m.repeatRows > 0, objective, notIdentified: 'fitBgnbd: no repeat purchases, the model is not identified' },
    [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)],
    options,
  );
  const [r, alpha, a, b] = result.theta.map(Math.exp) as [number, number, number, number];
  return {
    r,
    alpha,
    a,
    b,
    logLik: -result.value * groups.customers,
    iterations: result.iterations,
    converged: result.converged,
  };
}

/** Mean negative log-likelihood over log-parameters, as the optimiser wants it. */
function objective(model: PreparedBgnbd, customers: number): ObjectiveWithGradient {
  const grad = new Float64Array(4);
  return (theta, gradient) => {
    const p = { r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) };
    const ll = model.evaluate(p, grad);
    gradient[0] = (-grad[0]! * p.r) / customers;
    gradient[1] = (-grad[1]! * p.alpha) / customers;
    gradient[2] = (-grad[2]! * p.a) / customers;
    gradient[3] = (-grad[3]! * p.b) / customers;
    return -ll / customers;
  };
}

/**
 * Total BG/NBD log-likelihood of grouped histories.
 * @example bgnbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, cdnowWeeks) // ≈ −9582.4
 */
export function bgnbdLogLikelihood(params: BgnbdParams, groups: HistoryGroups): number {
  return prepare(groups).evaluate(params);
}

/**
 * ln L(r, α, a, b | x, t_x, T) for one customer (FHL eq. 6), in log space: finite for large x and T.
 * @example bgnbdIndividualLogLikelihood(p, 200, 300, 310) // finite, no overflow
 */
export function bgnbdIndividualLogLikelihood(params: BgnbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const common =
    lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x);
  const alive = -(r + x) * Math.log(alpha + T);
  if (x === 0) return common + alive;
  const d = Math.log(a) - Math.log(b + x - 1) - (r + x) * (Math.log(alpha + tx) - Math.log(alpha + T));
  return common + alive + softplus(d);
}

/**
 * P(alive | x, t_x, T) (FHL eq. 11). Exactly 1 when x = 0: the model lets customers drop out only
 * after a repeat purchase; use the Pareto/NBD for a churn score of one-time buyers.
 * @example bgnbdProbabilityAlive(p, 0, 0, 39) // 1
 */
export function bgnbdProbabilityAlive(params: BgnbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const d = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(d));
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
export function bgnbdConditionalExpectedPurchases(
  params: BgnbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return (params.a + params.b + x - 1) * futureFactor(params, x, T, t) * bgnbdProbabilityAlive(params, x, tx, T);
}

export interface BgnbdScores {
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array;
}

/**
 * P(alive) and E[Y(horizon) | history] for every row of grouped histories (spread them to customers
 * with `expandToCustomers`). The hypergeometric part depends on (x, T) only and is computed once per pair.
 * @example bgnbdScores(fit, groupHistories(x, tx, T, { keepCustomerRows: true }), 365)
 */
export function bgnbdScores(params: BgnbdParams, groups: HistoryGroups, horizon: number): BgnbdScores {
  const nX = groups.frequencies.length;
  const nT = groups.times.length;
  const cache = nX * nT <= 2_000_000 ? new Float64Array(nX * nT).fill(NaN) : undefined;
  const probabilityAlive = new Float64Array(groups.size);
  const expectedPurchases = new Float64Array(groups.size);
  for (let row = 0; row < groups.size; row++) {
    const x = groups.frequency[row]!;
    const T = groups.age[row]!;
    const alive = bgnbdProbabilityAlive(params, x, groups.recency[row]!, T);
    let factor: number;
    if (cache) {
      const key = groups.frequencyIndex[row]! * nT + groups.ageIndex[row]!;
      factor = cache[key]!;
      if (Number.isNaN(factor)) factor = cache[key] = futureFactor(params, x, T, horizon);
    } else {
      factor = futureFactor(params, x, T, horizon);
    }
    probabilityAlive[row] = alive;
    expectedPurchases[row] = (params.a + params.b + x - 1) * factor * alive;
  }
  return { probabilityAlive, expectedPurchases };
}

/**
 * A log-likelihood fitted in one time unit, expressed in another: with times divided by `factor`
 * (days → weeks: 7) each of the Σx purchase-time densities is multiplied by `factor`.
 * @example logLikelihoodInUnit(fitInDays.logLik, 2457, 7) // the weekly figure, −9582.4 on CDNOW
 */
export function logLikelihoodInUnit(logLik: number, totalRepeatPurchases: number, factor: number): number {
  return logLik + totalRepeatPurchases * Math.log(factor);
}

/**
 * [1 − (1−z)^{r+x} 2F1(r+x, b+x; a+b+x−1; z)] / (a − 1) with z = t/(α+T+t), through Euler's
 * transformation (A&S 15.3.3), which leaves 2F1(a+b−1−r, a−1; a+b+x−1; z) = 1 + (a−1)·R: the
 * 1/(a−1) then cancels analytically, so a near 1 (CDNOW's a is 0.79) needs no special case.
 */
function futureFactor(params: BgnbdParams, x: number, T: number, t: number): number {
  const { r, alpha, a, b } = params;
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const logOneMinusZ = -Math.log1p(t / (alpha + T));
  const am1 = a - 1;
  const upper = a + b - 1 - r;
  const lower = a + b + x - 1;
  let term = (upper * z) / lower;
  let sum = term;
  for (let n = 1; n < 10_000_000; n++) {
    const ratio = (((upper + n) * (a + n - 1)) / ((lower + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    // Once the ratio is below one it stays below max(|ratio|, z): bound the geometric tail by that.
    const q = Math.max(Math.abs(ratio), z);
    if (term === 0 || (q < 1 && Math.abs(term) * q < 1e-17 * (1 - q) * Math.abs(sum))) break;
  }
  const head = Math.abs(am1) < 1e-9 ? -logOneMinusZ * (1 + (am1 * logOneMinusZ) / 2) : -Math.expm1(am1 * logOneMinusZ) / am1;
  return head - Math.exp(am1 * logOneMinusZ) * sum;
}

function softplus(d: number): number {
  return d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d));
}

function initialGuess(groups: HistoryGroups): BgnbdParams {
  let purchases = 0;
  let exposure = 0;
  for (let i = 0; i < groups.size; i++) {
    purchases += groups.weight[i]! * groups.frequency[i]!;
    exposure += groups.weight[i]! * groups.age[i]!;
  }
  const rate = purchases / Math.max(exposure, Number.MIN_VALUE);
  return { r: 1, alpha: Math.min(Math.max(1 / rate, 1e-6), 1e12), a: 1, b: 1 };
}

interface PreparedBgnbd {
  repeatRows: number;
  evaluate(params: BgnbdParams, gradient?: Float64Array): number;
}

/**
 * Splits the log-likelihood so that the per-row work is one exp and one log:
 * LL = Σ_x W_x·[ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)]
 *    − Σ_T (r·W_T + X_T)·ln(α+T) + Σ_{rows, x>0} w·softplus(ln a − ln(b+x−1) − (r+x)·ln((α+t_x)/(α+T))).
 */
function prepare(groups: HistoryGroups): PreparedBgnbd {
  const xs = groups.frequencies;
  const times = groups.times;
  const nX = xs.length;
  const nT = times.length;
  const weightOfX = new Float64Array(nX);
  const weightOfT = new Float64Array(nT);
  const purchasesOfT = new Float64Array(nT);
  let repeatRows = 0;
  for (let row = 0; row < groups.size; row++) {
    const w = groups.weight[row]!;
    const k = groups.frequencyIndex[row]!;
    const j = groups.ageIndex[row]!;
    weightOfX[k] = weightOfX[k]! + w;
    weightOfT[j] = weightOfT[j]! + w;
    purchasesOfT[j] = purchasesOfT[j]! + w * groups.frequency[row]!;
    if (groups.frequency[row]! > 0 && w > 0) repeatRows++;
  }
  // Repeat rows copied into compact arrays: the hot loop reads them sequentially.
  const rowX = new Int32Array(repeatRows);
  const rowRecency = new Int32Array(repeatRows);
  const rowAge = new Int32Array(repeatRows);
  const rowWeight = new Float64Array(repeatRows);
  for (let row = 0, k = 0; row < groups.size; row++) {
    if (groups.frequency[row]! > 0 && groups.weight[row]! > 0) {
      rowX[k] = groups.frequencyIndex[row]!;
      rowRecency[k] = groups.recencyIndex[row]!;
      rowAge[k] = groups.ageIndex[row]!;
      rowWeight[k] = groups.weight[row]!;
      k++;
    }
  }
  const logTime = new Float64Array(nT);
  const invTime = new Float64Array(nT);
  const logOdds = new Float64Array(nX);
  const sigmaOfX = new Float64Array(nX);

  const evaluate = (params: BgnbdParams, gradient?: Float64Array): number => {
    const { r, alpha, a, b } = params;
    if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return NaN;
    const logAlpha = Math.log(alpha);
    const logA = Math.log(a);
    const lnGammaR = lnGamma(r);
    const lnGammaAB = lnGamma(a + b);
    const lnGammaB = lnGamma(b);
    const withGradient = gradient !== undefined;
    const psiR = withGradient ? digamma(r) : 0;
    const psiAB = withGradient ? digamma(a + b) : 0;
    const psiB = withGradient ? digamma(b) : 0;
    let ll = 0;
    let gR = 0;
    let gAlpha = 0;
    let gA = 0;
    let gB = 0;
    for (let k = 0; k < nX; k++) {
      const x = xs[k]!;
      const w = weightOfX[k]!;
      logOdds[k] = x > 0 ? logA - Math.log(b + x - 1) : 0;
      sigmaOfX[k] = 0;
      if (w === 0) continue;
      ll += w * (lnGamma(r + x) - lnGammaR + r * logAlpha + lnGammaAB + lnGamma(b + x) - lnGammaB - lnGamma(a + b + x));
      if (withGradient) {
        const psiABX = digamma(a + b + x);
        gR += w * (digamma(r + x) - psiR + logAlpha);
        gAlpha += (w * r) / alpha;
        gA += w * (psiAB - psiABX);
        gB += w * (psiAB + digamma(b + x) - psiB - psiABX);
      }
    }
    for (let j = 0; j < nT; j++) {
      const lt = Math.log(alpha + times[j]!);
      logTime[j] = lt;
      invTime[j] = 1 / (alpha + times[j]!);
      const exponent = r * weightOfT[j]! + purchasesOfT[j]!;
      ll -= exponent * lt;
      gR -= weightOfT[j]! * lt;
      gAlpha -= exponent * invTime[j]!;
    }
    for (let i = 0; i < repeatRows; i++) {
      const k = rowX[i]!;
      const tr = rowRecency[i]!;
      const ta = rowAge[i]!;
      const rx = r + xs[k]!;
      const logRatio = logTime[tr]! - logTime[ta]!;
      const d = logOdds[k]! - rx * logRatio;
      const w = rowWeight[i]!;
      const e = Math.exp(-Math.abs(d));
      // ln(1 + e) with e ≤ 1: the absolute error of log vs log1p is below 2e-16, which is all a sum needs.
      ll += w * ((d > 0 ? d : 0) + Math.log(1 + e));
      if (withGradient) {
        const ws = (w * (d > 0 ? 1 : e)) / (1 + e);
        sigmaOfX[k] = sigmaOfX[k]! + ws;
        gR -= ws * logRatio;
        gAlpha -= ws * rx * (invTime[tr]! - invTime[ta]!);
      }
    }
    if (gradient) {
      for (let k = 0; k < nX; k++) {
        if (sigmaOfX[k] === 0) continue;
        gA += sigmaOfX[k]! / a;
        gB -= sigmaOfX[k]! / (b + xs[k]! - 1);
      }
      gradient[0] = gR;
      gradient[1] = gAlpha;
      gradient[2] = gA;
      gradient[3] = gB;
    }
    return ll;
  };
  return { repeatRows, evaluate };
}
