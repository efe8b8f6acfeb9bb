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
    if (k < orderCount) {
      days[k] = day;
      amounts[k] = amount;
      k++;
    }
  };
  if (store.sqlite) {
    const it = store.sqlite.prepare('SELECT customer_id, day, amount FROM orders WHERE day <= ? ORDER BY customer_id, day').raw(true).iterate(toDay) as Iterable<[string, number, number]>;
    for (const r of it) take(r[0], r[1], r[2]);
  } else {
    const stream = store.db.selectFrom('orders').select(['customer_id', 'day', 'amount']).where('day', '<=', toDay).orderBy('customer_id').orderBy('day').stream(10_000);
    for await (const r of stream) take(r.customer_id, Number(r.day), Number(r.amount));
  }
  for (let j = current + 1; j <= customers.length; j++) offsets[j] = k;
  return { customerIds: customers.map((c) => c.id), owners: customers.map((c) => c.owner), offsets, days: k === orderCount ? days : days.subarray(0, k), amounts: k === orderCount ? amounts : amounts.subarray(0, k) };
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
  const rows = await store.db.selectFrom('feedback').select(['customer_id', 'day', 'scale', 'score']).where('day', '<=', toDay).orderBy('day').execute();
  const out: FeedbackPoint[] = [];
  for (const r of rows) {
    const i = index.get(r.customer_id);
    if (i !== undefined) out.push({ customerIndex: i, day: Number(r.day), scale: r.scale, score: Number(r.score) });
  }
  return out;
}

export interface BasketInput {
  orderIndex: Int32Array;
  productIndex: Int32Array;
  productIds: string[];
  /** The customer of each order index (index into customerIds), for cross-sell. */
  orderCustomer: Int32Array;
}

/** All order items as flat (order, product) index pairs, grouped by order. */
export async function loadBasketItems(store: Store, customerIds: readonly string[]): Promise<BasketInput> {
  const customerIndex = new Map<string, number>();
  customerIds.forEach((id, i) => customerIndex.set(id, i));
  const products = new Map<string, number>();
  const productIds: string[] = [];
  const orderIdx: number[] = [];
  const productIdx: number[] = [];
  const orderCustomer: number[] = [];
  let lastOrder = '';
  let o = -1;
  const take = (orderId: string, customerId: string, product: string) => {
    if (orderId !== lastOrder) {
      o++;
      lastOrder = orderId;
      orderCustomer.push(customerIndex.get(customerId) ?? -1);
    }
    let p = products.get(product);
    if (p === undefined) {
      p = productIds.length;
      products.set(product, p);
      productIds.push(product);
    }
    orderIdx.push(o);
    productIdx.push(p);
  };
  const sqlText = 'SELECT oi.order_id, o.customer_id, oi.product FROM order_items oi JOIN orders o ON o.order_id = oi.order_id ORDER BY oi.order_id';
  if (store.sqlite) {
    for (const r of store.sqlite.prepare(sqlText).raw(true).iterate() as Iterable<[string, string, string]>) take(r[0], r[1], r[2]);
  } else {
    const stream = store.db
      .selectFrom('order_items as oi')
      .innerJoin('orders as o', 'o.order_id', 'oi.order_id')
      .select(['oi.order_id', 'o.customer_id', 'oi.product'])
      .orderBy('oi.order_id')
      .stream(10_000);
    for await (const r of stream) take(r.order_id, r.customer_id, r.product);
  }
  return { orderIndex: Int32Array.from(orderIdx), productIndex: Int32Array.from(productIdx), productIds, orderCustomer: Int32Array.from(orderCustomer) };
}
