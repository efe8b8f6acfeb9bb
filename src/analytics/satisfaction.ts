// Source: Wilson (1927) score interval for CSAT; NPS adjusted-Wald interval of Rocks (2016, The American Statistician 70:4); two-sample z-tests for change.

/** Which survey a score belongs to: CSAT is 1–5, NPS ("likelihood to recommend") is 0–10. */
export type SatisfactionScale = 'csat' | 'nps';

/** Options shared by the single-period summaries. */
export interface SummaryOptions {
  /** Below this many responses the figure is flagged `tooFew` (default 10). */
  readonly minResponses?: number;
  /** Two-sided confidence level of the interval (default 0.95). */
  readonly confidence?: number;
}

/** Options of the period-over-period comparisons. */
export interface ComparisonOptions {
  /** Either period below this many responses gives the verdict 'too few' (default 10). */
  readonly minResponses?: number;
  /** Significance level of the two-sided test (default 0.05). */
  readonly alpha?: number;
}

/** CSAT of one period. `csat`, `lower`, `upper` are shares in [0, 1]; null when n = 0. */
export interface CsatSummary {
  readonly csat: number | null;
  /** Number of responses. */
  readonly n: number;
  /** Responses scoring 4 or 5. */
  readonly satisfied: number;
  /** Wilson score interval bounds. */
  readonly lower: number | null;
  readonly upper: number | null;
  /** True when n < minResponses: show the figure, but do not act on it. */
  readonly tooFew: boolean;
}

/** NPS of one period, in points from −100 to 100; null when n = 0. */
export interface NpsSummary {
  readonly nps: number | null;
  readonly n: number;
  /** Responses 9–10. */
  readonly promoters: number;
  /** Responses 7–8. */
  readonly passives: number;
  /** Responses 0–6. */
  readonly detractors: number;
  /** Adjusted-Wald interval bounds in points, clamped to [−100, 100]. */
  readonly lower: number | null;
  readonly upper: number | null;
  readonly tooFew: boolean;
}

export type ChangeVerdict = 'up' | 'down' | 'no significant change' | 'too few';

/**
 * A change between two periods. For CSAT the values and difference are shares (0–1); for NPS
 * they are points (−100–100). `z` and `pValue` are null when a period has no responses.
 */
export interface PeriodComparison {
  readonly previous: number | null;
  readonly current: number | null;
  /** current − previous. */
  readonly difference: number | null;
  readonly previousN: number;
  readonly currentN: number;
  readonly z: number | null;
  /** Two-sided p-value of "no change". */
  readonly pValue: number | null;
  readonly verdict: ChangeVerdict;
}

const DEFAULT_MIN_RESPONSES = 10;
const DEFAULT_CONFIDENCE = 0.95;
const DEFAULT_ALPHA = 0.05;

/**
 * Throws unless `score` is a whole number on the scale; `caller` names the public function so the
 * message says where the bad value came in.
 * @example assertScore('csat', 7, 'csat') // throws "csat: score 7 is outside the csat scale 1–5"
 */
export function assertScore(caller: string, score: number, scale: SatisfactionScale): void {
  const [min, max] = scale === 'csat' ? [1, 5] : [0, 10];
  if (!Number.isInteger(score) || score < min || score > max) {
    throw new RangeError(`${caller}: score ${String(score)} is outside the ${scale} scale ${min}–${max}`);
  }
}

/**
 * CSAT = share of responses scoring 4–5 on 1–5, with a Wilson score interval.
 * @example csat([5, 4, 4, 5, 3, 5, 4, 2, 5, 4]).csat // 0.8, interval [0.4902, 0.9433]
 */
export function csat(scores: readonly number[], options: SummaryOptions = {}): CsatSummary {
  return csatOfCounts(countCsat('csat', scores), options);
}

/** How many CSAT answers, and how many of them 4–5. */
export interface CsatCounts {
  n: number;
  satisfied: number;
}

/**
 * `csat` from counts (what a rollup stores): the same figures without the list of scores.
 * @example csatOfCounts({ n: 10, satisfied: 8 }).csat // 0.8
 */
export function csatOfCounts(counts: CsatCounts, options: SummaryOptions = {}): CsatSummary {
  const minResponses = checkMinResponses('csat', options.minResponses);
  const z = zForConfidence('csat', options.confidence ?? DEFAULT_CONFIDENCE);
  const { n, satisfied } = counts;
  if (n === 0) return { csat: null, n, satisfied, lower: null, upper: null, tooFew: true };
  const { lower, upper } = wilsonInterval(satisfied, n, z);
  return { csat: satisfied / n, n, satisfied, lower, upper, tooFew: n < minResponses };
}

function countCsat(caller: string, scores: readonly number[]): CsatCounts {
  let satisfied = 0;
  for (const score of scores) {
    assertScore(caller, score, 'csat');
    if (score >= 4) satisfied++;
  }
  return { n: scores.length, satisfied };
}

