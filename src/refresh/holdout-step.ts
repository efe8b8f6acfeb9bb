// The holdout step of a refresh: every repeat-purchase model fitted on the orders up to N days before
// the as-of day and scored on the N days after (the model card's `holdout`); its per-customer error
// picks the model that scores P(alive).
import { calibrationAndHoldout, holdoutTable, type HoldoutTable } from '../analytics/holdout.ts';
import { fitEveryModel, REPEAT_PURCHASE_MODELS, type ModelFitResult, type ModelFits } from '../analytics/model-fits.ts';
import { expandToCustomers, groupHistories } from '../analytics/purchase-history.ts';
import type { RepeatPurchaseModelName } from '../analytics/repeat-purchase-model.ts';
import { doneHere, inBackground, type BackgroundRun } from '../core/threads.ts';
import { noFeedback, type OrderHistories } from '../db/histories.ts';
import { BACKTEST_SAMPLE, sampleCustomers } from './churn-backtest.ts';
import { pick, type CustomerState } from './customer-state.ts';

export interface HoldoutResult {
  calibrationEndDay: number;
  holdoutEndDay: number;
  days: number;
  /** Customers who had bought by the calibration end (of the sample, when there is one). */
  customers: number;
  /** Customers in the store when the check ran on a random sample of them; null when it used everyone. */
  sampledFrom: number | null;
  fits: ModelFits;
  table: HoldoutTable;
}

/** The nightly default: 90 days when the history is at least twice that, else half the history (never under 14 days). */
export function defaultHoldoutDays(firstDataDay: number, asOfDay: number): number | null {
  const span = asOfDay - firstDataDay;
  if (!(span >= 28)) return null;
  return span >= 180 ? 90 : Math.floor(span / 2);
}

/**
 * The refresh's holdout: `days` when asked for (`--holdout-days`), else the nightly default; null
 * only for a store with no buyers yet.
 */
export function holdoutFor(
  h: OrderHistories,
  state: CustomerState,
  days: number | undefined,
  seed: number,
  time?: <T>(name: string, fn: () => T) => T,
): HoldoutResult | { error: string } | null {
  const plan = holdoutDaysFor(state, days);
  if (typeof plan !== 'number') return plan;
  return runHoldout(h, state.asOfDay, plan, seed, time);
}

/** The holdout's days (`days` when asked for, else the nightly default), or why there is none. */
function holdoutDaysFor(state: CustomerState, days: number | undefined): number | { error: string } | null {
  if (state.buyers.length === 0) return null;
  let firstDataDay = Infinity;
  for (const i of state.buyers) firstDataDay = Math.min(firstDataDay, state.summaries.firstPurchaseDay[i]!);
  const chosen = days ?? defaultHoldoutDays(firstDataDay, state.asOfDay);
  if (chosen === null) return { error: `the history is only ${state.asOfDay - firstDataDay} days long (a holdout needs at least 28)` };
  if (!(Number.isInteger(chosen) && chosen >= 1)) return { error: `the holdout needs a whole number of days ≥ 1, got ${chosen}` };
  return chosen;
}

/** A store at least this big runs its holdout on a worker thread (a thread costs more than it saves below). */
export const HOLDOUT_OFF_THREAD_CUSTOMERS = 50_000;

/**
 * `holdoutFor` on a worker thread, for a big store: the refresh fits today's models meanwhile (see
 * fitModelsBeside). The sample is drawn here, as runHoldout draws it, and only it crosses over.
 * A failure of the thread fails the refresh, as a failure inline would.
 */
export function holdoutInBackground(
  h: OrderHistories,
  state: CustomerState,
  days: number | undefined,
  seed: number,
  offThreadFrom = HOLDOUT_OFF_THREAD_CUSTOMERS,
): BackgroundRun<HoldoutResult | { error: string } | null> {
  if (h.customerIds.length < offThreadFrom) return doneHere(() => holdoutFor(h, state, days, seed));
  const plan = holdoutDaysFor(state, days);
  if (typeof plan !== 'number') return doneHere(() => plan);
  const sample = sampleCustomers(h, noFeedback(), BACKTEST_SAMPLE, seed).h;
  const request: HoldoutRequest = { sample, total: h.customerIds.length, asOfDay: state.asOfDay, days: plan };
  const run = inBackground<WireHoldout>(new URL('./holdout-worker.ts', import.meta.url), 'holdout-worker', { ...request }, import.meta.url, 'holdout');
  return { ...run, result: run.result.then(fromWire) };
}

