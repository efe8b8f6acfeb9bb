// The reports' figures computed from the insight rows themselves: exact whatever the filter, and a
// scan of every matching row (seconds at a million customers). Used off the bot's event loop, for
// filters no rollup holds, and by the test that checks the rollups against them.
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Breakdown, RankedCustomer, RankedList, ReportFilter } from '../reports/report-data.ts';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';

type Joined = Database & { i: Database['insights']; c: Database['customers'] };
type Query<O> = SelectQueryBuilder<Joined, 'i' | 'c', O>;

/**
 * Insight rows joined to their customers, filtered. `byKey`: the live run stored owner keys
 * (every run since the rollups were introduced); before that, owners are matched in SQL.
 */
function scoped(db: Kysely<Database>, f: ReportFilter, byKey: boolean): Query<{}> {
  let q = (db as unknown as Kysely<Joined>).selectFrom('insights as i').innerJoin('customers as c', 'c.customer_id', 'i.customer_id') as Query<{}>;
  if (f.owner !== undefined) q = byKey ? q.where('i.owner_key', '=', f.owner) : q.where(sql`lower(trim(c.owner))`, '=', f.owner);
  if (f.segment !== undefined) q = f.segment === '' ? q.where('i.segment', 'is', null) : q.where('i.segment', '=', f.segment);
  return q;
}

const RANKED_COLUMNS = [
  'i.customer_id', 'c.name', 'c.company', 'c.owner', 'i.segment', 'i.revenue', 'i.clv_12m', 'i.p_alive', 'i.churn_risk', 'i.churn_drivers',
  'i.value_at_risk', 'i.days_overdue', 'i.lifecycle_stage', 'i.lifecycle_reason',
] as const;

/** The first `limit` customers of a ranked list (ties by customer id). */
export async function scanRanked(db: Kysely<Database>, list: RankedList, f: ReportFilter, limit: number, minRisk: number, byKey: boolean): Promise<RankedCustomer[]> {
  const ranked = <Q extends SelectQueryBuilder<any, any, any>>(q: Q): Q => {
    let r = q as SelectQueryBuilder<Joined, 'i', {}>;
    if (list === 'clv') r = r.where('i.clv_12m', 'is not', null).orderBy('i.clv_12m', 'desc');
    else if (list === 'value-at-risk') r = r.where('i.value_at_risk', 'is not', null).orderBy('i.value_at_risk', 'desc');
    else {
      r = r.where('i.churn_risk', '>=', minRisk);
      if (list === 'at-risk:risk') r = r.orderBy('i.churn_risk', 'desc');
      if (list === 'at-risk:overdue') r = r.orderBy(sql`coalesce(i.days_overdue, -1)`, 'desc');
      r = r.orderBy(sql`coalesce(i.value_at_risk, 0)`, 'desc');
    }
    return r.orderBy('i.customer_id') as unknown as Q;
  };
  if (!byKey) return (await ranked(scoped(db, f, byKey).select(RANKED_COLUMNS)).limit(limit).execute()) as RankedCustomer[];
  // Ranked within the insights first, then joined: the customers of the first `limit` rows, not of every row in range.
  let inner = (db as unknown as Kysely<Joined>).selectFrom('insights as i').select('i.customer_id');
  if (f.owner !== undefined) inner = inner.where('i.owner_key', '=', f.owner);
  if (f.segment !== undefined) inner = f.segment === '' ? inner.where('i.segment', 'is', null) : inner.where('i.segment', '=', f.segment);
  const ids = (await ranked(inner).limit(limit).execute()).map((r) => r.customer_id);
  if (ids.length === 0) return [];
  const rows = (await scoped(db, {}, byKey).select(RANKED_COLUMNS).where('i.customer_id', 'in', ids).execute()) as RankedCustomer[];
  const at = new Map(ids.map((id, k) => [id, k]));
  return rows.sort((a, b) => at.get(a.customer_id)! - at.get(b.customer_id)!);
}

export interface ScannedFigures {
  customers: number;
  revenue: number;
  clv: number;
  valueAtRisk: number;
  scored: number;
  atRisk: number;
  atRiskValue: number;
  clvCustomers: number;
}

/** A sum of money in whole cents, divided back: exact whatever order the rows are added in. */
const sumCents = (expr: ReturnType<typeof sql>) => sql<number>`coalesce(sum(round(${expr} * 100)), 0) / 100.0`;

