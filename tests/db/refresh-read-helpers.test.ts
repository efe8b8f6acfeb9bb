// The refresh's read helpers: the interner hands back every value unchanged (shared copies are a
// memory matter only), nulls included, and keeps passing values through once it holds its limit;
// the answers' columns hold every answer pushed, in order, past their growth.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FeedbackBuilder, noFeedback, scaleOf } from '../../src/db/histories.ts';
import { CENTS_AMOUNT, HistoryBuilder, interner, parseCentsList, parseNumbers } from '../../src/db/refresh-read-helpers.ts';

describe('amounts as cents', () => {
  it('GIVEN whole-cent amounts, refunds, fractions of a cent and huge amounts THEN the list SQLite writes parses back to the stored doubles (other amounts as SQLite writes them as text)', () => {
    const db = new BetterSqlite3(':memory:');
    db.exec('CREATE TABLE orders (k integer primary key, amount double precision not null)');
    const amounts = [19.99, 0.1, 0.3, 0.1 + 0.2, -5.25, 0, 1234567.89, 0.125, 1 / 3, 1e-5, 12345.6789, 1e13, -2.5e15, 99999999999.99, 7];
    let seed = 7;
    for (let k = 0; k < 5_000; k++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      amounts.push(((seed % 2_000_000_001) - 1_000_000_000) / 100); // -10,000,000.00 to 10,000,000.00
    }
    const insert = db.prepare('INSERT INTO orders (k, amount) VALUES (?, ?)');
    amounts.forEach((a, k) => insert.run(k, a));
    const list = db.prepare(`SELECT group_concat(${CENTS_AMOUNT}) FROM (SELECT amount FROM orders ORDER BY k)`).pluck().get() as string;
    const out = new Float64Array(amounts.length);
    expect(parseCentsList(list, out, 0)).toBe(amounts.length);
    const stored = db.prepare('SELECT amount, amount || \'\' FROM orders ORDER BY k').raw(true).all() as [number, string][];
    const wholeCents = (a: number) => Math.abs(a) < 1e13 && Math.round(a * 100) / 100 === a;
    stored.forEach(([a, text], k) => expect([k, out[k]]).toEqual([k, wholeCents(a) ? a : Number(text)]));
    expect(stored.filter(([a]) => wholeCents(a))).toHaveLength(amounts.length - 7); // 0.1 + 0.2, 0.125, 1/3, 1e-5, 12345.6789, 1e13 and -2.5e15 go as text
    db.close();
  });
});

describe('number lists', () => {
  it('GIVEN whole numbers, negatives, decimals, exponents, 15- and 19-digit and empty items THEN each is what Number() reads', () => {
    const items = ['0', '7', '-3', '20000', '1579715', '3.5', '-0.25', '1e-5', '2.5E3', '-0', '123456789012345', '1234567890123456789', '', '+4', '10'];
    const out = new Float64Array(items.length + 2).fill(NaN);
    expect(parseNumbers(items.join(','), out, 1)).toBe(items.length + 1);
    expect(Array.from(out.subarray(1, items.length + 1))).toEqual(items.map(Number));
    expect(Object.is(out[10], -0)).toBe(true);
    expect([out[0], out[items.length + 1]]).toEqual([NaN, NaN]); // nothing written outside
  });
});

describe('interner', () => {
  it('GIVEN repeated, new and null values THEN each comes back as given, before and past the limit', () => {
    const shared = interner(2);
    const values = ['csat', 'nps', 'csat', null, 'active', 'nps', 'active', ''];
    expect(values.map((v) => shared(v))).toEqual(values);
    // built at run time, as the driver does: equal text, another string
    expect(shared(['cs', 'at'].join(''))).toBe('csat');
    expect(() => interner(-1)('x')).not.toThrow();
  });
});

describe('FeedbackBuilder', () => {
  it('GIVEN 3,000 answers (past two doublings of the columns) THEN each comes back in order with its customer, day, scale and score', () => {
    const b = new FeedbackBuilder();
    for (let k = 0; k < 3_000; k++) b.push(k % 17, 20_000 + k, k % 3 ? 'csat' : 'nps', k % 3 ? 1 + (k % 5) : k % 11);
    const answers = b.finish();
    expect(answers.length).toBe(3_000);
    for (const k of [0, 1, 1_023, 1_024, 2_047, 2_048, 2_999]) {
      expect([answers.customerIndex[k], answers.day[k], scaleOf(answers, k), answers.score[k]]).toEqual([k % 17, 20_000 + k, k % 3 ? 'csat' : 'nps', k % 3 ? 1 + (k % 5) : k % 11]);
    }
    expect(answers.day.length).toBe(3_000); // trimmed to the answers, not the capacity
    expect(noFeedback().length).toBe(0);
  });

  it('GIVEN an estimate of the answers below, at and far above the count THEN every answer comes back in order, each column as long as the answers', () => {
    for (const expected of [0, 100, 2_999, 3_000, 3_001, 50_000]) {
      const b = new FeedbackBuilder(expected);
      for (let k = 0; k < 3_000; k++) b.push(k % 17, 20_000 + k, k % 3 ? 'csat' : 'nps', k / 7);
      const answers = b.finish();
      expect(answers.length, `estimate ${expected}`).toBe(3_000);
      for (const column of [answers.customerIndex, answers.day, answers.nps, answers.score]) expect(column.length, `estimate ${expected}`).toBe(3_000);
      for (let k = 0; k < 3_000; k++) {
        if (answers.customerIndex[k] !== k % 17 || answers.day[k] !== 20_000 + k || scaleOf(answers, k) !== (k % 3 ? 'csat' : 'nps') || answers.score[k] !== k / 7) {
          expect.fail(`estimate ${expected}: answer ${k} came back as ${answers.customerIndex[k]}, ${answers.day[k]}, ${scaleOf(answers, k)}, ${answers.score[k]}`);
        }
      }
      // A far-off estimate does not keep its unused memory.
      expect(answers.score.buffer.byteLength, `estimate ${expected}`).toBeLessThanOrEqual(2 * 3_000 * 8);
    }
  });
});

describe('HistoryBuilder', () => {
  it('GIVEN an estimate of the orders below, at and above the count THEN each customer’s days and amounts come back sorted and in place', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    // Customer i has i % 9 orders (some none), listed newest first.
    const ordersOf = (i: number) => Array.from({ length: i % 9 }, (_, k) => ({ day: 1_000 + i + 10 * (i % 9 - k), cents: 100 * i + k }));
    const total = ids.reduce((t, _, i) => t + (i % 9), 0);
    for (const expected of [0, 10, total, 1_000_000]) {
      const b = new HistoryBuilder(ids, ids.map(() => null), 'text', expected);
      ids.forEach((id, i) => {
        const orders = ordersOf(i);
        if (orders.length) b.add(id, orders.map((o) => o.day).join(','), orders.map((o) => o.cents / 100).join(','));
      });
      const h = b.finish();
      expect(h.days.length, `estimate ${expected}`).toBe(total);
      ids.forEach((_, i) => {
        const want = ordersOf(i).sort((x, y) => x.day - y.day);
        const got = Array.from({ length: h.offsets[i + 1]! - h.offsets[i]! }, (_, k) => ({ day: h.days[h.offsets[i]! + k]!, cents: Math.round(h.amounts[h.offsets[i]! + k]! * 100) }));
        expect(got, `estimate ${expected}, customer ${i}`).toEqual(want);
      });
    }
  });
});