/** What the holdout worker is given: the sample and what runHoldout needs besides. */
export interface HoldoutRequest {
  sample: OrderHistories;
  total: number;
  asOfDay: number;
  days: number;
}

/** A holdout as it crosses between threads: each fitted model by its name (a model is code). */
export type WireHoldout = (Omit<HoldoutResult, 'fits'> & { fits: Omit<ModelFits, 'fitted'> & { fitted: Partial<Record<RepeatPurchaseModelName, Omit<ModelFitResult, 'model'>>> } }) | { error: string };

export function toWire(result: HoldoutResult | { error: string }): WireHoldout {
  if ('error' in result) return result;
  const fitted: Partial<Record<RepeatPurchaseModelName, Omit<ModelFitResult, 'model'>>> = {};
  for (const [name, f] of Object.entries(result.fits.fitted) as [RepeatPurchaseModelName, ModelFitResult][]) fitted[name] = { fit: f.fit, diagnosis: f.diagnosis };
  return { ...result, fits: { ...result.fits, fitted } };
}

function fromWire(wire: WireHoldout): HoldoutResult | { error: string } {
  if ('error' in wire) return wire;
  const fitted: ModelFits['fitted'] = {};
  for (const [name, f] of Object.entries(wire.fits.fitted) as [RepeatPurchaseModelName, Omit<ModelFitResult, 'model'>][]) {
    const model = REPEAT_PURCHASE_MODELS.find((m) => m.name === name);
    if (!model) throw new Error(`holdout: a fit of an unknown model, ${name}`);
    fitted[name] = { model, ...f };
  }
  return { ...wire, fits: { ...wire.fits, fitted } };
}

/**
 * Fits and scores the holdout; `{ error }` says in words why it could not run.
 * @example runHoldout(histories, asOfDay, 90, 1).table.rows[0] // { frequency: '0', customers, actual, expected: { bgnbd, paretoNbd, mbgnbd } }
 */
export function runHoldout(
  h: OrderHistories,
  asOfDay: number,
  days: number,
  seed = 1,
  time: <T>(name: string, fn: () => T) => T = (_, fn) => fn(),
): HoldoutResult | { error: string } {
  if (!(Number.isInteger(days) && days >= 1)) return { error: `the holdout needs a whole number of days ≥ 1, got ${days}` };
  return runHoldoutOnSample(sampleCustomers(h, noFeedback(), BACKTEST_SAMPLE, seed).h, h.customerIds.length, asOfDay, days, time);
}

/** runHoldout on its sample of a store of `total` customers (the worker's part). */
export function runHoldoutOnSample(
  sample: OrderHistories,
  total: number,
  asOfDay: number,
  days: number,
  time: <T>(name: string, fn: () => T) => T = (_, fn) => fn(),
): HoldoutResult | { error: string } {
  const calibrationEndDay = asOfDay - days;
  const split = calibrationAndHoldout(sample, calibrationEndDay, asOfDay);
  const eligible = split.eligible;
  if (eligible.length === 0) return { error: `no customer had bought by ${days} days before the as-of day, so there is nothing to calibrate on` };
  const s = split.calibration;
  const x = pick(s.frequency, eligible);
  const groups = groupHistories(x, pick(s.recency, eligible), pick(s.age, eligible), { keepCustomerRows: true });
  const fits = fitEveryModel(groups, {}, time);
  const actual = pick(split.holdoutPurchaseDays, eligible);
  const expected: Partial<Record<RepeatPurchaseModelName, Float64Array>> = {};
  for (const result of Object.values(fits.fitted)) {
    expected[result.model.name] = expandToCustomers(result.model.scores(result.fit, groups, days).expectedPurchases, groups);
  }
  if (Object.keys(expected).length === 0) {
    const why = Object.values(fits.failed)[0] ?? 'no fit';
    return { error: `no model could be fitted on the ${eligible.length} customers who had bought by ${days} days before the as-of day (${why})` };
  }
  const table = holdoutTable(x, actual, expected as Record<string, Float64Array>);
  return {
    calibrationEndDay,
    holdoutEndDay: asOfDay,
    days,
    customers: eligible.length,
    sampledFrom: total > sample.customerIds.length ? total : null,
    fits,
    table,
  };
}
