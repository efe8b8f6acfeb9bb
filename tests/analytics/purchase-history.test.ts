import { describe, expect, it } from 'vitest';
import {
  expandToCustomers,
  groupHistories,
  sampleHistories,
  summarizeCustomers,
  summarizePurchases,
} from '../../src/analytics/purchase-history.ts';
import {
  CALIBRATION_END_DAY,
  CDNOW_SUMMARY,
  CDNOW_SUMMARY_WITH_SPEND,
  cdnowStatus,
  loadCdnowSummary,
  loadCdnowTransactions,
} from './helpers/cdnow.ts';

describe('summarizePurchases', () => {
  it('GIVEN unsorted days with a same-day pair THEN that day is one purchase with its amounts summed', () => {
    const s = summarizePurchases([10, 3, 3, 0], [6, 5, 7, 20], 12);
    expect(s).toMatchObject({ purchaseDays: 3, frequency: 2, recency: 10, age: 12, firstPurchaseDay: 0, lastPurchaseDay: 10 });
    expect(s.meanRepeatSpend).toBe((12 + 6) / 2); // first day (20) left out, day 3 is 5 + 7
    expect(s.revenue).toBe(38);
  });

  it('GIVEN a refund THEN it lowers revenue but is neither a purchase day nor repeat spend', () => {
    const s = summarizePurchases([0, 5, 9], [30, -10, 8], 20);
    expect(s).toMatchObject({ purchaseDays: 2, frequency: 1, recency: 9, age: 20, meanRepeatSpend: 8, revenue: 28 });
  });

  it('GIVEN a refund on a later day only THEN recency still ends at the last purchase', () => {
    expect(summarizePurchases([0, 4], [10, -10], 7)).toMatchObject({ frequency: 0, recency: 0, age: 7, revenue: 0 });
  });

  it('GIVEN an order of amount 0 THEN it is a purchase day worth nothing', () => {
    expect(summarizePurchases([0, 2], [10, 0], 5)).toMatchObject({ purchaseDays: 2, frequency: 1, meanRepeatSpend: 0 });
  });

  it('GIVEN orders after the as-of day THEN they are ignored', () => {
    expect(summarizePurchases([0, 3, 8], [1, 2, 4], 5)).toMatchObject({ frequency: 1, recency: 3, age: 5, revenue: 3 });
    expect(summarizePurchases([0, 5], [1, 2], 5)).toMatchObject({ frequency: 1, recency: 5, age: 5 });
  });

  it('GIVEN no purchase by the as-of day THEN purchaseDays is 0 and the times are NaN', () => {
    const s = summarizePurchases([7], [3], 5);
    expect(s.purchaseDays).toBe(0);
    expect(s.frequency).toBe(0);
    expect(s.recency).toBeNaN();
    expect(s.age).toBeNaN();
    expect(summarizePurchases([], [], 5).purchaseDays).toBe(0);
  });

  it('GIVEN mismatched arrays or a non-finite amount THEN it throws naming the function', () => {
    expect(() => summarizePurchases([1], [], 5)).toThrow(/summarizePurchases/);
    expect(() => summarizePurchases([1], [NaN], 5)).toThrow(/summarizePurchases/);
  });
});

describe('summarizeCustomers', () => {
  it('GIVEN customers in compressed rows THEN each matches the single-customer summary', () => {
    const days = [0, 5, 5, 9, 1, 30, 2, 1];
    const amounts = [10, 2, 3, -4, 7, 1, 5, 6];
    const offsets = [0, 4, 6, 6, 8];
    const all = summarizeCustomers({ offsets, days, amounts }, 20);
    expect(all.count).toBe(4);
    for (let i = 0; i < 4; i++) {
      const one = summarizePurchases(days.slice(offsets[i], offsets[i + 1]), amounts.slice(offsets[i], offsets[i + 1]), 20);
      expect(all.frequency[i]).toBe(one.frequency);
      expect(all.recency[i]).toEqual(one.recency);
      expect(all.age[i]).toEqual(one.age);
      expect(all.meanRepeatSpend[i]).toBe(one.meanRepeatSpend);
      expect(all.revenue[i]).toBe(one.revenue);
    }
    expect(Array.from(all.frequency)).toEqual([1, 0, 0, 1]);
  });

  it('GIVEN offsets outside the arrays THEN it throws', () => {
    expect(() => summarizeCustomers({ offsets: [0, 3], days: [1], amounts: [1] }, 5)).toThrow(/offsets/);
  });
});

