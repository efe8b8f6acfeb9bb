// The refresh's read of order items for the basket rules, on both stores: every product name comes
// back intact whatever it holds (PostgreSQL's read crosses as numbered lists), refunds and orders
// after the day are left out, and a store of many orders loses none.
import { afterEach, describe, expect, it } from 'vitest';
import { DISTINCT_BASKETS_KEPT, type BasketInput } from '../../src/db/histories.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { onPostgres, storeKind } from '../helpers/test-database.ts';

const AWKWARD = ['plain', 'comma, inside', 'quote " and \\ backslash', 'sep \u001f\u001e\u001d', 'semi;colon', '["json", 1]', 'emoji 🛒 ü', ' spaced '];

/**
 * The baskets as sorted product lists, one per order (an entry standing for several identical
 * orders counts as many), sorted: which order got which number does not matter.
 */
function baskets(items: BasketInput): string[][] {
  const byOrder = new Map<number, string[]>();
  for (let k = 0; k < items.orderIndex.length; k++) {
    const o = items.orderIndex[k]!;
    let list = byOrder.get(o);
    if (!list) byOrder.set(o, (list = []));
    list.push(items.productIds[items.productIndex[k]!]!);
  }
  return [...byOrder]
    .flatMap(([o, b]) => Array.from({ length: items.orderWeights?.[o] ?? 1 }, () => [...b].sort()))
    .sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : a.join('\u0000') > b.join('\u0000') ? 1 : 0));
}

