// `pulse demo`: a deterministic synthetic CRM whose structure the models can find. Customers buy
// at Poisson rates that differ between them (gamma-distributed, as BG/NBD and Pareto/NBD assume),
// silently stop after an exponential lifetime (shorter for unhappy customers), spend at levels that
// differ between customers (Gamma-Gamma), buy planted product pairs, and leave feedback whose score
// follows their satisfaction — so low scores precede churn, and pain points are planted in words.
import type { RowValues } from '../db/bulk.ts';
import { MS_PER_DAY, formatDay } from '../core/time.ts';
import { COMMENTS, COMPANY_A, COMPANY_B, COMPANY_C, FIRST_NAMES, LAST_NAMES, OWNERS, PRODUCTS } from './catalogue.ts';
import { Random } from './random.ts';

export interface DemoOptions {
  customers: number;
  seed: number;
  /** Last day of history (day number); usually today. */
  endDay: number;
  /** Days of history before endDay. */
  historyDays?: number;
  /** Generate order items (basket data). */
  items?: boolean;
}

export interface DemoSink {
  customers(rows: RowValues[]): Promise<void>;
  orders(rows: RowValues[]): Promise<void>;
  items(rows: RowValues[]): Promise<void>;
  feedback(rows: RowValues[]): Promise<void>;
}

export interface DemoCounts {
  customers: number;
  orders: number;
  items: number;
  feedback: number;
}

const BATCH = 20_000;

