// Finding customers and reading their order history. Search is index-only: exact id, exact email,
// then word prefixes from customer_terms; a substring scan only when nothing else matched.
import { sql, type Kysely } from 'kysely';
import type { CustomerRow, Database } from './schema.ts';
import { normalizeSearch } from './search-terms.ts';

export interface CustomerMatch {
  customer: CustomerRow;
  /** Higher is better: exact id 100, exact email 90, exact name/company 80, prefix 40–60, substring 10. */
  score: number;
}

export async function findCustomers(db: Kysely<Database>, query: string, limit = 10): Promise<{ matches: CustomerMatch[]; total: number }> {
  const q = normalizeSearch(query);
  if (q === '') return { matches: [], total: 0 };
  const scores = new Map<string, number>();
  const bump = (id: string, s: number) => scores.set(id, Math.max(scores.get(id) ?? 0, s));

  const byId = await db.selectFrom('customers').select('customer_id').where('customer_id', '=', query.trim()).executeTakeFirst();
  if (byId) bump(byId.customer_id, 100);
  const byEmail = await db.selectFrom('customers').select('customer_id').where('email', '=', q).limit(5).execute();
  for (const r of byEmail) bump(r.customer_id, 90);

  const words = q.split(/\s+/).filter(Boolean);
  // The whole query as a prefix of a stored term (full names and companies are terms too).
  const whole = await termPrefix(db, q, 200);
  for (const r of whole) bump(r.customer_id, r.term === q ? 80 : 60);
  if (words.length > 1 && scores.size < limit) {
    // Every word must prefix-match some term of the customer: candidates from the rarest-looking
    // (longest) word, confirmed against the customer's search text.
    const longest = [...words].sort((a, b) => b.length - a.length)[0]!;
    const cands = await termPrefix(db, longest, 500);
    const ids = [...new Set(cands.map((c) => c.customer_id))];
    if (ids.length) {
      const rows = await db.selectFrom('customers').select(['customer_id', 'search_text']).where('customer_id', 'in', ids).execute();
      for (const r of rows) if (words.every((w) => r.search_text.includes(w))) bump(r.customer_id, 50);
    }
  } else if (words.length === 1 && scores.size < limit) {
    for (const r of whole) bump(r.customer_id, r.term === q ? 70 : 45);
  }
  if (scores.size === 0 && q.length >= 2) {
    const like = `%${q.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
    const rows = await db
      .selectFrom('customers')
      .select('customer_id')
      .where(sql<boolean>`search_text like ${like} escape '\\'`)
      .limit(50)
      .execute();
    for (const r of rows) bump(r.customer_id, 10);
  }
  const total = scores.size;
  if (total === 0) return { matches: [], total };
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, Math.max(limit * 3, limit));
  const rows = await db.selectFrom('customers').selectAll().where('customer_id', 'in', ranked.map(([id]) => id)).execute();
  const byKey = new Map(rows.map((r) => [r.customer_id, r]));
  const matches = ranked
    .map(([id, score]) => ({ customer: byKey.get(id)!, score }))
    .filter((m) => m.customer)
    .sort((a, b) => b.score - a.score || (a.customer.name ?? a.customer.customer_id).localeCompare(b.customer.name ?? b.customer.customer_id))
    .slice(0, limit);
  return { matches, total };
}

async function termPrefix(db: Kysely<Database>, prefix: string, limit: number) {
  return db
    .selectFrom('customer_terms')
    .select(['term', 'customer_id'])
    .where('term', '>=', prefix)
    .where('term', '<', prefix + '\u{10FFFF}')
    .limit(limit)
    .execute();
}

export async function getCustomer(db: Kysely<Database>, customerId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
}

export interface PurchaseDay {
  day: number;
  /** Sum of the day's amounts (refunds included). */
  amount: number;
  /** Orders with amount ≥ 0 that day. */
  orders: number;
}

/** One row per calendar day with orders, oldest first, for one customer (covering index). */
export async function purchaseDays(db: Kysely<Database>, customerId: string): Promise<PurchaseDay[]> {
  const rows = await db
    .selectFrom('orders')
    .select((eb) => [
      'day',
      eb.fn.sum<number>('amount').as('amount'),
      eb.fn.sum<number>(sql<number>`case when amount >= 0 then 1 else 0 end`).as('orders'),
    ])
    .where('customer_id', '=', customerId)
    .groupBy('day')
    .orderBy('day')
    .execute();
  return rows.map((r) => ({ day: Number(r.day), amount: Number(r.amount), orders: Number(r.orders) }));
}

/** Whether the store holds any customer (cheap at any size, unlike a count). */
export async function hasCustomers(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('customers').select('customer_id').limit(1).executeTakeFirst()) !== undefined;
}

export async function countCustomers(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function sampleCustomers(db: Kysely<Database>, limit: number): Promise<CustomerRow[]> {
  return db.selectFrom('customers').selectAll().orderBy('customer_id').limit(limit).execute();
}

/** One page of customers by id, for in-memory indexes built without blocking the event loop. */
export async function customerNamesPage(db: Kysely<Database>, afterId: string | undefined, limit: number) {
  let q = db.selectFrom('customers').select(['customer_id', 'name', 'company', 'email']).orderBy('customer_id').limit(limit);
  if (afterId !== undefined) q = q.where('customer_id', '>', afterId);
  return q.execute();
}
