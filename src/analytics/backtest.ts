// Backtest metrics: ROC AUC as the Mann–Whitney U statistic (Hanley & McNeil 1982), precision in the top decile, and churn labels after a cutoff.

/** Label of one customer in a churn backtest. */
export const CHURNED = 1;
export const RETAINED = 0;
/** Not in the backtest: no purchase on or before the cutoff (a prospect then). */
export const NOT_ELIGIBLE = -1;

export interface ChurnLabelInput {
  /** Latest purchase day on or before the cutoff, per customer; NaN = none (not eligible). */
  readonly lastPurchaseDayBeforeCutoff: ArrayLike<number>;
  /** First purchase day after the cutoff, per customer; NaN = none. */
  readonly firstPurchaseDayAfterCutoff: ArrayLike<number>;
  readonly cutoffDay: number;
  /** Length of the outcome window (cutoff, cutoff + horizonDays]. */
  readonly horizonDays: number;
  /** Last day the data covers; the window must fit inside it or the labels would be censored. */
  readonly dataEndDay: number;
}

/**
 * The backtest contract. Features are computed from history on or before `cutoffDay` only; the
 * label says whether the customer bought again in (cutoff, cutoff + horizon]: 1 churned (no
 * purchase), 0 retained, −1 not eligible (never bought by the cutoff). Throws when the window runs
 * past the data, which would call customers churned merely because time has not passed yet.
 * @example churnLabels({ lastPurchaseDayBeforeCutoff: [10, NaN], firstPurchaseDayAfterCutoff: [NaN, 120], cutoffDay: 100, horizonDays: 90, dataEndDay: 200 }) // Int8Array [1, -1]
 */
export function churnLabels(input: ChurnLabelInput): Int8Array {
  const { lastPurchaseDayBeforeCutoff: before, firstPurchaseDayAfterCutoff: after, cutoffDay, horizonDays, dataEndDay } = input;
  if (before.length !== after.length) throw new RangeError('churnLabels requires aligned arrays');
  if (!(horizonDays > 0)) throw new RangeError('churnLabels requires a positive horizon');
  if (cutoffDay + horizonDays > dataEndDay) {
    throw new RangeError(`churnLabels: the window ends on day ${cutoffDay + horizonDays}, after the data (day ${dataEndDay})`);
  }
  const labels = new Int8Array(before.length);
  for (let i = 0; i < before.length; i++) {
    const last = before[i]!;
    if (Number.isNaN(last)) {
      labels[i] = NOT_ELIGIBLE;
      continue;
    }
    if (last > cutoffDay) throw new RangeError(`churnLabels: row ${i} has a purchase before the cutoff dated after it`);
    const next = after[i]!;
    if (!Number.isNaN(next) && next <= cutoffDay) throw new RangeError(`churnLabels: row ${i} has a purchase after the cutoff dated before it`);
    labels[i] = !Number.isNaN(next) && next <= cutoffDay + horizonDays ? RETAINED : CHURNED;
  }
  return labels;
}

function checkInputs(name: string, scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) throw new RangeError(`${name} requires as many labels as scores`);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) throw new RangeError(`${name}: score ${i} is NaN`);
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`${name}: label ${i} must be 0 or 1`);
  }
}

/**
 * ROC AUC: the probability that a random positive (label 1) scores above a random negative, a tie
 * counting one half (Mann–Whitney U / (n₁·n₀)). Null when either class is empty.
 * @example rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  checkInputs('rocAuc', scores, labels);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  // walk both sorted lists: for each positive, negatives strictly below count 1, equal ones ½
  let u = 0;
  let j = 0;
  for (let i = 0; i < positives; ) {
    const value = pos[i]!;
    while (j < negatives && neg[j]! < value) j++;
    const below = j;
    let equal = 0;
    while (j + equal < negatives && neg[j + equal]! === value) equal++;
    let tiedPositives = 0;
    while (i < positives && pos[i]! === value) {
      tiedPositives++;
      i++;
    }
    u += tiedPositives * (below + equal / 2);
  }
  return u / (positives * negatives);
}

export interface TopFractionPrecision {
  /** Share of label-1 customers among the top-scored `selected` (ties at the cut shared pro rata). */
  readonly precision: number;
  /** ceil(fraction × n) customers selected. */
  readonly selected: number;
  /** Share of label-1 customers overall: what random selection would reach. */
  readonly baseRate: number;
  /** precision / baseRate. */
  readonly lift: number;
}