const figureColumns = (minRisk: number) => (eb: ExpressionBuilder<Joined, 'i' | 'c'>) => [
  eb.fn.countAll<number>().as('customers'),
  sumCents(sql`i.revenue`).as('revenue'),
  sumCents(sql`coalesce(i.clv_12m, 0)`).as('clv'),
  sumCents(sql`coalesce(i.value_at_risk, 0)`).as('valueAtRisk'),
  eb.fn.count<number>('i.churn_risk').as('scored'),
  sql<number>`sum(case when i.churn_risk >= ${minRisk} then 1 else 0 end)`.as('atRisk'),
  sumCents(sql`case when i.churn_risk >= ${minRisk} then coalesce(i.value_at_risk, 0) else 0 end`).as('atRiskValue'),
  eb.fn.count<number>('i.clv_12m').as('clvCustomers'),
];

function figuresOf(r: Record<string, unknown> | undefined): ScannedFigures {
  const n = (k: string) => Number(r?.[k] ?? 0);
  return { customers: n('customers'), revenue: n('revenue'), clv: n('clv'), valueAtRisk: n('valueAtRisk'), scored: n('scored'), atRisk: n('atRisk'), atRiskValue: n('atRiskValue'), clvCustomers: n('clvCustomers') };
}

export async function scanFigures(db: Kysely<Database>, f: ReportFilter, minRisk: number, byKey: boolean): Promise<ScannedFigures> {
  return figuresOf(await scoped(db, f, byKey).select(figureColumns(minRisk)).executeTakeFirst());
}

/**
 * How many customers of the filter are at or above `minRisk`, and their value at risk: the two
 * figures a threshold changes. From the insights alone when they carry the owner key (a range of
 * the churn-risk index), so a threshold other than the stored one costs no scan of every customer.
 */
export async function scanRiskAbove(db: Kysely<Database>, f: ReportFilter, minRisk: number, byKey: boolean): Promise<Pick<ScannedFigures, 'atRisk' | 'atRiskValue'>> {
  if (!byKey) {
    const r = await scanFigures(db, f, minRisk, byKey);
    return { atRisk: r.atRisk, atRiskValue: r.atRiskValue };
  }
  let q = db.selectFrom('insights as i').where('i.churn_risk', '>=', minRisk);
  if (f.owner !== undefined) q = q.where('i.owner_key', '=', f.owner);
  if (f.segment !== undefined) q = f.segment === '' ? q.where('i.segment', 'is', null) : q.where('i.segment', '=', f.segment);
  // No join to customers: every insight row has its customer (customers are never deleted; `pulse
  // forget` blanks their fields). Checking it cost a lookup per row: 0.2 s at risk 75+ of 1M.
  const r = await q.select((eb) => [eb.fn.countAll<number>().as('atRisk'), sumCents(sql`coalesce(i.value_at_risk, 0)`).as('atRiskValue')]).executeTakeFirst();
  return { atRisk: Number(r?.atRisk ?? 0), atRiskValue: Number(r?.atRiskValue ?? 0) };
}

/** Figures per segment, stage, cluster name or owner; `key` null when the customer has none. */
export async function scanBreakdown(db: Kysely<Database>, by: Breakdown, f: ReportFilter, minRisk: number, byKey: boolean): Promise<(ScannedFigures & { key: string | null; label: string | null })[]> {
  const key =
    by === 'owner' ? (byKey ? sql<string | null>`i.owner_key` : sql<string | null>`lower(trim(c.owner))`) : by === 'segment' ? sql<string | null>`i.segment` : by === 'stage' ? sql<string | null>`i.lifecycle_stage` : sql<string | null>`i.cluster_name`;
  // An owner's label: one of the spellings used for it (the smallest, so the choice is stable).
  const label = by === 'owner' ? sql<string | null>`min(c.owner)` : sql<string | null>`null`;
  const rows = await scoped(db, f, byKey)
    .select((eb) => [key.as('key'), label.as('label'), ...figureColumns(minRisk)(eb)])
    .groupBy(key)
    .execute();
  return rows.map((r) => ({ ...figuresOf(r as Record<string, unknown>), key: (r as { key: string | null }).key, label: (r as { label: string | null }).label }));
}

/** Every CLV in the filter, highest first (for the top-20% share and the value tiers). */
export async function scanClvValues(db: Kysely<Database>, f: ReportFilter, byKey: boolean): Promise<number[]> {
  const rows = await scoped(db, f, byKey).select('i.clv_12m').where('i.clv_12m', 'is not', null).orderBy('i.clv_12m', 'desc').execute();
  return rows.map((r) => Number(r.clv_12m));
}

