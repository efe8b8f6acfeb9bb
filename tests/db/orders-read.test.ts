// A large SQLite store's order histories are read on a worker thread with its own connection while
// the refresh's connection reads the rest. The two must read one state: the histories equal the
// inline read's, and a write committed while the refresh pins its snapshot is seen by neither
// connection (the pin holds the store's write lock, so no write lands between the two).
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { OFF_THREAD_CUSTOMERS } from '../../src/db/derived-builder.ts';
import { readOrderHistories, readOrdersOffThread } from '../../src/db/orders-read.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { onPostgres } from '../helpers/test-database.ts';

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

/** `customers` customers c000000…; customer i has i % 4 orders on days 100 + 7k + i % 5, amount k + i / 100. */
function seed(h: NonNullable<TestContext['store']['sqlite']>, customers: number): void {
  h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${customers - 1})
    INSERT INTO customers (customer_id, owner, search_text) SELECT printf('c%06d', i), CASE WHEN i % 3 = 0 THEN 'maya' END, 'x' FROM n`);
  h.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${customers - 1}), k(j) AS (VALUES (0), (1), (2))
    INSERT INTO orders (order_id, customer_id, ordered_at, day, amount) SELECT printf('o%06d-%d', i, j), printf('c%06d', i), '2026-01-01', 100 + 7 * j + i % 5, j + i / 100.0 FROM n, k WHERE j < i % 4`);
}

describe.skipIf(onPostgres)('order histories read off the thread (SQLite)', () => {
  it('GIVEN a store as large as the refresh reads on a worker THEN the snapshot holds the same histories as the inline read, and orders after the day are left out', async () => {
    ctx = await makeTestContext();
    const h = ctx.store.sqlite!;
    seed(h, OFF_THREAD_CUSTOMERS + 7);
    const customerIds = h.prepare('SELECT customer_id FROM customers ORDER BY customer_id').pluck().all() as string[];
    const owners = h.prepare('SELECT owner FROM customers ORDER BY customer_id').pluck().all() as (string | null)[];
    const reads = await ctx.store.refresh.reads();
    try {
      for (const toDay of [200, 107]) {
        const snapshot = await reads.readSnapshot(toDay);
        // read on the worker: pinning the two reads held the write lock (for a message's round trip)
        expect(snapshot.writeLockMs).toBeGreaterThanOrEqual(0);
        const got = snapshot.histories;
        const want = readOrderHistories(h, customerIds, owners, toDay);
        expect(got.customerIds).toEqual(customerIds);
        expect(got.owners).toEqual(owners);
        expect(Array.from(got.offsets)).toEqual(Array.from(want.offsets));
        expect(Array.from(got.days)).toEqual(Array.from(want.days));
        expect(Array.from(got.amounts)).toEqual(Array.from(want.amounts));
        // customer 3 has 3 orders: days 103, 110, 117 (107 keeps the first)
        const c3 = customerIds.indexOf('c000003');
        expect(Array.from(got.days.subarray(got.offsets[c3]!, got.offsets[c3 + 1]!))).toEqual(toDay === 200 ? [103, 110, 117] : [103]);
      }
      expect(readOrderHistories(h, customerIds, owners, 200).days.length).toBe(Array.from({ length: OFF_THREAD_CUSTOMERS + 7 }, (_, i) => i % 4).reduce((a, b) => a + b, 0));
    } finally {
      await reads.close();
    }
  });

  it('GIVEN a writer while the two reads are pinned THEN it waits for the pin, and neither read sees what it commits after', async () => {
    ctx = await makeTestContext();
    const h = ctx.store.sqlite!;
    seed(h, 40);
    const file = ctx.store.location;
    const other = new BetterSqlite3(file);
    other.pragma('busy_timeout = 0');
    const addOrder = (id: string) => other.prepare(`INSERT INTO orders (order_id, customer_id, ordered_at, day, amount) VALUES (?, 'c000001', '2026-01-01', 150, 99)`).run(id);
    try {
      let blocked: unknown;
      let after: unknown;
      const { here, orders } = await readOrdersOffThread(
        file,
        200,
        0,
        (release) => {
          // While the pin holds the lock, another connection cannot write.
          try {
            addOrder('during pin');
          } catch (err) {
            blocked = err;
          }
          h.exec('BEGIN');
          h.prepare('SELECT count(*) FROM sqlite_schema').get();
          release();
          // After the pin, the write lands, but in neither pinned read.
          addOrder('after pin');
          after = other.prepare(`SELECT count(*) FROM orders WHERE customer_id = 'c000001'`).pluck().get();
          const customerIds = h.prepare('SELECT customer_id FROM customers ORDER BY customer_id').pluck().all() as string[];
          const orders = h.prepare(`SELECT count(*) FROM orders WHERE customer_id = 'c000001'`).pluck().get();
          h.exec('COMMIT');
          return { customerIds, orders };
        },
        { deadlineMs: 5_000, firstWaitMs: 5, maxWaitMs: 50 },
      );
      expect((blocked as { code?: string } | undefined)?.code).toMatch(/^SQLITE_BUSY/);
      expect(after).toBe(2);
      expect(here.orders).toBe(1);
      expect(Number.isFinite(orders.lockMs)).toBe(true);
      const histories = await orders.histories(here.customerIds, here.customerIds.map(() => null));
      const c1 = here.customerIds.indexOf('c000001');
      expect(histories.offsets[c1 + 1]! - histories.offsets[c1]!).toBe(1);
      // the lock was let go: writes land again without waiting
      expect(() => addOrder('later')).not.toThrow();
    } finally {
      other.close();
    }
  });

  it('GIVEN the reader cannot open the store THEN the refresh is told why, before anything is locked or read', async () => {
    let ran = false;
    const reading = readOrdersOffThread('/nonexistent/pulse.sqlite', 200, 0, () => (ran = true), { deadlineMs: 100, firstWaitMs: 5, maxWaitMs: 50 });
    await expect(reading).rejects.toThrow(/^order histories: .*(unable to open|directory does not exist|SQLITE_CANTOPEN)/i);
    expect(ran).toBe(false);
  });

  it("GIVEN the refresh's own read fails after the pin THEN the write lock is let go and the error is the read's", async () => {
    ctx = await makeTestContext();
    const h = ctx.store.sqlite!;
    seed(h, 10);
    const file = ctx.store.location;
    await expect(
      readOrdersOffThread(file, 200, 0, (release) => {
        h.exec('BEGIN');
        release();
        h.exec('ROLLBACK');
        throw new Error('the read broke');
      }, { deadlineMs: 1_000, firstWaitMs: 5, maxWaitMs: 50 }),
    ).rejects.toThrow('the read broke');
    const other = new BetterSqlite3(file);
    try {
      other.pragma('busy_timeout = 0');
      expect(() => other.prepare(`INSERT INTO orders (order_id, customer_id, ordered_at, day, amount) VALUES ('x', 'c000001', '2026-01-01', 150, 1)`).run()).not.toThrow();
    } finally {
      other.close();
    }
  });
});