/**
 * Precision among the highest-scored ceil(fraction·n) customers. Customers tied with the cut-off
 * score are counted pro rata (the expected precision when ties are broken at random), so input
 * order never matters.
 * @example precisionAtTop([9, 8, 7, 1, 1, 1, 1, 1, 1, 1], [1, 0, 1, 0, 0, 0, 0, 0, 0, 0], 0.2).precision // 0.5
 */
export function precisionAtTop(scores: ArrayLike<number>, labels: ArrayLike<number>, fraction: number): TopFractionPrecision {
  checkInputs('precisionAtTop', scores, labels);
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError('precisionAtTop requires 0 < fraction ≤ 1');
  const n = scores.length;
  if (n === 0) throw new RangeError('precisionAtTop requires at least one score');
  const selected = Math.ceil(fraction * n - 1e-9);
  const sorted = Float64Array.from(scores).sort();
  const threshold = sorted[n - selected]!;
  let above = 0;
  let positivesAbove = 0;
  let tied = 0;
  let positivesTied = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    const label = labels[i]!;
    positives += label;
    if (s > threshold) {
      above++;
      positivesAbove += label;
    } else if (s === threshold) {
      tied++;
      positivesTied += label;
    }
  }
  const precision = (positivesAbove + ((selected - above) * positivesTied) / tied) / selected;
  const baseRate = positives / n;
  return { precision, selected, baseRate, lift: baseRate > 0 ? precision / baseRate : NaN };
}

/** Precision in the top decile of scores. */
export function precisionAtTopDecile(scores: ArrayLike<number>, labels: ArrayLike<number>): TopFractionPrecision {
  return precisionAtTop(scores, labels, 0.1);
}

export interface ScoreMetrics {
  readonly auc: number | null;
  readonly precisionTopDecile: number;
  readonly liftTopDecile: number;
}

export interface BaselineComparison {
  readonly model: ScoreMetrics;
  /** The recency-only baseline: score = days since last purchase as of the cutoff. */
  readonly baseline: ScoreMetrics;
  /** Eligible customers (labels 0 or 1) evaluated. */
  readonly n: number;
  readonly churned: number;
  readonly churnRate: number;
  /** The model's AUC is higher than the baseline's. */
  readonly beatsBaseline: boolean;
}

/**
 * Model score vs the recency-only baseline on the same customers. Rows labelled −1 (not eligible)
 * are skipped; both scores must rank higher = more likely to churn.
 * @example compareWithBaseline(modelRisk, daysSinceLastPurchase, churnLabels(...)).beatsBaseline
 */
export function compareWithBaseline(
  modelScores: ArrayLike<number>,
  daysSinceLastPurchase: ArrayLike<number>,
  labels: ArrayLike<number>,
): BaselineComparison {
  if (modelScores.length !== labels.length || daysSinceLastPurchase.length !== labels.length) {
    throw new RangeError('compareWithBaseline requires aligned arrays');
  }
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 0 || labels[i] === 1) n++;
  if (n === 0) throw new RangeError('compareWithBaseline requires at least one eligible customer');
  const model = new Float64Array(n);
  const baseline = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0, t = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) continue;
    model[t] = modelScores[i]!;
    baseline[t] = daysSinceLastPurchase[i]!;
    y[t++] = labels[i]!;
  }
  const metrics = (scores: Float64Array): ScoreMetrics => {
    const top = precisionAtTopDecile(scores, y);
    return { auc: rocAuc(scores, y), precisionTopDecile: top.precision, liftTopDecile: top.lift };
  };
  const modelMetrics = metrics(model);
  const baselineMetrics = metrics(baseline);
  let churned = 0;
  for (let i = 0; i < n; i++) churned += y[i]!;
  return {
    model: modelMetrics,
    baseline: baselineMetrics,
    n,
    churned,
    churnRate: n > 0 ? churned / n : NaN,
    beatsBaseline: modelMetrics.auc !== null && baselineMetrics.auc !== null && modelMetrics.auc > baselineMetrics.auc,
  };
}
