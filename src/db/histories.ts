// Bulk reads for the refresh pipeline: every customer's orders in compressed-row layout (one pass
// over the covering index), and the per-customer feedback the churn model uses.
import type { Store } from './store.ts';

export interface OrderHistories {
  /** Every customer, sorted by id; index i is "customer i" in the arrays below. */
  customerIds: string[];
  owners: (string | null)[];
  /** Customer i's orders are offsets[i] … offsets[i+1]−1 of days/amounts, oldest first. */
  offsets: Int32Array;
  days: Int32Array;
  amounts: Float64Array;
}

/** Orders on or before `toDay`. */
export async function loadOrderHistories(store: Store, toDay: number): Promise<OrderHistories> {
  // One read transaction: customers, the count and the orders come from the same snapshot even
  // while an import writes (WAL readers see the database as of their first read).
  if (store.sqlite) {
    store.sqlite.exec('BEGIN');
    try {
      return await readOrderHistories(store, toDay);
    } finally {
      store.sqlite.exec('COMMIT');
    }
  }
  return readOrderHistories(store, toDay);
}

async function readOrderHistories(store: Store, toDay: number): Promise<OrderHistories> {
  const customers: { id: string; owner: string | null }[] = [];
  let orderCount = 0;
  if (store.sqlite) {
    for (const r of store.sqlite.prepare('SELECT customer_id, owner FROM customers ORDER BY customer_id').raw(true).iterate() as Iterable<[string, string | null]>) {
      customers.push({ id: r[0], owner: r[1] });
    }
    orderCount = (store.sqlite.prepare('SELECT count(*) FROM orders WHERE day <= ?').raw(true).get(toDay) as [number])[0];
  } else {
    const rows = await store.db.selectFrom('customers').select(['customer_id', 'owner']).orderBy('customer_id').execute();
    for (const r of rows) customers.push({ id: r.customer_id, owner: r.owner });
    const c = await store.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('day', '<=', toDay).executeTakeFirst();
    orderCount = Number(c?.n ?? 0);
  }
  const index = new Map<string, number>();
  customers.forEach((c, i) => index.set(c.id, i));
  const offsets = new Int32Array(customers.length + 1);
  const days = new Int32Array(orderCount);
  const amounts = new Float64Array(orderCount);
  let k = 0;
  let current = -1;
  let currentId = '';
  const take = (customerId: string, day: number, amount: number) => {
    if (customerId !== currentId) {
      const i = index.get(customerId);
      if (i === undefined || i < current) throw new Error(`orders are not sorted by customer (${customerId})`);
      for (let j = current + 1; j <= i; j++) offsets[j] = k;
      current = i;
      currentId = customerId;
    }
    if (k >= orderCount) throw new Error('orders changed while being read');
    days[k] = day;
    amounts[k] = amount;
    k++;
  };
  if (store.sqlite) {
    // One row per customer (their days and amounts as text lists, in the covering index's day
    // order) is 2.5× faster than one row per order: the per-row cost is in crossing into JS.
    const it = store.sqlite
      .prepare('SELECT customer_id, group_concat(day), group_concat(amount) FROM orders WHERE day <= ? GROUP BY customer_id ORDER BY customer_id')
      .raw(true)
      .iterate(toDay) as Iterable<[string, string, string]>;
    for (const [customerId, dayList, amountList] of it) {
      const ds = dayList.split(',');
      const as = amountList.split(',');
      const from = k;
      for (let j = 0; j < ds.length; j++) take(customerId, Number(ds[j]), Number(as[j]));
      sortCustomerSlice(days, amounts, from, k);
    }
  } else {
    const stream = store.db.selectFrom('orders').select(['customer_id', 'day', 'amount']).where('day', '<=', toDay).orderBy('customer_id').orderBy('day').stream(10_000);
    for await (const r of stream) take(r.customer_id, Number(r.day), Number(r.amount));
  }
  for (let j = current + 1; j <= customers.length; j++) offsets[j] = k;
  return { customerIds: customers.map((c) => c.id), owners: customers.map((c) => c.owner), offsets, days: k === orderCount ? days : days.subarray(0, k), amounts: k === orderCount ? amounts : amounts.subarray(0, k) };
}

