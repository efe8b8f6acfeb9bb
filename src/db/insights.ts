// The model-run records, one customer's insight row, the lifecycle log and the basket rules.
import { sql, type Kysely } from 'kysely';
import type { Database, InsightRow, ModelRunRow } from './schema.ts';
import { insertWithNextId } from './next-id.ts';

export async function startRun(db: Kysely<Database>, asOfDay: number, now: Date): Promise<number> {
  return insertWithNextId(db, 'model_runs', 'run_id', (run_id) => ({ run_id, as_of_day: asOfDay, started_at: now.toISOString(), finished_at: null, status: 'running', customers: 0, card: null }));
}

/** Rewrites a done run's card (the refresh adds what it learnt while publishing). */
export async function updateRunCard(db: Kysely<Database>, runId: number, card: unknown): Promise<void> {
  await db.updateTable('model_runs').set({ card: JSON.stringify(card) }).where('run_id', '=', runId).execute();
}

export async function finishRun(db: Kysely<Database>, runId: number, status: 'done' | 'failed', customers: number, card: unknown, now: Date): Promise<void> {
  await db.updateTable('model_runs').set({ status, customers, card: JSON.stringify(card), finished_at: now.toISOString() }).where('run_id', '=', runId).execute();
}

export async function latestRun(db: Kysely<Database>, status: 'done' | 'any' = 'done'): Promise<ModelRunRow | undefined> {
  let q = db.selectFrom('model_runs').selectAll().orderBy('run_id', 'desc').limit(1);
  if (status === 'done') q = q.where('status', '=', 'done');
  return q.executeTakeFirst();
}

/** The first done run that started at or after `since` (an ISO instant), if any. */
export async function doneRunSince(db: Kysely<Database>, since: string): Promise<ModelRunRow | undefined> {
  return db.selectFrom('model_runs').selectAll().where('status', '=', 'done').where('started_at', '>=', since).orderBy('run_id').limit(1).executeTakeFirst();
}

export async function getInsight(db: Kysely<Database>, customerId: string): Promise<InsightRow | undefined> {
  return db.selectFrom('insights').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
}

/** Lifecycle moves on or after `fromDay`, newest first (then by customer); `upToRun` hides a refresh still running. */
export async function transitionsSince(db: Kysely<Database>, fromDay: number, f: { stage?: string; customerId?: string; upToRun?: number } = {}, limit = 50) {
  let q = db
    .selectFrom('lifecycle_transitions as t')
    .innerJoin('customers as c', 'c.customer_id', 't.customer_id')
    .select(['t.customer_id', 't.as_of_day', 't.from_stage', 't.to_stage', 't.reason', 'c.name', 'c.owner'])
    .where('t.as_of_day', '>=', fromDay);
  if (f.stage) q = q.where('t.to_stage', '=', f.stage);
  if (f.customerId) q = q.where('t.customer_id', '=', f.customerId);
  if (f.upToRun !== undefined) q = q.where('t.run_id', '<=', f.upToRun);
  return q.orderBy('t.as_of_day', 'desc').orderBy('t.customer_id').limit(limit).execute();
}

export async function basketRulesFor(db: Kysely<Database>, product: string, limit = 10) {
  return db.selectFrom('basket_rules').selectAll().where(sql`lower(antecedent)`, '=', product.toLowerCase()).orderBy('lift', 'desc').orderBy('confidence', 'desc').limit(limit).execute();
}

export async function basketProducts(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('basket_rules').select('antecedent').distinct().orderBy('antecedent').execute();
  return rows.map((r) => r.antecedent);
}

/** Rules whose antecedent (one product, or `A + B`) is among `products` or a pair of them. */
export async function basketRulesFrom(db: Kysely<Database>, products: readonly string[]) {
  if (products.length === 0) return [];
  const names = new Set(products);
  const rows = await db.selectFrom('basket_rules').selectAll().where('antecedent', 'in', [...names]).execute();
  const pairs = await db.selectFrom('basket_rules').selectAll().where('antecedent', 'like', '% + %').execute();
  return [...rows, ...pairs.filter((r) => r.antecedent.split(' + ').every((p) => names.has(p)))];
}

export async function customerProducts(db: Kysely<Database>, customerId: string): Promise<string[]> {
  const rows = await db.selectFrom('order_items as oi').innerJoin('orders as o', 'o.order_id', 'oi.order_id').select('oi.product').distinct().where('o.customer_id', '=', customerId).execute();
  return rows.map((r) => r.product);
}
