// Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-value Curves for Customer Base Analysis", JMR 42(4) — z̄ density eq. (4)/(5), conditional mean eq. (6); parameters p, q, v as in lifetimes' GammaGammaFitter (v is the paper's γ).

import { minimizeNewton } from './newton.ts';
import { digamma, lnGamma, trigamma } from './special-functions.ts';

/** Spend per transaction ~ Gamma(p, ν); ν ~ Gamma(q, v) across customers. Mean spend of the population: p·v/(q − 1). */
export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface GammaGammaFit extends GammaGammaParams {
  logLik: number;
  /** Customers used: x > 0 and mean spend > 0 (weighted count). */
  customers: number;
  iterations: number;
  converged: boolean;
}

export interface GammaGammaFitOptions {
  weights?: ArrayLike<number>;
  initial?: GammaGammaParams;
  gradientTolerance?: number;
  maxIterations?: number;
}

/**
 * Maximum-likelihood Gamma-Gamma fit on repeat customers. Customers with x = 0 or a mean spend ≤ 0
 * (only zero-value repeat orders) carry no spend information and are left out, as in the paper.
 * @example fitGammaGamma(x, zbar) // CDNOW's 946 repeat customers: p ≈ 6.25, q ≈ 3.74, v ≈ 15.44
 */
export function fitGammaGamma(
  frequency: ArrayLike<number>,
  meanSpend: ArrayLike<number>,
  options: GammaGammaFitOptions = {},
): GammaGammaFit {
  const model = prepare(frequency, meanSpend, options.weights);
  if (model.rows === 0) throw new RangeError('fitGammaGamma: no customer with x > 0 and a positive mean spend');
  const start = options.initial ?? { p: 1, q: 2, v: model.meanOfMeans };
  const total = model.totalWeight;
  const grad = new Float64Array(3);
  const hess = new Float64Array(9);
  // On log-parameters, per customer: −ℓ/N, its gradient and its Hessian by the chain rule.
  const result = minimizeNewton(
    (theta, gradient, hessian) => {
      const values = [Math.exp(theta[0]!), Math.exp(theta[1]!), Math.exp(theta[2]!)];
      const ll = model.evaluate({ p: values[0]!, q: values[1]!, v: values[2]! }, grad, hess);
      for (let i = 0; i < 3; i++) {
        const vi = values[i]!;
        gradient[i] = (-grad[i]! * vi) / total;
        for (let j = 0; j < 3; j++) hessian[i * 3 + j] = (-(hess[i * 3 + j]! * vi * values[j]!) - (i === j ? grad[i]! * vi : 0)) / total;
      }
      return -ll / total;
    },
    [Math.log(start.p), Math.log(start.q), Math.log(start.v)],
    { gradientTolerance: options.gradientTolerance ?? 1e-10, maxIterations: options.maxIterations ?? 100 },
  );
  const [p, q, v] = result.theta.map(Math.exp) as [number, number, number];
  return { p, q, v, logLik: -result.value * total, customers: total, iterations: result.iterations, converged: result.converged };
}

/**
 * Total log-likelihood of mean spends (x > 0 and mean spend > 0 only; others are skipped).
 * @example gammaGammaLogLikelihood({ p: 6.25, q: 3.74, v: 15.44 }, x, zbar)
 */
export function gammaGammaLogLikelihood(
  params: GammaGammaParams,
  frequency: ArrayLike<number>,
  meanSpend: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  return prepare(frequency, meanSpend, weights).evaluate(params);
}

/**
 * E[Z | x, z̄]: expected spend per transaction given x repeat purchases averaging z̄ (eq. 6), a weighted
 * mix of the population mean p·v/(q−1) and the customer's own mean; the population mean when x = 0.
 * @example gammaGammaExpectedSpend({ p: 6.25, q: 3.74, v: 15.44 }, 0, 0) // 35.22 = 6.25·15.44/2.74
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, frequency: number, meanSpend: number): number {
  const { p, q, v } = params;
  if (!(q > 1)) throw new RangeError(`gammaGammaExpectedSpend: needs q > 1 for a finite mean, got ${q}`);
  if (frequency === 0) return (p * v) / (q - 1);
  return (p * (v + frequency * meanSpend)) / (p * frequency + q - 1);
}

/**
 * `gammaGammaExpectedSpend` for many customers at once.
 * @example gammaGammaExpectedSpends(params, summaries.frequency, summaries.meanRepeatSpend)
 */
export function gammaGammaExpectedSpends(
  params: GammaGammaParams,
  frequency: ArrayLike<number>,
  meanSpend: ArrayLike<number>,
): Float64Array {
  if (frequency.length !== meanSpend.length) throw new RangeError('gammaGammaExpectedSpends: arrays differ in length');
  const out = new Float64Array(frequency.length);
  for (let i = 0; i < out.length; i++) out[i] = gammaGammaExpectedSpend(params, frequency[i]!, meanSpend[i]!);
  return out;
}

interface PreparedGammaGamma {
  rows: number;
  totalWeight: number;
  meanOfMeans: number;
  /** ℓ(p, q, v); with `gradient` its gradient, with `hessian` too its Hessian (3×3, row-major), in (p, q, v). */
  evaluate(params: GammaGammaParams, gradient?: Float64Array, hessian?: Float64Array): number;
}

