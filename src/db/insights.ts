// Writing a refresh's results (atomically: readers see the previous run until the new one commits)
// and the indexed reads every insight command uses.
import { sql, type Kysely } from 'kysely';
import type { BasketRulesTable, Database, InsightRow, InsightsTable, LifecycleTransitionsTable, ModelRunRow } from './schema.ts';
import { insertWithNextId } from './next-id.ts';
import type { Store } from './store.ts';

export async function startRun(db: Kysely<Database>, asOfDay: number, now: Date): Promise<number> {
  return insertWithNextId(db, 'model_runs', 'run_id', (run_id) => ({ run_id, as_of_day: asOfDay, started_at: now.toISOString(), finished_at: null, status: 'running', customers: 0, card: null }));
}

export async function finishRun(db: Kysely<Database>, runId: number, status: 'done' | 'failed', customers: number, card: unknown, now: Date): Promise<void> {
  await db.updateTable('model_runs').set({ status, customers, card: JSON.stringify(card), finished_at: now.toISOString() }).where('run_id', '=', runId).execute();
}

const INSIGHT_COLUMNS = [
  'customer_id', 'run_id', 'as_of_day', 'orders', 'purchase_days', 'revenue', 'first_day', 'last_day', 'usual_gap_days', 'days_overdue',
  'recency_score', 'frequency_score', 'monetary_score', 'segment', 'cluster_id', 'cluster_name', 'p_alive', 'expected_purchases_90d',
  'expected_spend', 'clv_12m', 'churn_risk', 'churn_drivers', 'value_at_risk', 'lifecycle_stage', 'lifecycle_reason', 'stage_since_day',
] as const satisfies readonly (keyof InsightsTable)[];

export type InsightValues = { [K in (typeof INSIGHT_COLUMNS)[number]]: InsightsTable[K] };

export interface RefreshResults {
  insights: Iterable<InsightValues>;
  transitions: LifecycleTransitionsTable[];
  basketRules: BasketRulesTable[];
}

/** Secondary indexes of `insights`, dropped during the rewrite and rebuilt after (much faster). */
const INSIGHT_INDEXES: Record<string, string> = {
  insights_segment_clv: '(segment, clv_12m)',
  insights_stage: '(lifecycle_stage)',
  insights_value_at_risk: '(value_at_risk)',
  insights_clv: '(clv_12m)',
  insights_cluster: '(cluster_id)',
};

/**
 * Replaces every insight, appends transitions and replaces basket rules, in one transaction.
 * `insights` may be a generator: rows are scored as they are written, never all held at once.
 */
export async function writeRefreshResults(store: Store, results: RefreshResults): Promise<void> {
  if (store.sqlite) {
    const h = store.sqlite;
    const values = new Array<unknown>(INSIGHT_COLUMNS.length);
    h.transaction(() => {
      for (const name of Object.keys(INSIGHT_INDEXES)) h.exec(`DROP INDEX IF EXISTS ${name}`);
      h.exec('DELETE FROM insights');
      const insert = h.prepare(`INSERT INTO insights (${INSIGHT_COLUMNS.join(', ')}) VALUES (${INSIGHT_COLUMNS.map(() => '?').join(', ')})`);
      for (const row of results.insights) {
        for (let i = 0; i < INSIGHT_COLUMNS.length; i++) values[i] = row[INSIGHT_COLUMNS[i]!];
        insert.run(values);
      }
      for (const [name, cols] of Object.entries(INSIGHT_INDEXES)) h.exec(`CREATE INDEX ${name} ON insights ${cols}`);
      const transition = h.prepare('INSERT INTO lifecycle_transitions (customer_id, run_id, as_of_day, from_stage, to_stage, reason) VALUES (?, ?, ?, ?, ?, ?)');
      for (const t of results.transitions) transition.run(t.customer_id, t.run_id, t.as_of_day, t.from_stage, t.to_stage, t.reason);
      h.exec('DELETE FROM basket_rules');
      const rule = h.prepare('INSERT INTO basket_rules (run_id, antecedent, consequent, support, confidence, lift, count) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const r of results.basketRules) rule.run(r.run_id, r.antecedent, r.consequent, r.support, r.confidence, r.lift, r.count);
    })();
    return;
  }
  await store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('insights').execute();
    let batch: InsightValues[] = [];
    const flush = async () => {
      if (batch.length) await trx.insertInto('insights').values(batch).execute();
      batch = [];
    };
    for (const row of results.insights) {
      batch.push(row);
      if (batch.length >= 1000) await flush();
    }
    await flush();
    for (let i = 0; i < results.transitions.length; i += 1000) await trx.insertInto('lifecycle_transitions').values(results.transitions.slice(i, i + 1000)).execute();
    await trx.deleteFrom('basket_rules').execute();
    for (let i = 0; i < results.basketRules.length; i += 1000) await trx.insertInto('basket_rules').values(results.basketRules.slice(i, i + 1000)).execute();
  });
}