describe('groupHistories', () => {
  it('GIVEN repeated histories THEN they merge into weighted rows sorted by (x, T, t_x)', () => {
    const g = groupHistories([2, 0, 0, 2, 1], [5, 0, 0, 5, 3], [9, 9, 9, 9, 4], { keepCustomerRows: true });
    expect(g.size).toBe(3);
    expect(g.customers).toBe(5);
    expect(Array.from(g.frequency)).toEqual([0, 1, 2]);
    expect(Array.from(g.recency)).toEqual([0, 3, 5]);
    expect(Array.from(g.age)).toEqual([9, 4, 9]);
    expect(Array.from(g.weight)).toEqual([2, 1, 2]);
    expect(Array.from(g.frequencies)).toEqual([0, 1, 2]);
    expect(Array.from(g.times)).toEqual([0, 3, 4, 5, 9]);
    expect(Array.from(g.rowOfCustomer!)).toEqual([2, 0, 0, 2, 1]);
    expect(Array.from(expandToCustomers([0.1, 0.2, 0.3], g))).toEqual([0.3, 0.1, 0.1, 0.3, 0.2]);
  });

  it('GIVEN the same customers in another order or in non-integer units THEN the rows are the same', () => {
    const a = groupHistories([1, 0, 3], [2, 0, 4], [5, 5, 6]);
    const b = groupHistories([3, 1, 0], [4, 2, 0], [6, 5, 5]);
    const weeks = groupHistories([3, 1, 0], [4 / 7, 2 / 7, 0], [6 / 7, 5 / 7, 5 / 7]);
    expect(Array.from(b.frequency)).toEqual(Array.from(a.frequency));
    expect(Array.from(b.age)).toEqual(Array.from(a.age));
    expect(Array.from(weeks.frequency)).toEqual(Array.from(a.frequency));
    expect(Array.from(weeks.recency, (v) => v * 7)).toEqual(Array.from(a.recency).map((v) => expect.closeTo(v, 12)));
  });

  it('GIVEN −0 and 0 THEN they are the same value', () => {
    expect(groupHistories([0, -0], [-0, 0], [3, 3]).size).toBe(1);
    expect(groupHistories([0, -0], [-0, 0], [0.5, 0.5]).size).toBe(1);
  });

  it('GIVEN weights THEN they add up per row', () => {
    const g = groupHistories([0, 0], [0, 0], [3, 3], { weights: [10, 5] });
    expect(g.size).toBe(1);
    expect(g.weight[0]).toBe(15);
  });

  it('GIVEN an impossible history THEN it throws naming the customer', () => {
    expect(() => groupHistories([1], [5], [4])).toThrow(/customer 0/);
    expect(() => groupHistories([0], [2], [4])).toThrow(/groupHistories/);
    expect(() => groupHistories([1.5], [2], [4])).toThrow(/groupHistories/);
    expect(() => groupHistories([1], [1], [4], { weights: [-1] })).toThrow(/weight/);
  });

  it('GIVEN a large group THEN sampleHistories keeps about the asked number of customers, deterministically', () => {
    const n = 10_000;
    const x = Array.from({ length: n }, (_, i) => i % 7);
    const tx = x.map((v, i) => (v === 0 ? 0 : i % 50));
    const T = x.map((_, i) => 50 + (i % 13));
    const g = groupHistories(x, tx, T);
    const s1 = sampleHistories(g, 1000);
    const s2 = sampleHistories(g, 1000);
    expect(Math.abs(s1.customers - 1000)).toBeLessThanOrEqual(1);
    expect(Array.from(s1.weight)).toEqual(Array.from(s2.weight));
    const meanX = (h: typeof g) => h.frequency.reduce((sum, v, i) => sum + v * h.weight[i]!, 0) / h.customers;
    expect(meanX(s1)).toBeCloseTo(meanX(g), 1);
  });
});

const cdnow = cdnowStatus();

describe.skipIf(cdnow.skip)('GIVEN the CDNOW sample transactions (calibration to 1997-09-30)', () => {
  it('THEN the summary reproduces cdnow_customers_summary.csv exactly for every customer (weeks, 2 dp)', () => {
    const tx = loadCdnowTransactions();
    const s = summarizeCustomers({ offsets: tx.offsets, days: tx.days, amounts: tx.dollars }, CALIBRATION_END_DAY);
    const reference = loadCdnowSummary(CDNOW_SUMMARY);
    expect(reference).toHaveLength(2357);
    expect(tx.ids).toEqual(reference.map((row) => row.id));
    const mismatches = reference.filter(
      (row, i) =>
        row.x !== s.frequency[i] ||
        row.tx !== Math.round((s.recency[i]! / 7) * 100) / 100 ||
        row.T !== Math.round((s.age[i]! / 7) * 100) / 100,
    );
    expect(mismatches).toEqual([]);
  });

  it('THEN the mean repeat spend reproduces the zbar column (cents, rounded half up) for every customer', () => {
    const tx = loadCdnowTransactions();
    const s = summarizeCustomers({ offsets: tx.offsets, days: tx.days, amounts: tx.cents }, CALIBRATION_END_DAY);
    const reference = loadCdnowSummary(CDNOW_SUMMARY_WITH_SPEND);
    const mismatches = reference.filter((row, i) => {
      const cents = s.frequency[i]! > 0 ? Math.floor(s.meanRepeatSpend[i]! + 0.5) : 0;
      return Math.round(row.zbar * 100) !== cents || row.x !== s.frequency[i];
    });
    expect(mismatches).toEqual([]);
    expect(reference.filter((row) => row.x > 0)).toHaveLength(946);
  });
});
