// Reading the rollups a refresh wrote (see migration 0004): every read is a primary-key range of a
// few rows, or a ranked list of at most 50 joined to its customers.
import { sql, type Kysely } from 'kysely';
import type { Breakdown, RankedCustomer, RankedList } from '../reports/report-data.ts';
import type { Database, ReportGroupsTable } from './schema.ts';
import type { Store } from './store.ts';

export async function groupRow(db: Kysely<Database>, runId: number, scope: string, key: string): Promise<ReportGroupsTable | undefined> {
  return db.selectFrom('report_groups').selectAll().where('run_id', '=', runId).where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
}

/** Every group of a scope ('segment', 'stage', 'cluster', 'owner'), or of 'owner-segment' for one segment. */
export async function groupRows(db: Kysely<Database>, runId: number, scope: Breakdown | 'owner-segment', segment?: string): Promise<ReportGroupsTable[]> {
  const rows = await db.selectFrom('report_groups').selectAll().where('run_id', '=', runId).where('scope', '=', scope).execute();
  return segment === undefined ? rows : rows.filter((r) => r.key.endsWith(`\u001f${segment}`));
}

const RANKED_COLUMNS = [
  'i.customer_id', 'c.name', 'c.company', 'c.owner', 'i.segment', 'i.revenue', 'i.clv_12m', 'i.p_alive', 'i.churn_risk', 'i.churn_drivers',
  'i.value_at_risk', 'i.days_overdue', 'i.lifecycle_stage', 'i.lifecycle_reason',
] as const;

/** The first `limit` customers of a stored list, in rank order. */
export async function rankedRows(db: Kysely<Database>, runId: number, list: RankedList, scope: string, key: string, limit: number): Promise<RankedCustomer[]> {
  const rows = await db
    .selectFrom('report_lists as l')
    .innerJoin('insights as i', 'i.customer_id', 'l.customer_id')
    .innerJoin('customers as c', 'c.customer_id', 'l.customer_id')
    .select(RANKED_COLUMNS)
    .where('l.run_id', '=', runId)
    .where('l.list', '=', list)
    .where('l.scope', '=', scope)
    .where('l.key', '=', key)
    .where('l.rank', '<', limit)
    .orderBy('l.rank')
    .execute();
  return rows as RankedCustomer[];
}

/** New entrants per owner: customers now at-risk or churned who moved there in one of `runIds`. */
export async function entrantRows(db: Kysely<Database>, runId: number, runIds: readonly number[], ownerKey?: string) {
  if (runIds.length === 0) return [];
  let q = db
    .selectFrom('report_entrants')
    // Money summed in whole cents: exact, so both stores (and the row scan) give the same figure.
    .select((eb) => ['owner_key', eb.fn.max('owner').as('owner'), eb.fn.sum<number>('customers').as('customers'), sql<number>`coalesce(sum(round(value_at_risk * 100)), 0) / 100.0`.as('value')])
    .where('run_id', '=', runId)
    .where('since_run', 'in', [...runIds])
    .groupBy('owner_key');
  if (ownerKey !== undefined) q = q.where('owner_key', '=', ownerKey);
  return (await q.execute()).map((r) => ({ ownerKey: r.owner_key, owner: r.owner as string | null, customers: Number(r.customers), valueAtRisk: Number(r.value ?? 0) }));
}

/**
 * Of `runIds`, the runs some customer still at-risk or churned moved in (with `ownerKey`, one of
 * that owner's): a bot refreshed hourly has 168 runs in a week's digest, most with no entrant left.
 */
export async function runsWithEntrants(db: Kysely<Database>, runId: number, runIds: readonly number[], ownerKey?: string): Promise<number[]> {
  if (runIds.length === 0) return [];
  let q = db.selectFrom('report_entrants').select('since_run').distinct().where('run_id', '=', runId).where('since_run', 'in', [...runIds]);
  if (ownerKey !== undefined) q = q.where('owner_key', '=', ownerKey);
  return (await q.execute()).map((r) => Number(r.since_run));
}

/** The most valuable entrants of each run (the partial index keeps them in value order), merged. */
export async function topEntrants(db: Kysely<Database>, runIds: readonly number[], limit: number, ownerKey?: string): Promise<RankedCustomer[]> {
  const perRun = await Promise.all(
    runIds.map((r) => {
      // The stages written as literals: the planner can then use the partial index they define.
      let q = db
        .selectFrom('insights as i')
        .innerJoin('customers as c', 'c.customer_id', 'i.customer_id')
        .select(RANKED_COLUMNS)
        .where(sql<boolean>`i.lifecycle_stage in ('at-risk', 'churned')`)
        .where('i.stage_since_run', '=', r);
      if (ownerKey !== undefined) q = q.where('i.owner_key', '=', ownerKey);
      return q.orderBy('i.value_at_risk', 'desc').orderBy('i.customer_id').limit(limit).execute();
    }),
  );
  const all = (perRun.flat() as RankedCustomer[]).sort((a, b) => (b.value_at_risk ?? 0) - (a.value_at_risk ?? 0) || (a.customer_id < b.customer_id ? -1 : 1));
  return all.slice(0, limit);
}

