// Each customer's state as of one day, from the compressed-row order histories: the purchase
// summary (x, t_x, T, spend), cadence, and satisfaction signals. Pure; used for today and for the
// backtest cutoff alike, so the two are computed the same way.
import { customerCadenceSorted, populationUsualGap, type CustomerCadence } from '../analytics/cadence.ts';
import { satisfactionSignals, type FeedbackResponse, type SatisfactionSignals } from '../analytics/churn-risk.ts';
import { summarizeCustomers, type PurchaseSummaries } from '../analytics/purchase-history.ts';
import { scaleOf, type FeedbackAnswers, type OrderHistories } from '../db/histories.ts';

export interface CustomerState {
  asOfDay: number;
  summaries: PurchaseSummaries;
  /** Orders with amount ≥ 0 on or before the day. */
  orders: Int32Array;
  cadence: CadenceColumns;
  satisfaction: (SatisfactionSignals | null)[];
  /** Median of customers' own usual gaps: the usual gap assumed for one-time buyers. */
  populationGapDays: number;
  /** Indexes of customers with at least one purchase by the day. */
  buyers: Int32Array;
}

export function customerStateAsOf(h: OrderHistories, feedback: FeedbackAnswers, asOfDay: number): CustomerState {
  const n = h.customerIds.length;
  const summaries = summarizeCustomers({ offsets: h.offsets, days: h.days, amounts: h.amounts }, asOfDay);
  const orders = new Int32Array(n);
  const cadence = new CadenceColumns(n);
  const dayBuffer = new Float64Array(Math.max(16, maxOrders(h)));
  const gapBuffer = new Float64Array(dayBuffer.length);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = h.offsets[i]!; k < h.offsets[i + 1]!; k++) {
      const day = h.days[k]!;
      if (day > asOfDay) break; // days are sorted within a customer
      if (h.amounts[k]! >= 0) {
        orders[i]!++;
        dayBuffer[m++] = day;
      }
    }
    cadence.set(i, customerCadenceSorted(dayBuffer, m, asOfDay, gapBuffer));
  }
  const populationGapDays = populationUsualGap(cadence.usualGapDays) ?? 30;

  // Each customer's answers on or before the day, in the order read (by day, then arrival), one
  // customer at a time: a customer's list lives only while its signals are worked out.
  const satisfaction = new Array<SatisfactionSignals | null>(n).fill(null);
  let list: FeedbackResponse[] = [];
  let current = -1;
  const flush = () => {
    if (current >= 0 && list.length > 0) satisfaction[current] = satisfactionSignals(list, asOfDay);
    list = [];
  };
  for (const k of groupedByCustomer(feedback, n)) {
    const i = feedback.customerIndex[k]!;
    if (i !== current) {
      flush();
      current = i;
    }
    const day = feedback.day[k]!;
    if (day <= asOfDay) list.push({ score: feedback.score[k]!, scale: scaleOf(feedback, k), day });
  }
  flush();

  const buyerList: number[] = [];
  for (let i = 0; i < n; i++) if (summaries.purchaseDays[i]! > 0) buyerList.push(i);
  return { asOfDay, summaries, orders, cadence, satisfaction, populationGapDays, buyers: Int32Array.from(buyerList) };
}

/**
 * The answers' indexes with each customer's next to each other, in their order within the customer:
 * as they are when read in customer order (both stores do), else by a stable counting sort.
 */
function groupedByCustomer(feedback: FeedbackAnswers, customers: number): Int32Array {
  const order = new Int32Array(feedback.length);
  let grouped = true;
  for (let k = 0; k < feedback.length; k++) {
    order[k] = k;
    if (k > 0 && feedback.customerIndex[k]! < feedback.customerIndex[k - 1]!) grouped = false;
  }
  if (grouped) return order;
  const start = new Int32Array(customers + 1);
  for (let k = 0; k < feedback.length; k++) start[feedback.customerIndex[k]! + 1]!++;
  for (let i = 0; i < customers; i++) start[i + 1]! += start[i]!;
  for (let k = 0; k < feedback.length; k++) order[start[feedback.customerIndex[k]!]!++] = k;
  return order;
}

/**
 * Every customer's cadence as columns, NaN for none. A million CustomerCadence objects (and their
 * boxed medians) lived through the whole refresh and were a large share of its garbage collection;
 * `at(i)` builds a customer's object when it is needed, and it dies young.
 */
export class CadenceColumns {
  readonly purchaseDays: Int32Array;
  readonly daysSinceFirstPurchase: Float64Array;
  readonly daysSinceLastPurchase: Float64Array;
  readonly usualGapDays: Float64Array;
  readonly lastGapDays: Float64Array;
  readonly usualGapBeforeLastDays: Float64Array;

  constructor(n: number) {
    this.purchaseDays = new Int32Array(n);
    this.daysSinceFirstPurchase = new Float64Array(n);
    this.daysSinceLastPurchase = new Float64Array(n);
    this.usualGapDays = new Float64Array(n);
    this.lastGapDays = new Float64Array(n);
    this.usualGapBeforeLastDays = new Float64Array(n);
  }

  set(i: number, c: CustomerCadence): void {
    this.purchaseDays[i] = c.purchaseDays;
    this.daysSinceFirstPurchase[i] = c.daysSinceFirstPurchase ?? NaN;
    this.daysSinceLastPurchase[i] = c.daysSinceLastPurchase ?? NaN;
    this.usualGapDays[i] = c.usualGapDays ?? NaN;
    this.lastGapDays[i] = c.lastGapDays ?? NaN;
    this.usualGapBeforeLastDays[i] = c.usualGapBeforeLastDays ?? NaN;
  }

  at(i: number): CustomerCadence {
    return {
      purchaseDays: this.purchaseDays[i]!,
      daysSinceFirstPurchase: nullIfNaN(this.daysSinceFirstPurchase[i]!),
      daysSinceLastPurchase: nullIfNaN(this.daysSinceLastPurchase[i]!),
      usualGapDays: nullIfNaN(this.usualGapDays[i]!),
      lastGapDays: nullIfNaN(this.lastGapDays[i]!),
      usualGapBeforeLastDays: nullIfNaN(this.usualGapBeforeLastDays[i]!),
    };
  }
}

/** NaN (a column's "none") as null. */
export const nullIfNaN = (v: number) => (Number.isNaN(v) ? null : v);

function maxOrders(h: OrderHistories): number {
  let max = 0;
  for (let i = 0; i + 1 < h.offsets.length; i++) max = Math.max(max, h.offsets[i + 1]! - h.offsets[i]!);
  return max;
}

/** Picks `indexes` out of a typed array. */
export function pick(values: ArrayLike<number>, indexes: Int32Array): Float64Array {
  const out = new Float64Array(indexes.length);
  for (let j = 0; j < indexes.length; j++) out[j] = values[indexes[j]!]!;
  return out;
}
