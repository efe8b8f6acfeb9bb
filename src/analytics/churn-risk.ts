// Churn risk 0–100 = 100·σ(w·x), a logistic model (Cox 1958) over overdue ratio, P(alive) and
// satisfaction, weights fitted by IRLS (Newton–Raphson, McCullagh & Nelder 1989 §4.4).
import { expectedGap, overdueRatio, type CustomerCadence, type ExpectedGap } from './cadence.ts';
import { fitLogistic, type LogisticFit, type LogisticFitOptions } from './logistic-regression.ts';

/**
 * Model features. Each is 0 for an ideal customer (bought today, surely alive, top scores) and grows
 * as things get worse, so a non-negative weight means "this raises risk" and a driver's share of
 * the risk is simply weight × value.
 * - overdue: ln(1 + min(days since last purchase ÷ usual gap, 50))
 * - notAlive: 1 − P(alive) (0.5 when unknown)
 * - lastScoreLow: 1 − latest feedback score on a 0–1 scale (CSAT (s−1)/4, NPS s/10); 0 without feedback
 * - meanScoreLow: 1 − mean feedback score on that scale; 0 without feedback
 * - recentDetractors: ln(1 + detractor responses in the recent window) (CSAT ≤ 2, NPS ≤ 6)
 * - satisfactionDrop: max(0, earlier mean − recent mean) on the 0–1 scale; 0 unless both exist
 * - noFeedback: 1 when the customer never gave feedback (missing-indicator)
 * - fewPurchasesExpected: exp(−E[purchases in the next 90 days | history]), the Poisson chance of
 *   none at the modelled rate (Pareto/NBD conditional expectation); 0 when not given
 */
export const CHURN_FEATURES = [
  'overdue',
  'notAlive',
  'lastScoreLow',
  'meanScoreLow',
  'recentDetractors',
  'satisfactionDrop',
  'noFeedback',
  'fewPurchasesExpected',
] as const;
export type ChurnFeature = (typeof CHURN_FEATURES)[number];

/** Logistic weights: risk = σ(intercept + Σ weight × feature). */
export type ChurnWeights = Readonly<Record<'intercept' | ChurnFeature, number>>;

/**
 * Weights before calibration on the store's own history (judgement, not data): an ideal customer
 * scores ≈ 2; one three usual gaps overdue with P(alive) 0.2 and a single recent CSAT of 2 scores 92.
 */
export const DEFAULT_CHURN_WEIGHTS: ChurnWeights = Object.freeze({
  intercept: -4,
  overdue: 1.5,
  notAlive: 2.5,
  lastScoreLow: 1.5,
  meanScoreLow: 1,
  recentDetractors: 0.8,
  satisfactionDrop: 1.5,
  noFeedback: 0,
  fewPurchasesExpected: 1,
});

export type FeedbackScale = 'csat' | 'nps';

export interface FeedbackResponse {
  readonly score: number;
  readonly scale: FeedbackScale;
  /** Integer day number of the response. */
  readonly day: number;
}

/** Satisfaction facts for one customer, from `satisfactionSignals`. */
export interface SatisfactionSignals {
  /** The most recent response (the later in input order when two share a day). */
  readonly latest: { readonly score: number; readonly scale: FeedbackScale; readonly day: number };
  /** Responses on or before the as-of day. */
  readonly responses: number;
  /** Mean of all responses on the 0–1 scale. */
  readonly meanScore: number;
  /** Detractor responses (CSAT ≤ 2, NPS ≤ 6) in the recent window. */
  readonly recentDetractors: number;
  /** Length of the recent window in days. */
  readonly recentDays: number;
  /** Mean on the 0–1 scale inside the recent window; null with no recent response. */
  readonly recentMeanScore: number | null;
  /** Mean on the 0–1 scale before the recent window; null with no earlier response. */
  readonly earlierMeanScore: number | null;
}

export interface ChurnRiskInput {
  /** Cadence as of the scoring day (`customerCadence`). */
  readonly cadence: CustomerCadence;
  /** Median usual gap across customers, the usual gap of a one-time buyer. */
  readonly populationGapDays: number;
  /** P(alive) from Pareto/NBD or MBG/NBD; null when unknown. */
  readonly pAlive: number | null;
  /** From `satisfactionSignals`; null when the customer never gave feedback. */
  readonly satisfaction: SatisfactionSignals | null;
  /** Expected purchases in the next 90 days given the history (Pareto/NBD); absent when unknown. */
  readonly expectedPurchases90?: number | null;
}