describe(`basket read (${storeKind})`, () => {
  let ctx: TestContext | undefined;
  afterEach(async () => {
    await ctx?.cleanup();
    ctx = undefined;
  });

  it('GIVEN products and order ids with commas, quotes, separators and emoji THEN every basket comes back as written', async () => {
    ctx = await makeTestContext();
    const db = ctx.store.db;
    await db.insertInto('customers').values({ customer_id: 'c,1', name: 'A', email: null, company: null, owner: null, created_at: null, attributes: null, search_text: 'a', import_id: null, import_line: null }).execute();
    const order = (order_id: string, day: number, amount: number) => ({ order_id, customer_id: 'c,1', ordered_at: '2026-01-01', day, amount, attributes: null, import_id: null, import_line: null });
    await db.insertInto('orders').values([order('o "1"', 100, 10), order('o\u001f2', 101, 10), order('o;3 🛒', 102, 10), order('refund', 103, -5), order('later', 200, 10)]).execute();
    const item = (order_id: string, product: string) => ({ order_id, product, quantity: 1, unit_price: 1, attributes: null, import_id: null, import_line: null });
    await db.insertInto('order_items').values([
      ...AWKWARD.slice(0, 4).map((p) => item('o "1"', p)),
      ...AWKWARD.slice(3).map((p) => item('o\u001f2', p)),
      item('o;3 🛒', 'emoji 🛒 ü'),
      item('refund', 'plain'),
      item('later', 'plain'),
    ]).execute();
    const reads = await ctx.store.refresh.reads();
    try {
      await reads.readSnapshot(150);
      const got = baskets(await reads.readBasket(150));
      const want = [AWKWARD.slice(0, 4).sort(), AWKWARD.slice(3).sort(), ['emoji 🛒 ü']].sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
      expect(got).toEqual(want);
    } finally {
      await reads.close();
    }
  });

  it.skipIf(onPostgres)('GIVEN 120,001 orders of a small catalogue THEN each distinct basket is read once, weighted by how many orders hold it', async () => {
    ctx = await makeTestContext();
    const h = ctx.store.sqlite!;
    // 120,001 orders of one to three items, every 1,000th a refund, orders from 100,000 on after the day.
    h.exec(`INSERT INTO customers (customer_id, search_text) VALUES ('c', 'c')`);
    h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
      INSERT INTO orders (order_id, customer_id, ordered_at, day, amount) SELECT printf('o%06d', i), 'c', '2026-01-01', CASE WHEN i >= 100000 THEN 11 ELSE 10 END, CASE WHEN i % 1000 = 999 THEN -1 ELSE 5 END FROM n`);
    h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 120000), k(j) AS (VALUES (0), (1), (2))
      INSERT INTO order_items (order_id, product, quantity, unit_price) SELECT printf('o%06d', i), 'p' || ((i + j) % 7), 1, 1 FROM n, k WHERE j <= i % 3`);
    const reads = await ctx.store.refresh.reads();
    try {
      const expected = (toDay: number) => {
        const want: string[][] = [];
        for (let i = 0; i <= 120_000; i++) {
          if (i % 1000 === 999 || (toDay < 11 && i >= 100_000)) continue;
          want.push(Array.from({ length: (i % 3) + 1 }, (_, j) => `p${(i + j) % 7}`).sort());
        }
        return want.sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : a.join('\u0000') > b.join('\u0000') ? 1 : 0));
      };
      for (const toDay of [11, 10]) {
        const items = await reads.readBasket(toDay);
        // 7 × 3 = 21 distinct baskets (order i holds p((i + j) % 7) for j ≤ i % 3), not 120k orders.
        expect(items.orderWeights?.length).toBe(21);
        const got = baskets(items);
        expect(got.length).toBe(toDay === 11 ? 120_001 - 120 : 100_000 - 100);
        expect(got).toEqual(expected(toDay));
      }
    } finally {
      await reads.close();
    }
  });

  it.skipIf(onPostgres)('GIVEN exactly two rows of baskets (4,000 orders, the last row full) THEN every order is counted once', async () => {
    ctx = await makeTestContext();
    const h = ctx.store.sqlite!;
    h.exec(`INSERT INTO customers (customer_id, search_text) VALUES ('c', 'c')`);
    h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 3999)
      INSERT INTO orders (order_id, customer_id, ordered_at, day, amount) SELECT printf('o%05d', i), 'c', '2026-01-01', 10, 5 FROM n`);
    h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 3999)
      INSERT INTO order_items (order_id, product, quantity, unit_price) SELECT printf('o%05d', i), 'p' || (i % 5), 1, 1 FROM n UNION ALL SELECT printf('o%05d', i), 'shared', 1, 1 FROM n`);
    const reads = await ctx.store.refresh.reads();
    try {
      const items = await reads.readBasket(10);
      const got = baskets(items);
      expect(got).toHaveLength(4_000);
      expect(new Set(got.map((b) => b.join('+')))).toEqual(new Set(['p0+shared', 'p1+shared', 'p2+shared', 'p3+shared', 'p4+shared']));
      expect(got.filter((b) => b[0] === 'p3')).toHaveLength(800);
    } finally {
      await reads.close();
    }
  });

  it.skipIf(onPostgres)('GIVEN more distinct baskets than are kept counted THEN the items are read one by one and no order is lost', async () => {
    ctx = await makeTestContext();
    const h = ctx.store.sqlite!;
    const orders = DISTINCT_BASKETS_KEPT + 5;
    // Order i holds its own product and a shared one: every basket is different. Every 97th is a refund.
    h.exec(`INSERT INTO customers (customer_id, search_text) VALUES ('c', 'c')`);
    h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${orders - 1})
      INSERT INTO orders (order_id, customer_id, ordered_at, day, amount) SELECT printf('o%07d', i), 'c', '2026-01-01', 10, CASE WHEN i % 97 = 96 THEN -1 ELSE 5 END FROM n`);
    h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${orders - 1})
      INSERT INTO order_items (order_id, product, quantity, unit_price) SELECT printf('o%07d', i), 'own ' || i, 1, 1 FROM n UNION ALL SELECT printf('o%07d', i), 'shared', 1, 1 FROM n`);
    const reads = await ctx.store.refresh.reads();
    try {
      const items = await reads.readBasket(10);
      expect(items.orderWeights).toBeUndefined();
      const kept = orders - Math.floor(orders / 97);
      expect(items.orderIndex.length).toBe(2 * kept);
      const owners = new Set<string>();
      for (let k = 0; k < items.orderIndex.length; k++) {
        const product = items.productIds[items.productIndex[k]!]!;
        if (product !== 'shared') owners.add(product);
      }
      expect(owners.size).toBe(kept);
      expect(owners.has('own 96')).toBe(false);
      expect(owners.has(`own ${orders - 1}`)).toBe(true);
    } finally {
      await reads.close();
    }
  });
});
