// The order items a refresh mines basket rules from, read from SQLite in order id order (a worker
// thread with its own connection does this while the refresh fits its models: basket-worker.ts).
import { BasketBuilder, BasketTally, type BasketInput } from './histories.ts';
import type { SqliteHandle } from './store.ts';

/**
 * Every order's products as one JSON list, counted by content (BasketTally): SQLite groups the 15M
 * items of a 1M-customer store into 9M lists in C, and JS sees one short string per order instead
 * of two per item. The orders to leave out (refunds, orders after the day) are few: their lists are
 * read again by key and taken back out. A catalogue with too many distinct baskets for the tally
 * is read item by item instead.
 */
export function readBasket(h: SqliteHandle, toDay: number): BasketInput {
  // Both reads in one state: an order refunded between them must not be taken out of a count it was never in.
  const own = !h.inTransaction;
  if (own) h.exec('BEGIN');
  try {
    return readBasketLists(h, toDay) ?? readBasketItems(h, toDay);
  } finally {
    if (own && h.inTransaction) h.exec('COMMIT');
  }
}

function readBasketLists(h: SqliteHandle, toDay: number): BasketInput | undefined {
  const tally = new BasketTally();
  // BASKETS_PER_ROW orders' lists per row, joined by a unit separator (JSON escapes it inside a
  // list): a row crossing into JS costs more than its bytes (6.4 s for 9.4M one-list rows, 4.7 s
  // in chunks). Each chunk starts after the last order of the one before, in primary-key order.
  const sql = (where: string) =>
    h
      .prepare(
        `SELECT group_concat(basket, char(31)), max(order_id), count(*) FROM (
           SELECT order_id, json_group_array(product) AS basket FROM order_items ${where} GROUP BY order_id ORDER BY order_id LIMIT ${BASKETS_PER_ROW})`,
      )
      .raw(true);
  const first = sql('');
  const next = sql('WHERE order_id > ?');
  const chunk = (after: string | null) => (after === null ? first.get() : next.get(after)) as [string | null, string | null, number];
  for (let after: string | null = null; ; ) {
    const [lists, last, count] = chunk(after);
    if (count === 0) break;
    if (!tally.addLists(lists!, '\u001f')) return undefined;
    if (count < BASKETS_PER_ROW) break;
    after = last;
  }
  const excluded = h.prepare('SELECT json_group_array(product) FROM order_items WHERE order_id IN (SELECT order_id FROM orders WHERE day > ? OR amount < 0) GROUP BY order_id').pluck();
  for (const basket of excluded.iterate(toDay) as Iterable<string>) if (!tally.remove(basket)) return undefined;
  return tally.build();
}

/** Orders per row of readBasketLists. */
const BASKETS_PER_ROW = 2_000;

function readBasketItems(h: SqliteHandle, toDay: number): BasketInput {
  // The orders to leave out are collected from the covering index and skipped, instead of joining
  // 15M items to their orders.
  const excluded = new Set(h.prepare('SELECT order_id FROM orders WHERE day > ? OR amount < 0').pluck().all(toDay) as string[]);
  const basket = new BasketBuilder(excluded);
  for (const [orderId, product] of h.prepare('SELECT order_id, product FROM order_items ORDER BY order_id').raw(true).iterate() as Iterable<[string, string]>) {
    basket.item(orderId, product);
  }
  return basket.build();
}
