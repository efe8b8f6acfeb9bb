// `pulse import transactions`: one row per order line, as shops export them, becomes the customers
// it names (created from the line's fields when new), one order per order id (amount = Σ quantity ×
// unit price over its lines) and one item per product (quantities summed). A cancellation (an order
// id starting with C, as UCI Online Retail marks them, or lines that sum below zero) is a refund.
// The lines are staged in the store first (db/transaction-lines.ts), so an order may be spread
// anywhere in the file and memory stays bounded.
import { createBulkWriter, rowsFromArrays, type Outcome, type RowValues } from '../db/bulk.ts';
import type { Store } from '../db/store.ts';
import { deleteItemsNotIn, L, type LineStage, type StagedLine } from '../db/transaction-lines.ts';
import type { ImportProblem } from './parse-rows.ts';

export interface TransactionCounts {
  orders: { inserted: number; updated: number; unchanged: number };
  items: number;
  customersCreated: number;
  refunds: number;
}

const PAGE = 20_000;
/** Orders written together (one transaction per table). */
const ORDERS_PER_WRITE = 5_000;
const ITEMS_PER_WRITE = 50_000;

export async function writeTransactions(store: Store, importId: number, stage: LineStage, reject: (p: ImportProblem) => void): Promise<TransactionCounts> {
  const counts: TransactionCounts = { orders: { inserted: 0, updated: 0, unchanged: 0 }, items: 0, customersCreated: 0, refunds: 0 };
  const customers = createBulkWriter(store, 'customers', importId, { insertOnly: true });
  const orders = createBulkWriter(store, 'orders', importId);
  const items = createBulkWriter(store, 'order-items', importId);
  // A leading C marks cancellations only where other orders do not all start with C.
  const cMarksCancellation = await stage.hasOrdersNotStartingWithC();

  let pending: Built[] = [];
  const flush = async () => {
    const built = pending;
    pending = [];
    if (built.length === 0) return;
    const seen = new Set<string>();
    const customerRows: RowValues[] = [];
    const customerLines: number[] = [];
    for (const b of built) {
      if (seen.has(b.customer[0] as string)) continue;
      seen.add(b.customer[0] as string);
      customerRows.push(b.customer);
      customerLines.push(b.line);
    }
    for (const o of await customers.write(customerRows, customerLines)) if (o.kind === 'inserted') counts.customersCreated++;
    const orderOutcomes = await orders.write(
      rowsFromArrays(
        built.map((b) => b.order),
        built.map((b) => b.line),
      ),
    );
    const itemRows = built.flatMap((b) => b.items);
    const itemOutcomes = await items.write(
      rowsFromArrays(
        itemRows,
        built.flatMap((b) => b.items.map(() => b.line)),
      ),
    );
    counts.items += itemRows.length;
    const changedItems = new Set<string>();
    itemOutcomes.forEach((o, i) => {
      if (o.kind !== 'unchanged') changedItems.add(itemRows[i]![0] as string);
    });
    const existing = built.filter((_, i) => orderOutcomes[i]!.kind !== 'inserted').map((b) => b.order[0] as string);
    const removed = await deleteItemsNotIn(store, existing, importId);
    built.forEach((b, i) => {
      const o = orderOutcomes[i]!;
      // An order the database would not store (a value PostgreSQL cannot hold) is rejected with its first line.
      if (o.kind === 'refused') reject({ line: b.line, field: o.column ?? 'order_id', code: 'refused', reason: o.reason });
      else count(o, changedItems.has(b.order[0] as string) || removed.has(b.order[0] as string));
    });
  };
  const count = (o: Outcome, itemsChanged: boolean) => {
    if (o.kind === 'inserted') counts.orders.inserted++;
    else if (o.kind === 'updated' || itemsChanged) counts.orders.updated++;
    else counts.orders.unchanged++;
  };

  let order: OrderBuilder | undefined;
  let pendingItems = 0;
  const close = async () => {
    if (!order) return;
    const b = order.build(cMarksCancellation);
    order = undefined;
    if (b.refund) counts.refunds++;
    pending.push(b);
    pendingItems += b.items.length;
    if (pending.length >= ORDERS_PER_WRITE || pendingItems >= ITEMS_PER_WRITE) {
      pendingItems = 0;
      await flush();
    }
  };
  let after: { orderId: string; line: number } | undefined;
  for (;;) {
    const page = await stage.page(after, PAGE);
    for (const l of page) {
      if (order && order.orderId !== l[L.order]) await close();
      order ??= new OrderBuilder(l);
      order.add(l, reject);
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1]!;
    after = { orderId: last[L.order], line: last[L.line] };
  }
  await close();
  await flush();
  return counts;
}