/** The previous run's stage of every customer, for lifecycle transitions. */
export async function previousStages(store: Store): Promise<Map<string, { stage: string; since: number | null; purchaseDays: number }>> {
  const out = new Map<string, { stage: string; since: number | null; purchaseDays: number }>();
  if (store.sqlite) {
    const rows = store.sqlite.prepare('SELECT customer_id, lifecycle_stage, stage_since_day, purchase_days FROM insights').raw(true).iterate() as Iterable<[string, string, number | null, number]>;
    for (const r of rows) out.set(r[0], { stage: r[1], since: r[2], purchaseDays: r[3] });
    return out;
  }
  const rows = await store.db.selectFrom('insights').select(['customer_id', 'lifecycle_stage', 'stage_since_day', 'purchase_days']).execute();
  for (const r of rows) out.set(r.customer_id, { stage: r.lifecycle_stage, since: r.stage_since_day, purchaseDays: Number(r.purchase_days) });
  return out;
}

export async function latestRun(db: Kysely<Database>, status: 'done' | 'any' = 'done'): Promise<ModelRunRow | undefined> {
  let q = db.selectFrom('model_runs').selectAll().orderBy('run_id', 'desc').limit(1);
  if (status === 'done') q = q.where('status', '=', 'done');
  return q.executeTakeFirst();
}

export async function getInsight(db: Kysely<Database>, customerId: string): Promise<InsightRow | undefined> {
  return db.selectFrom('insights').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
}

export interface InsightWithCustomer extends InsightRow {
  name: string | null;
  company: string | null;
  owner: string | null;
  email: string | null;
}

export interface InsightFilter {
  owner?: string;
  segment?: string;
  stage?: string;
  clusterId?: number;
}

function filtered(db: Kysely<Database>, f: InsightFilter) {
  let q = db.selectFrom('insights as i').innerJoin('customers as c', 'c.customer_id', 'i.customer_id').selectAll('i').select(['c.name', 'c.company', 'c.owner', 'c.email']);
  if (f.owner) q = q.where(sql`lower(c.owner)`, '=', f.owner.toLowerCase());
  if (f.segment) q = q.where(sql`lower(i.segment)`, '=', f.segment.toLowerCase());
  if (f.stage) q = q.where('i.lifecycle_stage', '=', f.stage);
  if (f.clusterId !== undefined) q = q.where('i.cluster_id', '=', f.clusterId);
  return q;
}

export async function topBy(db: Kysely<Database>, column: 'clv_12m' | 'value_at_risk' | 'churn_risk', f: InsightFilter, limit: number): Promise<InsightWithCustomer[]> {
  return (await filtered(db, f).where(`i.${column}`, 'is not', null).orderBy(`i.${column}`, 'desc').orderBy('i.customer_id').limit(limit).execute()) as InsightWithCustomer[];
}

export async function countWhere(db: Kysely<Database>, f: InsightFilter, minChurnRisk?: number): Promise<number> {
  let q = db.selectFrom('insights as i').innerJoin('customers as c', 'c.customer_id', 'i.customer_id').select((eb) => eb.fn.countAll<number>().as('n'));
  if (f.owner) q = q.where(sql`lower(c.owner)`, '=', f.owner.toLowerCase());
  if (f.segment) q = q.where(sql`lower(i.segment)`, '=', f.segment.toLowerCase());
  if (f.stage) q = q.where('i.lifecycle_stage', '=', f.stage);
  if (minChurnRisk !== undefined) q = q.where('i.churn_risk', '>=', minChurnRisk);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface GroupSummary {
  key: string | null;
  customers: number;
  revenue: number;
  clv: number;
  valueAtRisk: number;
}

export async function summarizeBy(db: Kysely<Database>, column: 'segment' | 'lifecycle_stage' | 'cluster_name' | 'owner', f: InsightFilter = {}): Promise<GroupSummary[]> {
  const key = column === 'owner' ? sql<string | null>`c.owner` : sql<string | null>`i.${sql.ref(column)}`;
  let q = db
    .selectFrom('insights as i')
    .innerJoin('customers as c', 'c.customer_id', 'i.customer_id')
    .select((eb) => [
      key.as('key'),
      eb.fn.countAll<number>().as('customers'),
      eb.fn.sum<number>('i.revenue').as('revenue'),
      eb.fn.sum<number>(eb.fn.coalesce('i.clv_12m', sql<number>`0`)).as('clv'),
      eb.fn.sum<number>(eb.fn.coalesce('i.value_at_risk', sql<number>`0`)).as('valueAtRisk'),
    ])
    .groupBy(key);
  if (f.owner) q = q.where(sql`lower(c.owner)`, '=', f.owner.toLowerCase());
  if (f.segment) q = q.where(sql`lower(i.segment)`, '=', f.segment.toLowerCase());
  const rows = await q.execute();
  return rows.map((r) => ({ key: r.key, customers: Number(r.customers), revenue: Number(r.revenue ?? 0), clv: Number(r.clv ?? 0), valueAtRisk: Number(r.valueAtRisk ?? 0) }));
}

/** All CLVs, descending (for "share of value held by the top 20%"). */
export async function clvValues(db: Kysely<Database>, f: InsightFilter = {}): Promise<number[]> {
  const rows = await filtered(db, f).where('i.clv_12m', 'is not', null).orderBy('i.clv_12m', 'desc').execute();
  return rows.map((r) => Number(r.clv_12m));
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
