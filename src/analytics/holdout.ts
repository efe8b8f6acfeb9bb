// Calibration/holdout check of a repeat-purchase model (Fader, Hardie & Lee 2005, fig. 4; the BTYD
// walkthrough): fit on the purchases up to a day, then compare the mean repeat purchase days each
// model expects in the next N days with what customers actually did, by calibration frequency.
import { summarizeCustomers, type CustomerPurchases, type PurchaseSummaries } from './purchase-history.ts';

/** Calibration-frequency bins of the holdout table: 0 … 6 repeat purchase days, then 7 or more. */
export const HOLDOUT_BINS = ['0', '1', '2', '3', '4', '5', '6', '7+'] as const;
export type HoldoutBin = (typeof HOLDOUT_BINS)[number];

export interface CalibrationAndHoldout {
  /** (x, t_x, T, …) of every customer as of the calibration end. */
  calibration: PurchaseSummaries;
  /** Distinct purchase days in (calibration end, holdout end]; NaN for customers with no purchase by the calibration end. */
  holdoutPurchaseDays: Float64Array;
  /** Customers who had bought by the calibration end: the ones the check is about. */
  eligible: Int32Array;
}

/**
 * Splits every customer's purchases at `calibrationEndDay`: the summary before, and the distinct
 * purchase days (orders of amount ≥ 0; refunds are not purchases) after it, up to `holdoutEndDay`.
 * @example calibrationAndHoldout({ offsets: [0, 3], days: [0, 5, 12], amounts: [1, 1, 1] }, 10, 20).holdoutPurchaseDays // [1]
 */
export function calibrationAndHoldout(purchases: CustomerPurchases, calibrationEndDay: number, holdoutEndDay: number): CalibrationAndHoldout {
  if (!(holdoutEndDay > calibrationEndDay)) throw new RangeError('calibrationAndHoldout requires the holdout to end after the calibration period');
  const calibration = summarizeCustomers(purchases, calibrationEndDay);
  const n = calibration.count;
  const holdoutPurchaseDays = new Float64Array(n).fill(NaN);
  const eligible: number[] = [];
  const { offsets, days, amounts } = purchases;
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    if (calibration.purchaseDays[i]! === 0) continue;
    eligible.push(i);
    seen.length = 0;
    for (let k = offsets[i]!; k < offsets[i + 1]!; k++) {
      const day = days[k]!;
      if (day > calibrationEndDay && day <= holdoutEndDay && amounts[k]! >= 0) seen.push(day);
    }
    seen.sort((p, q) => p - q);
    let distinct = 0;
    for (let k = 0; k < seen.length; k++) if (k === 0 || seen[k] !== seen[k - 1]) distinct++;
    holdoutPurchaseDays[i] = distinct;
  }
  return { calibration, holdoutPurchaseDays, eligible: Int32Array.from(eligible) };
}

export interface HoldoutRow {
  /** Repeat purchase days in the calibration period: "0" … "6", "7+". */
  frequency: HoldoutBin;
  customers: number;
  /** Mean repeat purchase days per customer in the holdout period. */
  actual: number;
  /** What each model expected, as the same mean. */
  expected: Record<string, number>;
}

/** A model's error over single customers: predicted vs actual purchase days in the holdout. */
export interface PerCustomerError {
  /** Mean absolute error. */
  mae: number;
  /** Root mean squared error: what the expected value minimises, so the score models are picked by. */
  rmse: number;
  /** Σ expected − Σ actual over everyone, as a share of Σ actual (+0.1 = 10% too many). */
  bias: number;
}

export interface HoldoutTable {
  rows: HoldoutRow[];
  customers: number;
  /** Mean repeat purchase days per customer in the holdout, over everyone. */
  actual: number;
  error: Record<string, PerCustomerError>;
}

/**
 * The holdout table over customers `0 … n−1` (pass only the eligible ones): per calibration-frequency
 * bin, the customers, their mean actual holdout purchase days and each model's mean expectation;
 * plus each model's per-customer error. Empty bins are left out.
 * @example holdoutTable([0, 1, 1], [0, 2, 1], { bgnbd: [0.2, 1.4, 1.4] }).rows[1] // { frequency: '1', customers: 2, actual: 1.5, expected: { bgnbd: 1.4 } }
 */
export function holdoutTable(frequency: ArrayLike<number>, actual: ArrayLike<number>, expected: Readonly<Record<string, ArrayLike<number>>>): HoldoutTable {
  const n = frequency.length;
  const names = Object.keys(expected);
  if (actual.length !== n || names.some((name) => expected[name]!.length !== n)) throw new RangeError('holdoutTable requires aligned arrays');
  const bins = HOLDOUT_BINS.length;
  const count = new Float64Array(bins);
  const actualSum = new Float64Array(bins);
  const expectedSum = names.map(() => new Float64Array(bins));
  const absolute = new Float64Array(names.length);
  const squared = new Float64Array(names.length);
  const predicted = new Float64Array(names.length);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = frequency[i]!;
    const y = actual[i]!;
    if (!(x >= 0) || !(y >= 0)) throw new RangeError(`holdoutTable: customer ${i} has frequency ${x} and ${y} holdout purchases`);
    const bin = Math.min(Math.floor(x), bins - 1);
    count[bin]! += 1;
    actualSum[bin]! += y;
    total += y;
    names.forEach((name, m) => {
      const e = expected[name]![i]!;
      expectedSum[m]![bin]! += e;
      absolute[m]! += Math.abs(e - y);
      squared[m]! += (e - y) ** 2;
      predicted[m]! += e;
    });
  }
  const rows: HoldoutRow[] = [];
  for (let bin = 0; bin < bins; bin++) {
    if (count[bin] === 0) continue;
    rows.push({
      frequency: HOLDOUT_BINS[bin]!,
      customers: count[bin]!,
      actual: actualSum[bin]! / count[bin]!,
      expected: Object.fromEntries(names.map((name, m) => [name, expectedSum[m]![bin]! / count[bin]!])),
    });
  }
  const error: Record<string, PerCustomerError> = {};
  names.forEach((name, m) => {
    error[name] = { mae: n ? absolute[m]! / n : NaN, rmse: n ? Math.sqrt(squared[m]! / n) : NaN, bias: total > 0 ? predicted[m]! / total - 1 : NaN };
  });
  return { rows, customers: n, actual: n ? total / n : NaN, error };
}
