// The BG/NBD family: Poisson purchases at rate λ ~ Gamma(r, α) and a chance p ~ Beta(a, b) of dropping
// out after every repeat purchase (BG/NBD, Fader, Hardie & Lee 2005, eqs. 6, 10, 11) or after every
// purchase, the first included (MBG/NBD, Batislam, Denizel & Filiztekin 2007, with Wagner & Hoppe's
// 2008 erratum). One likelihood, P(alive) and conditional expectation; `shift` is 0 for BG/NBD and 1
// for MBG/NBD.
import type { HistoryGroups } from './purchase-history.ts';
import { purchasesAndExposure, softplus, type HorizonScores } from './repeat-purchase-model.ts';
import { digamma, lnGamma } from './special-functions.ts';

/** Purchase rate λ ~ Gamma(r, α) (α in the time unit of the data); dropout p ~ Beta(a, b). */
export interface BetaGeometricParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** 0: dropout only after repeat purchases (BG/NBD); 1: also right after the first (MBG/NBD). */
export type DropoutShift = 0 | 1;

/**
 * ln L(r, α, a, b | x, t_x, T) for one customer, in log space (finite for large x and T):
 * ln[Γ(r+x)α^r/Γ(r)] + ln[B(a, b+x+k)/B(a, b)] − (r+x) ln(α+T) + [x>0 or k=1]·softplus(ln a − ln(b+x+k−1) + (r+x) ln((α+T)/(α+t_x))).
 */
export function bgFamilyIndividualLogLikelihood(params: BetaGeometricParams, x: number, tx: number, T: number, shift: DropoutShift): number {
  const { r, alpha, a, b } = params;
  const common =
    lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnGamma(a + b) + lnGamma(b + x + shift) - lnGamma(b) - lnGamma(a + b + x + shift);
  const alive = -(r + x) * Math.log(alpha + T);
  if (x === 0 && shift === 0) return common + alive;
  return common + alive + softplus(logDeadOverAlive(params, x, tx, T, shift));
}