/** group_concat follows the index order in practice, but SQL does not promise it: check, and sort if needed. */
function sortCustomerSlice(days: Int32Array, amounts: Float64Array, from: number, to: number): void {
  let sorted = true;
  for (let i = from + 1; i < to && sorted; i++) if (days[i]! < days[i - 1]!) sorted = false;
  if (sorted) return;
  const idx = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => days[a]! - days[b]!);
  const d = idx.map((i) => days[i]!);
  const a = idx.map((i) => amounts[i]!);
  days.set(d, from);
  amounts.set(a, from);
}

export interface FeedbackPoint {
  customerIndex: number;
  day: number;
  scale: 'csat' | 'nps';
  score: number;
}

/** Feedback on or before `toDay`, mapped to customer indexes of `customerIds` (sorted). */
export async function loadFeedbackPoints(store: Store, customerIds: readonly string[], toDay: number): Promise<FeedbackPoint[]> {
  const index = new Map<string, number>();
  customerIds.forEach((id, i) => index.set(id, i));
  const out: FeedbackPoint[] = [];
  const take = (customerId: string, day: number, scale: 'csat' | 'nps', score: number) => {
    const i = index.get(customerId);
    if (i !== undefined) out.push({ customerIndex: i, day, scale, score });
  };
  if (store.sqlite) {
    // Table order, not day order: an index-ordered read would visit the table at random.
    // `+day` keeps SQLite off the day index: a range over it would fetch every row at random (16 s at 1.6M rows).
    const rows = store.sqlite.prepare('SELECT customer_id, day, scale, score FROM feedback WHERE +day <= ?').raw(true).iterate(toDay) as Iterable<[string, number, 'csat' | 'nps', number]>;
    for (const r of rows) take(r[0], r[1], r[2], r[3]);
    return out;
  }
  const rows = await store.db.selectFrom('feedback').select(['customer_id', 'day', 'scale', 'score']).where('day', '<=', toDay).orderBy('day').execute();
  for (const r of rows) take(r.customer_id, Number(r.day), r.scale, Number(r.score));
  return out;
}

export interface BasketInput {
  orderIndex: Int32Array;
  productIndex: Int32Array;
  productIds: string[];
}

/** Items of purchases (amount ≥ 0) on or before `toDay`, as flat (order, product) index pairs grouped by order. */
export async function loadBasketItems(store: Store, toDay: number): Promise<BasketInput> {
  const products = new Map<string, number>();
  const productIds: string[] = [];
  let orderIdx = new Int32Array(1 << 16);
  let productIdx = new Int32Array(1 << 16);
  let n = 0;
  let lastOrder = '';
  let o = -1;
  const take = (orderId: string, product: string) => {
    if (orderId !== lastOrder) {
      o++;
      lastOrder = orderId;
    }
    let p = products.get(product);
    if (p === undefined) {
      p = productIds.length;
      products.set(product, p);
      productIds.push(product);
    }
    if (n === orderIdx.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      orderIdx = grow(orderIdx);
      productIdx = grow(productIdx);
    }
    orderIdx[n] = o;
    productIdx[n] = p;
    n++;
  };
  if (store.sqlite) {
    // One row per order with its products joined by U+001F: half the rows crossing into JS.
    // The orders to leave out (refunds, and orders after the day) are few: collect them from the
    // covering index and skip them, instead of joining 15M items to their orders.
    const excluded = new Set(store.sqlite.prepare('SELECT order_id FROM orders WHERE day > ? OR amount < 0').pluck().all(toDay) as string[]);
    const rows = store.sqlite.prepare('SELECT order_id, group_concat(product, char(31)) FROM order_items GROUP BY order_id').raw(true).iterate() as Iterable<[string, string]>;
    for (const [orderId, list] of rows) {
      if (excluded.has(orderId)) continue;
      for (const product of list.split('\u001f')) take(orderId, product);
    }
  } else {
    const rows = store.db
      .selectFrom('order_items as oi')
      .innerJoin('orders as o', 'o.order_id', 'oi.order_id')
      .select(['oi.order_id', 'oi.product'])
      .where('o.day', '<=', toDay)
      .where('o.amount', '>=', 0)
      .orderBy('oi.order_id')
      .stream(10_000);
    for await (const r of rows) take(r.order_id, r.product);
  }
  return { orderIndex: orderIdx.slice(0, n), productIndex: productIdx.slice(0, n), productIds };
}