export async function generateDemo(opts: DemoOptions, sink: DemoSink): Promise<DemoCounts> {
  const rnd = new Random(opts.seed);
  const history = opts.historyDays ?? 730;
  const start = opts.endDay - history;
  const withItems = opts.items ?? true;
  const width = Math.max(5, String(opts.customers).length);
  const productIndex = new Map(PRODUCTS.map((p, i) => [p.name, i]));
  const counts: DemoCounts = { customers: 0, orders: 0, items: 0, feedback: 0 };
  let customers: RowValues[] = [];
  let orders: RowValues[] = [];
  let items: RowValues[] = [];
  let feedback: RowValues[] = [];
  // Orders are written after their customers: flush customers first whenever orders flush.
  const flush = async (force: boolean) => {
    if (customers.length >= BATCH || (force && customers.length)) {
      await sink.customers(customers);
      customers = [];
    }
    if (orders.length >= BATCH || (force && orders.length)) {
      if (customers.length) {
        await sink.customers(customers);
        customers = [];
      }
      await sink.orders(orders);
      orders = [];
    }
    if (items.length >= BATCH || (force && items.length)) {
      if (customers.length) {
        await sink.customers(customers);
        customers = [];
      }
      if (orders.length) {
        await sink.orders(orders);
        orders = [];
      }
      await sink.items(items);
      items = [];
    }
    if (feedback.length >= BATCH || (force && feedback.length)) {
      if (customers.length) {
        await sink.customers(customers);
        customers = [];
      }
      await sink.feedback(feedback);
      feedback = [];
    }
  };

  // A favourite product per customer gives each a recognisable basket.
  for (let i = 1; i <= opts.customers; i++) {
    const id = `C${String(i).padStart(width, '0')}`;
    const first = rnd.pick(FIRST_NAMES);
    const last = rnd.pick(LAST_NAMES);
    const company = [rnd.pick(COMPANY_A), rnd.pick(COMPANY_B), rnd.pick(COMPANY_C)].filter(Boolean).join(' ');
    const owner = OWNERS[Math.floor(rnd.next() * OWNERS.length)]!;
    const email = `${first}.${last}.${i}@${company.split(' ')[0]!.toLowerCase()}.example`.toLowerCase().replace(/[^a-z0-9.@]/g, '');
    // Acquisition: more customers arrive recently (growing business).
    const acquired = start + Math.floor(history * Math.sqrt(rnd.next()));
    const satisfaction = rnd.beta(5, 2); // 0..1, most customers fairly happy
    const rate = rnd.gamma(0.9, 1 / 20); // purchases per day while alive (mean ≈ 1 per 22 days)
    const deathRate = rnd.gamma(0.7, 1 / 500) * (satisfaction < 0.45 ? 3.5 : satisfaction < 0.6 ? 1.6 : 1);
    const spendLevel = rnd.gamma(6, 1) / rnd.gamma(4, 1 / 12); // customer's mean order value scale
    const favourite = rnd.int(0, PRODUCTS.length - 1);
    const created = formatDay(acquired);
    customers.push([id, `${first} ${last}`, email, company, owner.name, created, null]);
    counts.customers++;

    // Purchase days: the first on acquisition; then a Poisson process until the customer dies.
    const death = acquired + rnd.exponential(deathRate);
    const days: number[] = [];
    const isProspect = rnd.chance(0.04);
    if (!isProspect) {
      days.push(acquired);
      let t = acquired;
      for (;;) {
        t += rnd.exponential(rate);
        if (t > death || t > opts.endDay) break;
        days.push(Math.floor(t));
      }
    }
    let orderSeq = 0;
    for (const day of days) {
      const orderId = `O${id.slice(1)}-${++orderSeq}`;
      const target = rnd.gamma(3, spendLevel / 3);
      const lines = basket(rnd, favourite, productIndex);
      const basketPrice = lines.reduce((s, p) => s + PRODUCTS[p]!.price, 0);
      const qty = Math.max(1, Math.round(target / basketPrice));
      const amount = Math.round(lines.reduce((s, p) => s + PRODUCTS[p]!.price * qty, 0) * 100) / 100;
      const at = new Date(day * MS_PER_DAY + rnd.int(8 * 3600, 19 * 3600) * 1000).toISOString();
      orders.push([orderId, id, at, day, amount, null]);
      counts.orders++;
      if (withItems) {
        for (const p of lines) {
          items.push([orderId, PRODUCTS[p]!.name, qty, PRODUCTS[p]!.price, null]);
          counts.items++;
        }
      }
      // Now and then a refund: a negative order shortly after.
      if (rnd.chance(0.02) && day + 7 <= opts.endDay) {
        const refundDay = day + rnd.int(1, 7);
        orders.push([`${orderId}-R`, id, new Date(refundDay * MS_PER_DAY + 12 * 3600_000).toISOString(), refundDay, -Math.round(amount * 50) / 100, null]);
        counts.orders++;
      }
      // Feedback after some orders: unhappy customers speak up more often.
      if (rnd.chance(satisfaction < 0.5 ? 0.35 : 0.15) && day + 2 <= opts.endDay) {
        const fday = day + rnd.int(1, 2);
        const nps = rnd.chance(0.3);
        const score = scoreFor(rnd, satisfaction, nps);
        const mood = nps ? (score <= 6 ? 'low' : score >= 9 ? 'high' : 'mid') : score <= 2 ? 'low' : score >= 4 ? 'high' : 'mid';
        const comment = rnd.chance(0.75) ? rnd.pick(COMMENTS[mood]) : null;
        const created = new Date(fday * MS_PER_DAY + rnd.int(8 * 3600, 18 * 3600) * 1000).toISOString();
        feedback.push([`FB${id.slice(1)}-${orderSeq}`, id, nps ? 'nps' : 'csat', score, comment, rnd.pick(OWNERS).name, 'demo', created, fday, null]);
        counts.feedback++;
      }
    }
    if (orders.length >= BATCH || customers.length >= BATCH || items.length >= BATCH || feedback.length >= BATCH) await flush(false);
  }
  await flush(true);
  return counts;
}

function basket(rnd: Random, favourite: number, index: Map<string, number>): number[] {
  const lines = new Set<number>();
  lines.add(rnd.chance(0.5) ? favourite : rnd.int(0, PRODUCTS.length - 1));
  const extra = rnd.chance(0.35) ? 1 : 0;
  for (let k = 0; k < extra; k++) lines.add(rnd.int(0, PRODUCTS.length - 1));
  for (const p of [...lines]) {
    const prod = PRODUCTS[p]!;
    if (prod.partner && rnd.chance(prod.partnerChance ?? 0)) lines.add(index.get(prod.partner)!);
  }
  return [...lines];
}

function scoreFor(rnd: Random, satisfaction: number, nps: boolean): number {
  const noisy = Math.min(1, Math.max(0, satisfaction + rnd.normal() * 0.15));
  return nps ? Math.round(noisy * 10) : 1 + Math.round(noisy * 4);
}