interface Built {
  line: number;
  customer: RowValues;
  order: RowValues;
  items: RowValues[];
  refund: boolean;
}

/** One order from its lines, taken one at a time in file order: the first line's customer and time, Σ quantity × price. */
class OrderBuilder {
  readonly orderId: string;
  readonly #first: StagedLine;
  readonly #customer = {
    name: null as string | null,
    email: null as string | null,
    company: null as string | null,
    owner: null as string | null,
    country: null as string | null,
  };
  readonly #extras: Record<string, unknown> = {};
  readonly #products = new Map<string, { quantity: number; total: number; price: number; sku: string | null }>();
  #amount = 0;

  constructor(first: StagedLine) {
    this.orderId = first[L.order];
    this.#first = first;
  }

  add(l: StagedLine, reject: (p: ImportProblem) => void): void {
    const first = this.#first;
    if (l[L.customer] !== first[L.customer]) {
      const p: ImportProblem = {
        line: l[L.line],
        field: 'customer_id',
        code: 'order-customer-mismatch',
        reason: `order "${l[L.order]}" belongs to customer "${first[L.customer]}" (line ${first[L.line]}); this line names "${l[L.customer]}"`,
      };
      const raw = l[L.raw];
      if (raw !== null) p.raw = raw;
      reject(p);
      return;
    }
    const c = this.#customer;
    c.name ??= l[L.name];
    c.email ??= l[L.email];
    c.company ??= l[L.company];
    c.owner ??= l[L.owner];
    c.country ??= l[L.country];
    const attributes = l[L.attributes];
    if (attributes)
      for (const [k, v] of Object.entries(JSON.parse(attributes) as Record<string, unknown>)) if (v !== null && !(k in this.#extras)) this.#extras[k] = v;
    const quantity = l[L.quantity];
    const total = quantity * l[L.unitPrice];
    this.#amount += total;
    const item = this.#products.get(l[L.product]);
    if (item) {
      item.quantity += quantity;
      item.total += total;
      item.sku ??= l[L.sku];
    } else this.#products.set(l[L.product], { quantity, total, price: l[L.unitPrice], sku: l[L.sku] });
  }

  build(cMarksCancellation: boolean): Built {
    const first = this.#first;
    const c = this.#customer;
    const orderId = first[L.order];
    let amount = round(this.#amount);
    const refund = amount < 0 || (cMarksCancellation && /^C/i.test(orderId));
    if (refund && amount > 0) amount = -amount;
    const attributes = Object.keys(this.#extras).length > 0 ? JSON.stringify(this.#extras) : null;
    return {
      line: first[L.line],
      customer: [first[L.customer], c.name, c.email, c.company, c.owner, null, c.country ? JSON.stringify({ country: c.country }) : null],
      order: [orderId, first[L.customer], first[L.orderedAt], first[L.day], amount, attributes],
      items: [...this.#products].map(([product, it]) => [
        orderId,
        product,
        round(it.quantity),
        it.quantity !== 0 ? round(it.total / it.quantity) : it.price,
        it.sku ? JSON.stringify({ sku: it.sku }) : null,
      ]),
      refund,
    };
  }
}

/** Sums of products of decimal prices carry binary noise (6 × 2.55 = 15.299999999999999): keep micro-units. */
function round(x: number): number {
  return Math.abs(x) < 1e9 ? Math.round(x * 1e6) / 1e6 : x;
}
