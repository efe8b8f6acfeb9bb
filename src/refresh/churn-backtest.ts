// Calibrates the churn score on the store's own history and measures it honestly: features as of a
// cutoff (horizon days before the as-of day), label = no purchase in the horizon after it. Weights
// are fitted on a random half and judged on the other half, next to a recency-only baseline; the
// weights used for today's scores are then fitted on all of it.
import { churnLabels, compareWithBaseline } from '../analytics/backtest.ts';
import { mulberry32 } from '../analytics/random.ts';
import { churnFeatureMatrix, churnProbabilities, DEFAULT_CHURN_WEIGHTS, fitChurnWeights } from '../analytics/churn-risk.ts';
import type { ChurnRiskInput, ChurnWeights } from '../analytics/churn-risk.ts';
import type { PAliveChoice } from '../analytics/p-alive-choice.ts';
import { FeedbackBuilder, scaleOf, type FeedbackAnswers, type OrderHistories } from '../db/histories.ts';
import { doneHere, inBackground, type BackgroundRun } from '../core/threads.ts';
import { customerStateAsOf, nullIfNaN } from './customer-state.ts';
import { fitModels } from './fit-models.ts';

export interface ChurnBacktest {
  cutoffDay: number;
  horizonDays: number;
  n: number;
  churnRate: number;
  auc: number | null;
  baselineAuc: number | null;
  precisionTopDecile: number;
  baselinePrecisionTopDecile: number;
  beatsBaseline: boolean;
  trainN: number;
  testN: number;
}

export interface ChurnCalibration {
  weights: ChurnWeights;
  weightsSource: 'fitted' | 'default';
  backtest: ChurnBacktest | null;
  /** Why there is no backtest (too little history, too few churners…). */
  note?: string;
}

const MIN_ELIGIBLE = 50;
/** A random sample this large measures AUC to about ±0.003 and fits eight weights comfortably. */
export const BACKTEST_SAMPLE = 150_000;

/**
 * `pAliveFrom` is today's P(alive) choice: the features at the cutoff are computed the same way (the
 * chosen model refitted on the history before the cutoff; no P(alive) when today's is not a model's).
 */
export function calibrateChurn(
  h: OrderHistories,
  feedback: FeedbackAnswers,
  asOfDay: number,
  firstDataDay: number,
  horizonDays = 90,
  seed = 1,
  pAliveFrom: Pick<PAliveChoice, 'chosen' | 'basis'> = { chosen: 'paretoNbd', basis: 'model' },
): ChurnCalibration {
  const cutoff = asOfDay - horizonDays;
  if (!(cutoff - firstDataDay >= horizonDays)) {
    const note = `needs at least ${2 * horizonDays} days of history (has ${Math.max(0, asOfDay - firstDataDay)})`;
    return { weights: DEFAULT_CHURN_WEIGHTS, weightsSource: 'default', backtest: null, note };
  }
  const sample = sampleCustomers(h, feedback, BACKTEST_SAMPLE, seed);
  return calibrateOnSample(sample.h, sample.feedback, asOfDay, horizonDays, seed, pAliveFrom);
}

/** A store at least this big runs its churn backtest on a worker thread. */
export const BACKTEST_OFF_THREAD_CUSTOMERS = 50_000;

/**
 * `calibrateChurn` on a worker thread for a big store, so that the refresh goes on with the
 * expected spend, CLV, RFM and clusters meanwhile (scoring needs the weights, so it waits). The
 * sample is drawn here, as calibrateChurn draws it, and only it crosses over.
 */
export function calibrateChurnInBackground(
  h: OrderHistories,
  feedback: FeedbackAnswers,
  asOfDay: number,
  firstDataDay: number,
  horizonDays: number,
  seed: number,
  pAliveFrom: Pick<PAliveChoice, 'chosen' | 'basis'>,
  offThreadFrom = BACKTEST_OFF_THREAD_CUSTOMERS,
): BackgroundRun<ChurnCalibration> {
  const cutoff = asOfDay - horizonDays;
  if (h.customerIds.length < offThreadFrom || !(cutoff - firstDataDay >= horizonDays)) {
    return doneHere(() => calibrateChurn(h, feedback, asOfDay, firstDataDay, horizonDays, seed, pAliveFrom));
  }
  const sample = sampleCustomers(h, feedback, BACKTEST_SAMPLE, seed);
  const request: BacktestRequest = { h: sample.h, feedback: sample.feedback, asOfDay, horizonDays, seed, pAliveFrom: { chosen: pAliveFrom.chosen, basis: pAliveFrom.basis } };
  return inBackground(new URL('./churn-backtest-worker.ts', import.meta.url), 'churn-backtest-worker', { ...request }, import.meta.url, 'churn backtest');
}

/** What the backtest worker is given: the sample and what calibrateOnSample needs besides. */
export interface BacktestRequest {
  h: OrderHistories;
  feedback: FeedbackAnswers;
  asOfDay: number;
  horizonDays: number;
  seed: number;
  pAliveFrom: Pick<PAliveChoice, 'chosen' | 'basis'>;
}