/**
 * Customers at-risk or churned who entered that stage in one of `runIds`: by the stage's run
 * (stored since the rollups were introduced), or else by the lifecycle log.
 */
function entrants(db: Kysely<Database>, runIds: readonly number[], f: ReportFilter, byKey: boolean) {
  const q = scoped(db, f, byKey).where('i.lifecycle_stage', 'in', ['at-risk', 'churned']);
  if (runIds.length === 0) return q.where(sql<boolean>`1 = 0`);
  if (byKey) return q.where('i.stage_since_run', 'in', [...runIds]);
  return q.where((eb) =>
    eb.exists(
      (eb as unknown as ExpressionBuilder<Database, 'lifecycle_transitions'>)
        .selectFrom('lifecycle_transitions as t')
        .select('t.customer_id')
        .whereRef('t.customer_id', '=', sql.ref('i.customer_id'))
        .where('t.to_stage', 'in', ['at-risk', 'churned'])
        .where('t.run_id', 'in', [...runIds]),
    ),
  );
}

export async function scanEntrantsTop(db: Kysely<Database>, runIds: readonly number[], f: ReportFilter, limit: number, byKey: boolean): Promise<RankedCustomer[]> {
  return (await entrants(db, runIds, f, byKey)
    .select(RANKED_COLUMNS)
    .orderBy(sql`coalesce(i.value_at_risk, 0)`, 'desc')
    .orderBy('i.customer_id')
    .limit(limit)
    .execute()) as RankedCustomer[];
}

export async function scanEntrantsByOwner(db: Kysely<Database>, runIds: readonly number[], f: ReportFilter, byKey: boolean): Promise<{ key: string | null; owner: string | null; count: number; valueAtRisk: number }[]> {
  const key = byKey ? sql<string | null>`i.owner_key` : sql<string | null>`lower(trim(c.owner))`;
  const rows = await entrants(db, runIds, f, byKey)
    .select((eb) => [key.as('key'), sql<string | null>`min(c.owner)`.as('owner'), eb.fn.countAll<number>().as('count'), sumCents(sql`coalesce(i.value_at_risk, 0)`).as('value')])
    .groupBy(key)
    .execute();
  return rows.map((r) => ({ key: r.key, owner: r.owner, count: Number(r.count), valueAtRisk: Number(r.value ?? 0) }));
}

export interface ScannedFeedback {
  feedback_id: string;
  customer_id: string;
  scale: 'csat' | 'nps';
  score: number;
  comment: string | null;
  terms: string | null;
  day: number;
  name: string | null;
  owner: string | null;
  /** 12-month CLV, else revenue, as of the live refresh; 0 when the customer has neither. */
  value: number;
  /** Arrival number (rowid / seq). */
  seq: number;
}

/** Feedback in [fromDay, toDay] from customers in the filter (owner and segment as of the live refresh). */
export async function scanFeedback(store: Store, f: ReportFilter, fromDay: number, toDay: number, byKey: boolean): Promise<ScannedFeedback[]> {
  const d = store.db as unknown as Kysely<Database & { f: Database['feedback']; c: Database['customers']; i: Database['insights'] }>;
  let q = d
    .selectFrom('feedback as f')
    .innerJoin('customers as c', 'c.customer_id', 'f.customer_id')
    .leftJoin('insights as i', 'i.customer_id', 'f.customer_id')
    .select(['f.feedback_id', 'f.customer_id', 'f.scale', 'f.score', 'f.comment', 'f.terms', 'f.day', 'c.name', 'c.owner', sql<number>`coalesce(i.clv_12m, i.revenue, 0)`.as('value'), sql<number>`${sql.ref(`f.${store.feedbackSeq}`)}`.as('seq')])
    .where('f.day', '>=', fromDay)
    .where('f.day', '<=', toDay);
  if (f.owner !== undefined) q = byKey ? q.where('i.owner_key', '=', f.owner) : q.where(sql`lower(trim(c.owner))`, '=', f.owner);
  if (f.segment !== undefined) q = f.segment === '' ? q.where('i.segment', 'is', null) : q.where('i.segment', '=', f.segment);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, score: Number(r.score), day: Number(r.day), value: Number(r.value), seq: Number(r.seq) })) as ScannedFeedback[];
}