export interface ChurnDriver {
  readonly feature: ChurnFeature;
  /** weight × feature value, in log-odds: how much this pushes the risk up. */
  readonly contribution: number;
  /** The fact in words: "no purchase for 142 days, 3.1× this customer's usual gap". */
  readonly text: string;
}

export interface ChurnRiskResult {
  /** 0–100, rounded: 100 × probability. */
  readonly risk: number;
  /** Modelled probability of no further purchase, unrounded (use it to rank). */
  readonly probability: number;
  readonly features: Readonly<Record<ChurnFeature, number>>;
  /** The biggest upward pushes that are bad news in themselves, largest first (at most `maxDrivers`, each ≥ `minContribution`). */
  readonly drivers: ChurnDriver[];
}

const MAX_OVERDUE_RATIO = 50;

/**
 * Scales a feedback score to 0–1 (CSAT 1–5 → (s − 1)/4, NPS 0–10 → s/10).
 * @example normaliseScore(4, 'csat') // 0.75
 */
export function normaliseScore(score: number, scale: FeedbackScale): number {
  const [lo, hi] = scale === 'csat' ? [1, 5] : [0, 10];
  if (!(score >= lo && score <= hi)) throw new RangeError(`normaliseScore: ${scale} scores run ${lo}–${hi}, got ${score}`);
  return (score - lo) / (hi - lo);
}

/** Detractor: CSAT 1–2 or NPS 0–6. */
export function isDetractor(score: number, scale: FeedbackScale): boolean {
  return scale === 'csat' ? score <= 2 : score <= 6;
}

/**
 * Satisfaction signals as of a day from a customer's responses; null without any response.
 * @example satisfactionSignals([{ score: 2, scale: 'csat', day: 100 }], 120)?.latest // { score: 2, scale: 'csat', day: 100 }
 */
export function satisfactionSignals(
  responses: readonly FeedbackResponse[],
  asOfDay: number,
  recentDays = 90,
): SatisfactionSignals | null {
  let latest: FeedbackResponse | null = null;
  let count = 0;
  let sum = 0;
  let recentCount = 0;
  let recentSum = 0;
  let recentDetractors = 0;
  for (const response of responses) {
    if (response.day > asOfDay) continue;
    const value = normaliseScore(response.score, response.scale);
    count++;
    sum += value;
    if (latest === null || response.day >= latest.day) latest = response;
    if (response.day > asOfDay - recentDays) {
      recentCount++;
      recentSum += value;
      if (isDetractor(response.score, response.scale)) recentDetractors++;
    }
  }
  if (latest === null) return null;
  const earlierCount = count - recentCount;
  return {
    latest: { score: latest.score, scale: latest.scale, day: latest.day },
    responses: count,
    meanScore: sum / count,
    recentDetractors,
    recentDays,
    recentMeanScore: recentCount > 0 ? recentSum / recentCount : null,
    earlierMeanScore: earlierCount > 0 ? (sum - recentSum) / earlierCount : null,
  };
}

/**
 * Feature values for one customer; null for a prospect (no purchase: no churn to speak of).
 * @example churnFeatures(input)?.overdue // ln(1 + 3.09) ≈ 1.41 for 142 days at a 46-day usual gap
 */
export function churnFeatures(input: ChurnRiskInput): Record<ChurnFeature, number> | null {
  const { cadence, pAlive, satisfaction } = input;
  if (cadence.purchaseDays === 0 || cadence.daysSinceLastPurchase === null) return null;
  if (pAlive !== null && !(pAlive >= 0 && pAlive <= 1)) throw new RangeError('churnFeatures requires pAlive in [0, 1] or null');
  const gap = expectedGap(cadence, input.populationGapDays);
  const ratio = overdueRatio(cadence.daysSinceLastPurchase, gap.days);
  const drop =
    satisfaction?.recentMeanScore != null && satisfaction.earlierMeanScore != null
      ? Math.max(0, satisfaction.earlierMeanScore - satisfaction.recentMeanScore)
      : 0;
  return {
    overdue: Math.log1p(Math.min(ratio, MAX_OVERDUE_RATIO)),
    notAlive: pAlive === null ? 0.5 : 1 - pAlive,
    lastScoreLow: satisfaction ? 1 - normaliseScore(satisfaction.latest.score, satisfaction.latest.scale) : 0,
    meanScoreLow: satisfaction ? 1 - satisfaction.meanScore : 0,
    recentDetractors: satisfaction ? Math.log1p(satisfaction.recentDetractors) : 0,
    satisfactionDrop: drop,
    noFeedback: satisfaction ? 0 : 1,
    fewPurchasesExpected:
      input.expectedPurchases90 == null || !Number.isFinite(input.expectedPurchases90) ? 0 : Math.exp(-Math.max(0, input.expectedPurchases90)),
  };
}