/** calibrateChurn on its sample, the history long enough (the worker's part). */
export function calibrateOnSample(
  h: OrderHistories,
  feedback: FeedbackAnswers,
  asOfDay: number,
  horizonDays: number,
  seed: number,
  pAliveFrom: Pick<PAliveChoice, 'chosen' | 'basis'>,
): ChurnCalibration {
  const cutoff = asOfDay - horizonDays;
  const state = customerStateAsOf(h, feedback, cutoff);
  const models = fitModels(state, { pAliveOnly: pAliveFrom });
  const eligible: number[] = [];
  const inputs: ChurnRiskInput[] = [];
  const before: number[] = [];
  const after: number[] = [];
  const since: number[] = [];
  for (const i of state.buyers) {
    const cadence = state.cadence.at(i);
    const pAlive = models.pAlive[i]!;
    eligible.push(i);
    inputs.push({
      cadence,
      populationGapDays: state.populationGapDays,
      pAlive: Number.isNaN(pAlive) ? null : pAlive,
      satisfaction: state.satisfaction[i]!,
      expectedPurchases90: nullIfNaN(models.expected90ForChurn[i]!),
    });
    before.push(state.summaries.lastPurchaseDay[i]!);
    after.push(firstPurchaseAfter(h, i, cutoff));
    since.push(cadence.daysSinceLastPurchase ?? 0);
  }
  if (eligible.length < MIN_ELIGIBLE) {
    return { weights: DEFAULT_CHURN_WEIGHTS, weightsSource: 'default', backtest: null, note: `only ${eligible.length} customers had bought by the cutoff` };
  }
  const labels = churnLabels({ lastPurchaseDayBeforeCutoff: before, firstPurchaseDayAfterCutoff: after, cutoffDay: cutoff, horizonDays, dataEndDay: asOfDay });
  let churned = 0;
  for (const l of labels) churned += l === 1 ? 1 : 0;
  if (churned < 10 || churned > labels.length - 10) {
    const note = `too few churners or stayers to learn from (${churned} of ${labels.length} churned)`;
    return { weights: DEFAULT_CHURN_WEIGHTS, weightsSource: 'default', backtest: null, note };
  }
  const matrix = churnFeatureMatrix(inputs);
  const p = matrix.length / inputs.length;
  const train: number[] = [];
  const test: number[] = [];
  const random = mulberry32(seed);
  for (let j = 0; j < inputs.length; j++) (random() < 0.5 ? train : test).push(j);
  const rows = (idx: number[]) => {
    const m = new Float64Array(idx.length * p);
    idx.forEach((j, r) => m.set(matrix.subarray(j * p, (j + 1) * p), r * p));
    return m;
  };
  const trainFit = fitChurnWeights(rows(train), train.map((j) => labels[j]!));
  const testScores = churnProbabilities(rows(test), trainFit.weights);
  const cmp = compareWithBaseline(testScores, test.map((j) => since[j]!), test.map((j) => labels[j]!));
  const all = fitChurnWeights(matrix, labels);
  return {
    weights: all.weights,
    weightsSource: 'fitted',
    backtest: {
      cutoffDay: cutoff,
      horizonDays,
      n: cmp.n,
      churnRate: cmp.churnRate,
      auc: cmp.model.auc,
      baselineAuc: cmp.baseline.auc,
      precisionTopDecile: cmp.model.precisionTopDecile,
      baselinePrecisionTopDecile: cmp.baseline.precisionTopDecile,
      beatsBaseline: cmp.beatsBaseline,
      trainN: train.length,
      testN: test.length,
    },
  };
}

function firstPurchaseAfter(h: OrderHistories, i: number, day: number): number {
  for (let k = h.offsets[i]!; k < h.offsets[i + 1]!; k++) if (h.days[k]! > day && h.amounts[k]! >= 0) return h.days[k]!;
  return NaN;
}


/** At most `max` customers, chosen by a seeded shuffle, with their orders and feedback. */
export function sampleCustomers(
  h: OrderHistories,
  feedback: FeedbackAnswers,
  max: number,
  seed: number,
): { h: OrderHistories; feedback: FeedbackAnswers } {
  const n = h.customerIds.length;
  if (n <= max) return { h, feedback };
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = mulberry32(seed);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const chosen = order.slice(0, max).sort();
  const newIndex = new Int32Array(n).fill(-1);
  chosen.forEach((old, k) => (newIndex[old] = k));
  let total = 0;
  for (const old of chosen) total += h.offsets[old + 1]! - h.offsets[old]!;
  const offsets = new Int32Array(max + 1);
  const days = new Int32Array(total);
  const amounts = new Float64Array(total);
  let at = 0;
  chosen.forEach((old, k) => {
    offsets[k] = at;
    for (let j = h.offsets[old]!; j < h.offsets[old + 1]!; j++, at++) {
      days[at] = h.days[j]!;
      amounts[at] = h.amounts[j]!;
    }
  });
  offsets[max] = at;
  const customerIds = Array.from(chosen, (old) => h.customerIds[old]!);
  const sub: OrderHistories = { customerIds, owners: Array.from(chosen, (old) => h.owners[old] ?? null), offsets, days, amounts };
  const subFeedback = new FeedbackBuilder();
  for (let k = 0; k < feedback.length; k++) {
    const at = newIndex[feedback.customerIndex[k]!]!;
    if (at >= 0) subFeedback.push(at, feedback.day[k]!, scaleOf(feedback, k), feedback.score[k]!);
  }
  return { h: sub, feedback: subFeedback.finish() };
}