/** Stored responses per day, scale and score in [fromDay, toDay] (scores with none left out). */
export async function satisfactionRows(db: Kysely<Database>, runId: number, scope: string, key: string, fromDay: number, toDay: number) {
  const days = await db
    .selectFrom('report_satisfaction')
    .select(['day', 'csat', 'nps'])
    .where('run_id', '=', runId)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('day', '>=', fromDay)
    .where('day', '<=', toDay)
    .execute();
  const out: { day: number; scale: 'csat' | 'nps'; score: number; responses: number }[] = [];
  for (const d of days) {
    for (const [scale, list, lowest, scores] of [['csat', d.csat, 1, 5], ['nps', d.nps, 0, 11]] as const) {
      if (list === null) continue;
      const counts = list.split(',');
      if (counts.length !== scores) throw new Error(`report_satisfaction: ${scale} of day ${d.day} holds ${counts.length} counts, not ${scores}`);
      counts.forEach((c, k) => {
        const responses = Number(c);
        if (responses > 0) out.push({ day: Number(d.day), scale, score: lowest + k, responses });
      });
    }
  }
  return out;
}

export async function termWindow(db: Kysely<Database>, runId: number, scope: string, key: string, fromDay: number, toDay: number) {
  const w = await db
    .selectFrom('report_term_windows')
    .select('comments')
    .where('run_id', '=', runId)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('from_day', '=', fromDay)
    .where('to_day', '=', toDay)
    .executeTakeFirst();
  if (!w) return undefined;
  const terms = await db
    .selectFrom('report_terms')
    .selectAll()
    .where('run_id', '=', runId)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('from_day', '=', fromDay)
    .where('to_day', '=', toDay)
    .orderBy('kind')
    .orderBy('rank')
    .execute();
  return { comments: Number(w.comments), terms };
}

export interface FeedbackLine {
  feedback_id: string;
  customer_id: string;
  scale: 'csat' | 'nps';
  score: number;
  comment: string | null;
  day: number;
  name: string | null;
  owner: string | null;
  owner_key: string | null;
  /** The customer's RFM segment in the live refresh. */
  segment: string | null;
  /** 12-month CLV, else revenue (live refresh); 0 without either. */
  value: number;
}

function feedbackLines(db: Kysely<Database>) {
  return (db as unknown as Kysely<Database & { f: Database['feedback']; c: Database['customers']; i: Database['insights'] }>)
    .selectFrom('feedback as f')
    .innerJoin('customers as c', 'c.customer_id', 'f.customer_id')
    .leftJoin('insights as i', 'i.customer_id', 'f.customer_id')
    .select(['f.feedback_id', 'f.customer_id', 'f.scale', 'f.score', 'f.comment', 'f.day', 'c.name', 'c.owner', 'i.owner_key', 'i.segment', sql<number>`coalesce(i.clv_12m, i.revenue, 0)`.as('value')]);
}

const lines = (rows: Record<string, unknown>[]): FeedbackLine[] => rows.map((r) => ({ ...r, score: Number(r.score), day: Number(r.day), value: Number(r.value) })) as FeedbackLine[];

/** Stored detractors of a window, as feedback lines (undefined: the window was not stored). */
export async function detractorLines(db: Kysely<Database>, runId: number, scope: string, key: string, fromDay: number, toDay: number): Promise<FeedbackLine[] | undefined> {
  const w = await db
    .selectFrom('report_term_windows')
    .select('comments')
    .where('run_id', '=', runId)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('from_day', '=', fromDay)
    .where('to_day', '=', toDay)
    .executeTakeFirst();
  if (!w) return undefined;
  const ids = await db
    .selectFrom('report_detractors')
    .select('feedback_id')
    .where('run_id', '=', runId)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('from_day', '=', fromDay)
    .where('to_day', '=', toDay)
    .execute();
  if (ids.length === 0) return [];
  return lines(await feedbackLines(db).where('f.feedback_id', 'in', ids.map((r) => r.feedback_id)).execute());
}

/** Feedback that arrived after a run's watermark (what its rollups do not count yet), found by arrival number alone. */
export async function feedbackAfter(store: Store, watermark: number): Promise<FeedbackLine[]> {
  return lines(await feedbackLines(store.db).where(sql.ref(`f.${store.feedbackSeq}`), '>', watermark).execute());
}

/** How much feedback arrived after the watermark (an upper bound: arrival numbers may skip). */
export async function feedbackArrivedAfter(store: Store, watermark: number): Promise<number> {
  const r = await store.db.selectFrom('feedback').select(sql<number | null>`max(${sql.ref(store.feedbackSeq)})`.as('seq')).executeTakeFirst();
  return Math.max(0, Number(r?.seq ?? 0) - watermark);
}

/** Done refreshes that finished after `since` and are about a day on or before `untilDay`. */
export async function runsFinishedAfter(db: Kysely<Database>, since: string, untilDay: number): Promise<number[]> {
  const rows = await db.selectFrom('model_runs').select('run_id').where('status', '=', 'done').where('finished_at', '>', since).where('as_of_day', '<=', untilDay).execute();
  return rows.map((r) => Number(r.run_id));
}
