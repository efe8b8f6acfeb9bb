// The holdout step of a refresh: every repeat-purchase model fitted on the orders up to N days before
// the as-of day and scored on the N days after (the model card's `holdout`); its per-customer error
// picks the model that scores P(alive).
import { calibrationAndHoldout, holdoutTable, type HoldoutTable } from '../analytics/holdout.ts';
import { fitEveryModel, type ModelFits } from '../analytics/model-fits.ts';
import { expandToCustomers, groupHistories } from '../analytics/purchase-history.ts';
import type { RepeatPurchaseModelName } from '../analytics/repeat-purchase-model.ts';
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
  if (state.buyers.length === 0) return null;
  let firstDataDay = Infinity;
  for (const i of state.buyers) firstDataDay = Math.min(firstDataDay, state.summaries.firstPurchaseDay[i]!);
  const chosen = days ?? defaultHoldoutDays(firstDataDay, state.asOfDay);
  if (chosen === null) return { error: `the history is only ${state.asOfDay - firstDataDay} days long (a holdout needs at least 28)` };
  return runHoldout(h, state.asOfDay, chosen, seed, time);
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
  const total = h.customerIds.length;
  const sample = sampleCustomers(h, noFeedback(), BACKTEST_SAMPLE, seed).h;
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