/** ln[P(dropped out by T) / P(alive at T)] given the history; −∞ when dropout is impossible. */
function logDeadOverAlive(params: BetaGeometricParams, x: number, tx: number, T: number, shift: DropoutShift): number {
  if (x === 0 && shift === 0) return -Infinity;
  const { r, alpha, a, b } = params;
  return Math.log(a) - Math.log(b + x + shift - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

/** P(alive | x, t_x, T) (FHL eq. 11; Batislam et al. eq. A5): 1/(1 + a/(b+x+k−1)·((α+T)/(α+t_x))^{r+x}). */
export function bgFamilyProbabilityAlive(params: BetaGeometricParams, x: number, tx: number, T: number, shift: DropoutShift): number {
  if (x === 0 && shift === 0) return 1;
  return 1 / (1 + Math.exp(logDeadOverAlive(params, x, tx, T, shift)));
}

/**
 * E[Y(t) | x, t_x, T] = (a+b+x+k−1)·F·P(alive), F the hypergeometric factor with b+k in place of b
 * (FHL eq. 10; for MBG/NBD, Wagner & Hoppe 2008).
 */
export function bgFamilyConditionalExpectedPurchases(params: BetaGeometricParams, t: number, x: number, tx: number, T: number, shift: DropoutShift): number {
  const shifted = shift === 0 ? params : { ...params, b: params.b + 1 };
  return (params.a + params.b + x + shift - 1) * futureFactor(shifted, x, T, t) * bgFamilyProbabilityAlive(params, x, tx, T, shift);
}

/**
 * P(alive), and E[Y(horizon) | history] for each horizon, for every row of grouped histories
 * (spread them to customers with `expandToCustomers`). P(alive) is computed once per row; the
 * hypergeometric part depends on (x, T) only and is computed once per pair and horizon.
 */
export function bgFamilyScoresOver(params: BetaGeometricParams, groups: HistoryGroups, horizons: readonly number[], shift: DropoutShift): HorizonScores {
  const nT = groups.times.length;
  const cache = groups.frequencies.length * nT <= 2_000_000 ? new Float64Array(groups.frequencies.length * nT) : undefined;
  const shifted = shift === 0 ? params : { ...params, b: params.b + 1 };
  const probabilityAlive = new Float64Array(groups.size);
  for (let row = 0; row < groups.size; row++) {
    probabilityAlive[row] = bgFamilyProbabilityAlive(params, groups.frequency[row]!, groups.recency[row]!, groups.age[row]!, shift);
  }
  const expectedPurchases = horizons.map((horizon) => {
    cache?.fill(NaN);
    const expected = new Float64Array(groups.size);
    for (let row = 0; row < groups.size; row++) {
      const x = groups.frequency[row]!;
      const T = groups.age[row]!;
      let factor: number;
      if (cache) {
        const key = groups.frequencyIndex[row]! * nT + groups.ageIndex[row]!;
        factor = cache[key]!;
        if (Number.isNaN(factor)) factor = cache[key] = futureFactor(shifted, x, T, horizon);
      } else {
        factor = futureFactor(shifted, x, T, horizon);
      }
      expected[row] = (params.a + params.b + x + shift - 1) * factor * probabilityAlive[row]!;
    }
    return expected;
  });
  return { probabilityAlive, expectedPurchases };
}

/**
 * [1 − (1−z)^{r+x} 2F1(r+x, b+x; a+b+x−1; z)] / (a − 1) with z = t/(α+T+t), through Euler's
 * transformation (A&S 15.3.3), which leaves 2F1(a+b−1−r, a−1; a+b+x−1; z) = 1 + (a−1)·R: the
 * 1/(a−1) then cancels analytically, so a near 1 (CDNOW's a is 0.79) needs no special case.
 */
export function futureFactor(params: BetaGeometricParams, x: number, T: number, t: number): number {
  const { r, alpha, a, b } = params;
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const logOneMinusZ = -Math.log1p(t / (alpha + T));
  const am1 = a - 1;
  // Euler's series climbs like n^(a−r−x−2)·zⁿ before it falls: with a large a (a fit the data cannot
  // pin down) that is millions of terms a call. The plain series then falls from the start.
  if (a - r - x - 2 > PLAIN_SERIES_FROM) return (1 - Math.exp((r + x) * logOneMinusZ) * plainSeries(r + x, b + x, a + b + x - 1, z)) / am1;
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

/** Use the plain series once Euler's would climb by more than this power of n. */
const PLAIN_SERIES_FROM = 20;

/**
 * 2F1(A, B; C; z) by its series for 0 ≤ z < 1 and B ≤ C: every ratio from term N on is at most
 * q = z·max(1, (A+N)/(N+1)), so the tail after it is below term·q/(1−q).
 */
function plainSeries(A: number, B: number, C: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 10_000_000; n++) {
    term *= (((A + n) * (B + n)) / ((C + n) * (n + 1))) * z;
    sum += term;
    const q = z * Math.max(1, (A + n + 1) / (n + 2));
    if (term === 0 || (q < 1 && Math.abs(term) * q < 1e-17 * (1 - q) * Math.abs(sum))) return sum;
  }
  return sum;
}

/** First guess: one purchase per mean gap (α = exposure / purchases), a = b = 1. */
export function bgFamilyInitialGuess(groups: HistoryGroups): BetaGeometricParams {
  const { purchases, exposure } = purchasesAndExposure(groups);
  const rate = purchases / Math.max(exposure, Number.MIN_VALUE);
  return { r: 1, alpha: Math.min(Math.max(1 / rate, 1e-6), 1e12), a: 1, b: 1 };
}

export interface PreparedBgFamily {
  /** History rows with a repeat purchase: without any, r and α are not identified. */
  repeatRows: number;
  evaluate(params: BetaGeometricParams, gradient?: Float64Array): number;
}

/**
 * Splits the log-likelihood so that the per-row work is one exp and one log:
 * LL = Σ_x W_x·[ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x+k) − ln B(a, b)]
 *    − Σ_T (r·W_T + X_T)·ln(α+T) + Σ_{rows that can drop out} w·softplus(ln a − ln(b+x+k−1) − (r+x)·ln((α+t_x)/(α+T))).
 */
export function prepareBgFamily(groups: HistoryGroups, shift: DropoutShift): PreparedBgFamily {
  const xs = groups.frequencies;
  const times = groups.times;
  const nX = xs.length;
  const nT = times.length;
  const weightOfX = new Float64Array(nX);
  const weightOfT = new Float64Array(nT);
  const purchasesOfT = new Float64Array(nT);
  let repeatRows = 0;
  let dropoutRows = 0;
  const canDropOut = (row: number) => (groups.frequency[row]! > 0 || shift === 1) && groups.weight[row]! > 0;
  for (let row = 0; row < groups.size; row++) {
    const w = groups.weight[row]!;
    const k = groups.frequencyIndex[row]!;
    const j = groups.ageIndex[row]!;
    weightOfX[k] = weightOfX[k]! + w;
    weightOfT[j] = weightOfT[j]! + w;
    purchasesOfT[j] = purchasesOfT[j]! + w * groups.frequency[row]!;
    if (groups.frequency[row]! > 0 && w > 0) repeatRows++;
    if (canDropOut(row)) dropoutRows++;
  }
  // The rows of the softplus term copied into compact arrays: the hot loop reads them sequentially.
  const rowX = new Int32Array(dropoutRows);
  const rowRecency = new Int32Array(dropoutRows);
  const rowAge = new Int32Array(dropoutRows);
  const rowWeight = new Float64Array(dropoutRows);
  for (let row = 0, k = 0; row < groups.size; row++) {
    if (canDropOut(row)) {
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

  const evaluate = (params: BetaGeometricParams, gradient?: Float64Array): number => {
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
      logOdds[k] = x > 0 || shift === 1 ? logA - Math.log(b + x + shift - 1) : 0;
      sigmaOfX[k] = 0;
      if (w === 0) continue;
      ll += w * (lnGamma(r + x) - lnGammaR + r * logAlpha + lnGammaAB + lnGamma(b + x + shift) - lnGammaB - lnGamma(a + b + x + shift));
      if (withGradient) {
        const psiABX = digamma(a + b + x + shift);
        gR += w * (digamma(r + x) - psiR + logAlpha);
        gAlpha += (w * r) / alpha;
        gA += w * (psiAB - psiABX);
        gB += w * (psiAB + digamma(b + x + shift) - psiB - psiABX);
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
    for (let i = 0; i < dropoutRows; i++) {
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
        gB -= sigmaOfX[k]! / (b + xs[k]! + shift - 1);
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