/**
 * Churn risk with its top drivers in words; null for a prospect.
 * @example churnRisk(input).drivers[0].text // 'no purchase for 142 days, 3.1× this customer's usual gap'
 */
export function churnRisk(
  input: ChurnRiskInput,
  weights: ChurnWeights = DEFAULT_CHURN_WEIGHTS,
  options: { readonly maxDrivers?: number; readonly minContribution?: number } = {},
): ChurnRiskResult | null {
  const features = churnFeatures(input);
  if (features === null) return null;
  let logit = weights.intercept;
  const minContribution = options.minContribution ?? 0.1;
  // Only the pushes that are reasons become objects (a refresh scores a million customers).
  const reasons: { feature: ChurnFeature; contribution: number; order: number }[] = [];
  for (let order = 0; order < CHURN_FEATURES.length; order++) {
    const feature = CHURN_FEATURES[order]!;
    const contribution = weights[feature] * features[feature];
    logit += contribution;
    if (contribution >= minContribution && isReason(feature, input, features)) reasons.push({ feature, contribution, order });
  }
  const probability = sigmoid(logit);
  const gap = expectedGap(input.cadence, input.populationGapDays);
  const drivers = reasons
    .sort((a, b) => b.contribution - a.contribution || a.order - b.order)
    .slice(0, options.maxDrivers ?? 3)
    .map(({ feature, contribution }) => ({ feature, contribution, text: driverText(feature, input, gap) }));
  return { risk: Math.round(100 * probability), probability, features, drivers };
}

/**
 * A push is shown as a reason only when the fact behind it is bad news in itself: within their usual
 * gap, expecting a purchase or more in the next 90 days, or likely alive, a customer's figure can
 * still add a little risk, but telling a rep "expected to buy 3.5 times" as a reason to call is wrong.
 */
function isReason(feature: ChurnFeature, input: ChurnRiskInput, features: Record<ChurnFeature, number>): boolean {
  switch (feature) {
    case 'overdue':
      return features.overdue >= Math.LN2; // at least one usual gap since the last purchase
    case 'notAlive':
      return input.pAlive !== null && input.pAlive < 0.8;
    case 'fewPurchasesExpected':
      return input.expectedPurchases90 != null && input.expectedPurchases90 < 1;
    default:
      return true;
  }
}

function driverText(feature: ChurnFeature, input: ChurnRiskInput, gap: ExpectedGap): string {
  const { cadence, satisfaction, pAlive } = input;
  const since = cadence.daysSinceLastPurchase ?? 0;
  switch (feature) {
    case 'overdue': {
      const ratio = overdueRatio(since, gap.days).toFixed(1);
      return gap.source === 'customer'
        ? `no purchase for ${days(since)}, ${ratio}× this customer's usual gap`
        : `no purchase for ${days(since)}, ${ratio}× the typical gap of ${days(gap.days)} (one purchase so far)`;
    }
    case 'notAlive':
      return pAlive === null ? 'P(alive) unknown' : `P(alive) ${pAlive.toFixed(2)}`;
    case 'lastScoreLow':
      return `last ${scoreText(satisfaction!.latest.score, satisfaction!.latest.scale)}`;
    case 'meanScoreLow': {
      const { scale } = satisfaction!.latest;
      const responses = satisfaction!.responses === 1 ? '1 response' : `${satisfaction!.responses} responses`;
      return `average ${scoreText(fromUnit(satisfaction!.meanScore, scale), scale)} over ${responses}`;
    }
    case 'recentDetractors': {
      const n = satisfaction!.recentDetractors;
      return `${n} detractor ${n === 1 ? 'response' : 'responses'} in the last ${satisfaction!.recentDays} days`;
    }
    case 'satisfactionDrop': {
      const { scale } = satisfaction!.latest;
      const earlier = fromUnit(satisfaction!.earlierMeanScore!, scale);
      const recent = fromUnit(satisfaction!.recentMeanScore!, scale);
      return `average ${scale.toUpperCase()} down from ${earlier.toFixed(1)} to ${recent.toFixed(1)} in the last ${satisfaction!.recentDays} days`;
    }
    case 'noFeedback':
      return 'no feedback on record';
    case 'fewPurchasesExpected':
      return `expected to buy ${(input.expectedPurchases90 ?? 0).toFixed(1)} times in the next 90 days`;
  }
}