/**
 * ln f(z̄ | p, q, v, x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln z̄ + px ln x − (px+q) ln(x z̄ + v).
 * Everything but the last term is summed per distinct x; the last one's per-customer sums depend
 * on v alone, so one pass over the customers gives the value, the gradient and the Hessian.
 */
function prepare(frequency: ArrayLike<number>, meanSpend: ArrayLike<number>, weights?: ArrayLike<number>): PreparedGammaGamma {
  if (frequency.length !== meanSpend.length || (weights && weights.length !== frequency.length)) {
    throw new RangeError('fitGammaGamma: frequency, meanSpend (and weights) must have the same length');
  }
  const xIndex = new Map<number, number>();
  const used: number[] = [];
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i]!;
    const m = meanSpend[i]!;
    const w = weights ? weights[i]! : 1;
    if (x > 0 && m > 0 && w > 0 && Number.isFinite(m)) {
      used.push(i);
      if (!xIndex.has(x)) xIndex.set(x, xIndex.size);
    }
  }
  const xs = Float64Array.from(xIndex.keys());
  const nX = xs.length;
  const weightOfX = new Float64Array(nX);
  const logSpendOfX = new Float64Array(nX); // Σ w ln z̄ per x
  const rows = used.length;
  const rowX = new Float64Array(rows);
  const rowTotal = new Float64Array(rows); // x·z̄
  const rowWeight = new Float64Array(rows);
  let totalWeight = 0;
  let spendSum = 0;
  used.forEach((i, k) => {
    const xi = xIndex.get(frequency[i]!)!;
    const w = weights ? weights[i]! : 1;
    rowX[k] = frequency[i]!;
    rowTotal[k] = frequency[i]! * meanSpend[i]!;
    rowWeight[k] = w;
    weightOfX[xi] = weightOfX[xi]! + w;
    logSpendOfX[xi] = logSpendOfX[xi]! + w * Math.log(meanSpend[i]!);
    totalWeight += w;
    spendSum += w * meanSpend[i]!;
  });

  const evaluate = (params: GammaGammaParams, gradient?: Float64Array, hessian?: Float64Array): number => {
    const { p, q, v } = params;
    if (!(p > 0 && q > 0 && v > 0)) return NaN;
    const logV = Math.log(v);
    const lnGammaQ = lnGamma(q);
    const psiQ = gradient ? digamma(q) : 0;
    const psi1Q = hessian ? trigamma(q) : 0;
    let ll = 0;
    let gP = 0;
    let gQ = 0;
    let hPP = 0;
    let hQQ = 0;
    let hPQ = 0;
    for (let k = 0; k < nX; k++) {
      const x = xs[k]!;
      const px = p * x;
      const w = weightOfX[k]!;
      ll += w * (lnGamma(px + q) - lnGamma(px) - lnGammaQ + q * logV + px * Math.log(x)) + (px - 1) * logSpendOfX[k]!;
      if (gradient) {
        const psiPXQ = digamma(px + q);
        gP += w * x * (psiPXQ - digamma(px) + Math.log(x)) + x * logSpendOfX[k]!;
        gQ += w * (psiPXQ - psiQ + logV);
      }
      if (hessian) {
        const psi1PXQ = trigamma(px + q);
        hPP += w * x * x * (psi1PXQ - trigamma(px));
        hQQ += w * (psi1PXQ - psi1Q);
        hPQ += w * x * psi1PXQ;
      }
    }
    // Σ w ln(x z̄ + v) and Σ w x ln(x z̄ + v), and for the derivatives in v the same sums of 1/(x z̄ + v) and its square.
    let sumLog = 0;
    let sumXLog = 0;
    let sumInv = 0;
    let sumXInv = 0;
    let sumInv2 = 0;
    let sumXInv2 = 0;
    const derivatives = gradient !== undefined || hessian !== undefined;
    for (let i = 0; i < rows; i++) {
      const w = rowWeight[i]!;
      const wx = w * rowX[i]!;
      const total = rowTotal[i]! + v;
      const logTotal = Math.log(total);
      sumLog += w * logTotal;
      sumXLog += wx * logTotal;
      if (derivatives) {
        const inv = 1 / total;
        sumInv += w * inv;
        sumXInv += wx * inv;
        sumInv2 += w * inv * inv;
        sumXInv2 += wx * inv * inv;
      }
    }
    ll -= p * sumXLog + q * sumLog;
    if (gradient) {
      gradient[0] = gP - sumXLog;
      gradient[1] = gQ - sumLog;
      gradient[2] = (totalWeight * q) / v - p * sumXInv - q * sumInv;
    }
    if (hessian) {
      const hPV = -sumXInv;
      const hQV = totalWeight / v - sumInv;
      const hVV = (-totalWeight * q) / (v * v) + p * sumXInv2 + q * sumInv2;
      hessian.set([hPP, hPQ, hPV, hPQ, hQQ, hQV, hPV, hQV, hVV]);
    }
    return ll;
  };
  return { rows, totalWeight, meanOfMeans: totalWeight > 0 ? spendSum / totalWeight : 1, evaluate };
}
