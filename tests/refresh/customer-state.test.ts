// A customer's state as the refresh computes it: the cadence kept as columns reads back as the
// cadence of the customer's own purchase days (refunds and later orders left out, a one-time buyer
// and a customer who never bought included), and the satisfaction signals are the same whether the
// answers come grouped by customer (as both stores read them) or interleaved.
import { describe, expect, it } from 'vitest';
import { customerCadence } from '../../src/analytics/cadence.ts';
import { satisfactionSignals } from '../../src/analytics/churn-risk.ts';
import { FeedbackBuilder, type OrderHistories } from '../../src/db/histories.ts';
import { customerStateAsOf } from '../../src/refresh/customer-state.ts';

const AS_OF = 1_000;
// Per customer, its orders as [day, amount], days ascending.
const ORDERS: [number, number][][] = [
  [[900, 10], [930, 12], [930, 3], [961, 8], [990, 20]],
  [[500, 5]],
  [],
  [[600, 9], [640, -9], [700, 9], [1_010, 9]], // a refund and an order after the day
  [[100, 1], [250, 2], [260, 3], [900, 4]],
];
// [customer, day, scale, score], each customer's in arrival order.
const ANSWERS: [number, number, 'csat' | 'nps', number][] = [
  [0, 950, 'csat', 2], [0, 950, 'nps', 9], [0, 980, 'csat', 5],
  [1, 400, 'nps', 3],
  [3, 990, 'csat', 1], [3, 1_005, 'csat', 5], // the second after the day
  [4, 700, 'nps', 10], [4, 999, 'nps', 6],
];

function histories(): OrderHistories {
  const offsets = new Int32Array(ORDERS.length + 1);
  const days: number[] = [];
  const amounts: number[] = [];
  ORDERS.forEach((orders, i) => {
    for (const [day, amount] of orders) {
      days.push(day);
      amounts.push(amount);
    }
    offsets[i + 1] = days.length;
  });
  return { customerIds: ORDERS.map((_, i) => `c${i}`), owners: ORDERS.map(() => null), offsets, days: Int32Array.from(days), amounts: Float64Array.from(amounts) };
}

function answers(order: readonly number[]) {
  const b = new FeedbackBuilder();
  for (const k of order) {
    const [i, day, scale, score] = ANSWERS[k]!;
    b.push(i, day, scale, score);
  }
  return b.finish();
}

describe('customer state', () => {
  it('GIVEN purchases with refunds, a later order, a one-time buyer and a customer who never bought THEN each cadence is the one of its own purchase days', () => {
    const state = customerStateAsOf(histories(), answers(ANSWERS.map((_, k) => k)), AS_OF);
    ORDERS.forEach((orders, i) => {
      const bought = orders.filter(([day, amount]) => day <= AS_OF && amount >= 0).map(([day]) => day);
      expect([i, state.cadence.at(i)]).toEqual([i, customerCadence(bought, AS_OF)]);
    });
    expect(state.cadence.at(2).usualGapDays).toBeNull();
    expect(state.cadence.at(0).usualGapDays).toBe(30); // distinct days 900, 930, 961, 990: gaps 30, 31, 29
  });

  it('GIVEN the same answers grouped by customer or interleaved THEN the satisfaction signals are the same, and those of each customer\'s own answers up to the day', () => {
    const grouped = customerStateAsOf(histories(), answers(ANSWERS.map((_, k) => k)), AS_OF);
    // Interleaved, each customer's answers still in arrival order.
    const interleaved = customerStateAsOf(histories(), answers([6, 0, 4, 3, 1, 7, 5, 2]), AS_OF);
    expect(interleaved.satisfaction).toEqual(grouped.satisfaction);
    ORDERS.forEach((_, i) => {
      const own = ANSWERS.filter(([c, day]) => c === i && day <= AS_OF).map(([, day, scale, score]) => ({ day, scale, score }));
      expect([i, grouped.satisfaction[i]]).toEqual([i, own.length ? satisfactionSignals(own, AS_OF) : null]);
    });
    expect(grouped.satisfaction[0]!.latest).toEqual({ score: 5, scale: 'csat', day: 980 });
  });
});