/**
 * Wilson score interval for `successes` of `n` at normal quantile `z` (1.96 for 95%):
 * (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n). Unlike the Wald interval it never leaves
 * [0, 1] and keeps its coverage near 0 and 1 and for small n.
 * @example wilsonInterval(8, 10, 1.959964) // { lower: 0.4902, upper: 0.9433 }
 */
export function wilsonInterval(successes: number, n: number, z: number): { lower: number; upper: number } {
  if (!(n > 0) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval: need 0 ≤ successes ≤ n and n > 0, got ${successes} of ${n}`);
  }
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - halfWidth), upper: Math.min(1, centre + halfWidth) };
}

/**
 * NPS = % promoters (9–10) − % detractors (0–6), in points.
 *
 * Interval: adjusted Wald (Rocks 2016, the best of six methods he compared): add ¾ of a response
 * to promoters and to detractors and 3 to n (so 1½ to passives), then use the variance of a
 * difference of two trinomial shares, var = (p_pro + p_det − (p_pro − p_det)²) / n, around the
 * adjusted estimate; bounds clamped to [−100, 100]. The point estimate itself is the plain NPS.
 * @example nps([10, 10, 9, 9, 9, 8, 7, 6, 3, 0]).nps // 20, interval [−30.33, 61.10]
 */
export function nps(scores: readonly number[], options: SummaryOptions = {}): NpsSummary {
  return npsOfCounts(countNps('nps', scores), options);
}

/**
 * `nps` from counts (what a rollup stores): the same figures without the list of scores.
 * @example npsOfCounts({ promoters: 5, passives: 2, detractors: 3 }).nps // 20
 */
export function npsOfCounts(counts: NpsCounts, options: SummaryOptions = {}): NpsSummary {
  const minResponses = checkMinResponses('nps', options.minResponses);
  const z = zForConfidence('nps', options.confidence ?? DEFAULT_CONFIDENCE);
  const { promoters, passives, detractors } = counts;
  const n = promoters + passives + detractors;
  if (n === 0) return { nps: null, n, promoters, passives, detractors, lower: null, upper: null, tooFew: true };
  const adjustedN = n + 3;
  const pPro = (promoters + 0.75) / adjustedN;
  const pDet = (detractors + 0.75) / adjustedN;
  const centre = pPro - pDet;
  const halfWidth = z * Math.sqrt(npsVariance(pPro, pDet, adjustedN));
  return {
    nps: (100 * (promoters - detractors)) / n,
    n,
    promoters,
    passives,
    detractors,
    lower: Math.max(-100, 100 * (centre - halfWidth)),
    upper: Math.min(100, 100 * (centre + halfWidth)),
    tooFew: n < minResponses,
  };
}

/**
 * Did CSAT change between two periods? Two-proportion z-test with the pooled share under
 * "no change": z = (p₂ − p₁) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)). A change is 'up' or 'down' only when
 * p < alpha; either period under `minResponses` gives 'too few' (p-value still reported).
 */
export function compareCsat(
  previous: readonly number[],
  current: readonly number[],
  options: ComparisonOptions = {},
): PeriodComparison {
  return compareCsatCounts(countCsat('compareCsat', previous), countCsat('compareCsat', current), options);
}

/** `compareCsat` from counts. */
export function compareCsatCounts(previous: CsatCounts, current: CsatCounts, options: ComparisonOptions = {}): PeriodComparison {
  const { minResponses, alpha } = comparisonOptions('compareCsat', options);
  const { n: n1, satisfied: x1 } = previous;
  const { n: n2, satisfied: x2 } = current;
  if (n1 === 0 || n2 === 0) return emptyComparison(n1 === 0 ? null : x1 / n1, n2 === 0 ? null : x2 / n2, n1, n2);
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return verdictOf(p1, p2, n1, n2, standardError, minResponses, alpha);
}

/**
 * Did NPS change between two periods? z = (NPS₂ − NPS₁) / √(var₁ + var₂) with each period's
 * trinomial variance var = (p_pro + p_det − (p_pro − p_det)²) / n on the unadjusted shares (a Wald
 * test of equal NPS that does not assume equal promoter and detractor shares). When both variances
 * are 0 (every response in one category in both periods) the p-value is 1 for equal NPS, else 0.
 * Values and difference are in points.
 */
export function compareNps(
  previous: readonly number[],
  current: readonly number[],
  options: ComparisonOptions = {},
): PeriodComparison {
  return compareNpsCounts(countNps('compareNps', previous), countNps('compareNps', current), options);
}

/** `compareNps` from counts. */
export function compareNpsCounts(a: NpsCounts, b: NpsCounts, options: ComparisonOptions = {}): PeriodComparison {
  const { minResponses, alpha } = comparisonOptions('compareNps', options);
  const n1 = a.promoters + a.passives + a.detractors;
  const n2 = b.promoters + b.passives + b.detractors;
  if (n1 === 0 || n2 === 0) {
    const netShare = (c: NpsCounts, n: number): number | null => (n === 0 ? null : (c.promoters - c.detractors) / n);
    return emptyComparison(netShare(a, n1), netShare(b, n2), n1, n2, 100);
  }
  const pro1 = a.promoters / n1;
  const det1 = a.detractors / n1;
  const pro2 = b.promoters / n2;
  const det2 = b.detractors / n2;
  const standardError = Math.sqrt(npsVariance(pro1, det1, n1) + npsVariance(pro2, det2, n2));
  return verdictOf(pro1 - det1, pro2 - det2, n1, n2, standardError, minResponses, alpha, 100);
}

/**
 * Normal quantile for a two-sided interval at `confidence` (0.95 → 1.959963984540054), by
 * Wichura's AS 241 (PPND16, relative error about 1e-16). simple-statistics' `probit` is only good
 * to about 3 decimals (it gives 1.9572), which would move interval bounds in the 4th digit.
 */
export function zForConfidence(caller: string, confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`${caller}: confidence must be between 0 and 1, got ${String(confidence)}`);
  }
  return normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * Two-sided p-value of a standard normal statistic, 2·Φ(−|z|) = erfc(|z|/√2), with the Numerical
 * Recipes Chebyshev erfc (relative error < 1.2e-7 everywhere, so tiny p-values stay meaningful).
 */
export function twoSidedPValue(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc = t * Math.exp(-x * x + horner(ERFC_CHEBYSHEV, t));
  return Math.min(1, erfc);
}

/** Numerical Recipes (2nd ed., §6.2) erfcc coefficients, highest power of t first. */
const ERFC_CHEBYSHEV = [
  0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223,
] as const;

/** NPS answers by group: 9–10, 7–8, 0–6. */
export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

function countNps(caller: string, scores: readonly number[]): NpsCounts {
  const counts: NpsCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const score of scores) {
    assertScore(caller, score, 'nps');
    if (score >= 9) counts.promoters++;
    else if (score >= 7) counts.passives++;
    else counts.detractors++;
  }
  return counts;
}

/** Variance of p_pro − p_det for a trinomial sample of size n (NPS on the −1..1 scale). */
function npsVariance(pPro: number, pDet: number, n: number): number {
  const net = pPro - pDet;
  return Math.max(0, pPro + pDet - net * net) / n;
}

function verdictOf(
  before: number,
  after: number,
  n1: number,
  n2: number,
  standardError: number,
  minResponses: number,
  alpha: number,
  unit = 1,
): PeriodComparison {
  const difference = after - before;
  let z: number;
  let pValue: number;
  if (standardError > 0) {
    z = difference / standardError;
    pValue = twoSidedPValue(z);
  } else {
    // No spread in either period: the shares are certain, so any difference is the whole story.
    z = difference === 0 ? 0 : Math.sign(difference) * Infinity;
    pValue = difference === 0 ? 1 : 0;
  }
  let verdict: ChangeVerdict;
  if (n1 < minResponses || n2 < minResponses) verdict = 'too few';
  else if (pValue >= alpha) verdict = 'no significant change';
  else verdict = difference > 0 ? 'up' : 'down';
  return {
    previous: before * unit,
    current: after * unit,
    difference: difference * unit,
    previousN: n1,
    currentN: n2,
    z,
    pValue,
    verdict,
  };
}

function emptyComparison(
  before: number | null,
  after: number | null,
  n1: number,
  n2: number,
  unit = 1,
): PeriodComparison {
  return {
    previous: before === null ? null : before * unit,
    current: after === null ? null : after * unit,
    difference: null,
    previousN: n1,
    currentN: n2,
    z: null,
    pValue: null,
    verdict: 'too few',
  };
}

function checkMinResponses(caller: string, minResponses: number | undefined): number {
  const value = minResponses ?? DEFAULT_MIN_RESPONSES;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${caller}: minResponses must be a whole number ≥ 0, got ${String(value)}`);
  }
  return value;
}

function comparisonOptions(caller: string, options: ComparisonOptions): { minResponses: number; alpha: number } {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${caller}: alpha must be between 0 and 1, got ${String(alpha)}`);
  return { minResponses: checkMinResponses(caller, options.minResponses), alpha };
}

/** Wichura (1988) AS 241 coefficients, highest power first, as polynomial pairs (numerator, denominator). */
const AS241_CENTRAL = [
  [2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457, 13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608],
  [5226.495278852545925, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867, 5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1],
] as const;
const AS241_NEAR = [
  [7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258, 3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734],
  [1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459, 0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1],
] as const;
const AS241_TAIL = [
  [2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093, 0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772],
  [2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4, 0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769, 1],
] as const;

function horner(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (const c of coefficients) value = value * x + c;
  return value;
}

/** Wichura (1988) AS 241, PPND16: the p-quantile of the standard normal, 0 < p < 1. */
function normalQuantile(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(AS241_CENTRAL[0], r)) / horner(AS241_CENTRAL[1], r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const [numerator, denominator] = r <= 5 ? AS241_NEAR : AS241_TAIL;
  const x = r <= 5 ? r - 1.6 : r - 5;
  const value = horner(numerator, x) / horner(denominator, x);
  return q < 0 ? -value : value;
}
