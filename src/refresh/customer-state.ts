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
  cadence: CustomerCadence[];
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
  const cadence: CustomerCadence[] = new Array(n);
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
    cadence[i] = customerCadenceSorted(dayBuffer, m, asOfDay, gapBuffer);
  }
  const gaps: number[] = [];
  for (const c of cadence) if (c.usualGapDays !== null) gaps.push(c.usualGapDays);
  const populationGapDays = populationUsualGap(gaps) ?? 30;

  const responses: (FeedbackResponse[] | undefined)[] = new Array(n);
  for (let k = 0; k < feedback.length; k++) {
    const day = feedback.day[k]!;
    if (day > asOfDay) continue;
    (responses[feedback.customerIndex[k]!] ??= []).push({ score: feedback.score[k]!, scale: scaleOf(feedback, k), day });
  }
  const satisfaction = new Array<SatisfactionSignals | null>(n);
  for (let i = 0; i < n; i++) satisfaction[i] = responses[i] ? satisfactionSignals(responses[i]!, asOfDay) : null;

  const buyerList: number[] = [];
  for (let i = 0; i < n; i++) if (summaries.purchaseDays[i]! > 0) buyerList.push(i);
  return { asOfDay, summaries, orders, cadence, satisfaction, populationGapDays, buyers: Int32Array.from(buyerList) };
}

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