function scoreText(score: number, scale: FeedbackScale): string {
  const shown = Number.isInteger(score) ? String(score) : score.toFixed(1);
  return `${scale.toUpperCase()} ${shown}/${scale === 'csat' ? 5 : 10}`;
}

function fromUnit(value: number, scale: FeedbackScale): number {
  return scale === 'csat' ? 1 + 4 * value : 10 * value;
}

function days(value: number): string {
  const rounded = Math.round(value);
  return `${rounded} ${rounded === 1 ? 'day' : 'days'}`;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Row-major feature matrix (n × CHURN_FEATURES.length) for fitting or bulk scoring; throws on a
 * prospect, which has no place in a churn backtest.
 */
export function churnFeatureMatrix(inputs: readonly ChurnRiskInput[]): Float64Array {
  const p = CHURN_FEATURES.length;
  const matrix = new Float64Array(inputs.length * p);
  inputs.forEach((input, i) => {
    const features = churnFeatures(input);
    if (features === null) throw new RangeError(`churnFeatureMatrix: row ${i} has no purchase`);
    CHURN_FEATURES.forEach((feature, j) => (matrix[i * p + j] = features[feature]));
  });
  return matrix;
}

/** Probabilities σ(w·x) for every row of a `churnFeatureMatrix`. */
export function churnProbabilities(matrix: Float64Array, weights: ChurnWeights = DEFAULT_CHURN_WEIGHTS): Float64Array {
  const p = CHURN_FEATURES.length;
  const n = matrix.length / p;
  const w = CHURN_FEATURES.map((feature) => weights[feature]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let logit = weights.intercept;
    for (let j = 0; j < p; j++) logit += w[j]! * matrix[i * p + j]!;
    out[i] = sigmoid(logit);
  }
  return out;
}

export interface ChurnWeightFit {
  readonly weights: ChurnWeights;
  /** Unpenalised log-likelihood of the fitted weights on the training rows. */
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Features whose weight was held at 0 because the free fit made them lower risk. */
  readonly heldAtZero: ChurnFeature[];
  readonly n: number;
}

/**
 * Calibrates the weights on a backtest set (features as of a cutoff, label 1 = no purchase after
 * it; see backtest.ts `churnLabels`). Slopes in `nonNegative` (default: all but noFeedback) are
 * kept ≥ 0 so the risk stays monotone in overdue ratio, P(alive) and dissatisfaction: a slope that
 * comes out negative is held at 0 and the rest refitted (active set), until none does.
 * @example fitChurnWeights(churnFeatureMatrix(inputs), labels).weights.overdue // > 0 on real histories
 */
export function fitChurnWeights(
  matrix: Float64Array,
  churned: ArrayLike<number>,
  options: LogisticFitOptions & { readonly nonNegative?: readonly ChurnFeature[] } = {},
): ChurnWeightFit {
  const p = CHURN_FEATURES.length;
  const constrained = new Set(options.nonNegative ?? CHURN_FEATURES.filter((feature) => feature !== 'noFeedback'));
  const held = new Set<number>(options.fixedAtZero ?? []);
  // a column with no variation (no one gave feedback, say) carries no information: hold it at 0
  for (let j = 0; j < p; j++) if (isConstant(matrix, p, j)) held.add(j);
  let fit: LogisticFit;
  for (;;) {
    fit = fitLogistic(matrix, p, churned, { ...options, fixedAtZero: [...held] });
    const negative = CHURN_FEATURES.map((feature, j) => ({ feature, j }))
      .filter(({ feature, j }) => constrained.has(feature) && !held.has(j) && fit.coefficients[j + 1]! < 0)
      .sort((a, b) => fit.coefficients[a.j + 1]! - fit.coefficients[b.j + 1]!);
    if (negative.length === 0) break;
    held.add(negative[0]!.j);
  }
  const weights = Object.freeze(
    Object.fromEntries([['intercept', fit.coefficients[0]!], ...CHURN_FEATURES.map((feature, j) => [feature, fit.coefficients[j + 1]!])]),
  ) as ChurnWeights;
  return {
    weights,
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    converged: fit.converged,
    heldAtZero: CHURN_FEATURES.filter((_, j) => held.has(j)),
    n: churned.length,
  };
}

function isConstant(matrix: Float64Array, p: number, j: number): boolean {
  const n = matrix.length / p;
  for (let i = 1; i < n; i++) if (matrix[i * p + j] !== matrix[j]) return false;
  return true;
}

export { fitLogistic, type LogisticFit, type LogisticFitOptions } from './logistic-regression.ts';
