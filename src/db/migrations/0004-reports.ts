// What summary commands and digests read instead of scanning a million rows: per-run rollups
// (group figures, ranked lists, new at-risk entrants, daily satisfaction counts, themes and pain
// points of the standard windows, valuable detractors), written by the refresh next to the
// insights. Also: insights gain the owner key and the run a customer entered their stage in (and
// lose the indexes the rollups replace), feedback keeps its comment's terms (tokenised once), and
// the lifecycle log is indexed in the order `/lifecycle` reads it.
//
// On SQLite the insights and rollups leave the store for a derived-data file of their own
// (derived-schema.ts): this migration only sets the old insights aside as `insights_v3`, which the
// store copies into its first derived file when it opens. On PostgreSQL they stay in the database.
import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

const DOUBLE = 'double precision' as const;
const SLIPPING = sql<boolean>`lifecycle_stage in ('at-risk', 'churned')`;

export const reportTables: Migration = {
  async up(db: Kysely<any>) {
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    const keyed = <T extends { modifyEnd(m: ReturnType<typeof sql>): T }>(t: T): T => (sqlite ? t.modifyEnd(sql`without rowid`) : t);

    // Insights are rewritten whole by every refresh into a table of the same shape and swapped in;
    // the shape below is the one the refresh copies. Rows of the previous version are kept (cards
    // keep working); the rollups appear with the next refresh.
    await sql`alter table insights rename to insights_v3`.execute(db);
    for (const name of ['insights_segment_clv', 'insights_stage', 'insights_value_at_risk', 'insights_clv', 'insights_cluster']) {
      await db.schema.dropIndex(name).ifExists().execute();
    }
    await db.schema.alterTable('model_runs').addColumn('feedback_watermark', 'integer').execute();
    await commentTermsAndIndexes(db, sqlite);
    if (sqlite) return;
    await keyed(
      db.schema
        .createTable('insights')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('as_of_day', 'integer', (c) => c.notNull())
        .addColumn('owner_key', 'text')
        .addColumn('orders', 'integer', (c) => c.notNull())
        .addColumn('purchase_days', 'integer', (c) => c.notNull())
        .addColumn('revenue', DOUBLE, (c) => c.notNull())
        .addColumn('first_day', 'integer')
        .addColumn('last_day', 'integer')
        .addColumn('usual_gap_days', DOUBLE)
        .addColumn('days_overdue', DOUBLE)
        .addColumn('recency_score', 'integer')
        .addColumn('frequency_score', 'integer')
        .addColumn('monetary_score', 'integer')
        .addColumn('segment', 'text')
        .addColumn('cluster_id', 'integer')
        .addColumn('cluster_name', 'text')
        .addColumn('p_alive', DOUBLE)
        .addColumn('expected_purchases_90d', DOUBLE)
        .addColumn('expected_spend', DOUBLE)
        .addColumn('clv_12m', DOUBLE)
        .addColumn('churn_risk', DOUBLE)
        .addColumn('churn_drivers', 'text')
        .addColumn('value_at_risk', DOUBLE)
        .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
        .addColumn('lifecycle_reason', 'text')
        .addColumn('stage_since_day', 'integer')
        .addColumn('stage_since_run', 'integer')
        .addPrimaryKeyConstraint('insights_pk', ['customer_id']),
    ).execute();
    await sql`insert into insights (customer_id, run_id, as_of_day, owner_key, orders, purchase_days, revenue, first_day, last_day,
        usual_gap_days, days_overdue, recency_score, frequency_score, monetary_score, segment, cluster_id, cluster_name, p_alive,
        expected_purchases_90d, expected_spend, clv_12m, churn_risk, churn_drivers, value_at_risk, lifecycle_stage, lifecycle_reason,
        stage_since_day, stage_since_run)
      select customer_id, run_id, as_of_day, null, orders, purchase_days, revenue, first_day, last_day, usual_gap_days, days_overdue,
        recency_score, frequency_score, monetary_score, segment, cluster_id, cluster_name, p_alive, expected_purchases_90d,
        expected_spend, clv_12m, churn_risk, churn_drivers, value_at_risk, lifecycle_stage, lifecycle_reason, stage_since_day,
        (select max(t.run_id) from lifecycle_transitions t where t.customer_id = insights_v3.customer_id and t.to_stage = insights_v3.lifecycle_stage)
      from insights_v3 order by customer_id`.execute(db);
    await db.schema.dropTable('insights_v3').execute();
    // The at-risk digest's new entrants: customers now at-risk or churned, by the run they moved in.
    await db.schema.createIndex('insights_entrants').on('insights').expression(sql`stage_since_run, value_at_risk desc`).where(SLIPPING).execute();
    await db.schema.createIndex('insights_owner_entrants').on('insights').expression(sql`owner_key, stage_since_run, value_at_risk desc`).where(SLIPPING).execute();

    // Group figures per scope ('all', 'owner', 'segment', 'owner-segment', 'stage', 'cluster').
    await keyed(
      db.schema
        .createTable('report_groups')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('customers', 'integer', (c) => c.notNull())
        .addColumn('revenue', DOUBLE, (c) => c.notNull())
        .addColumn('clv', DOUBLE, (c) => c.notNull())
        .addColumn('value_at_risk', DOUBLE, (c) => c.notNull())
        .addColumn('scored', 'integer', (c) => c.notNull())
        .addColumn('at_risk', 'integer', (c) => c.notNull())
        .addColumn('at_risk_value', DOUBLE, (c) => c.notNull())
        .addColumn('clv_customers', 'integer', (c) => c.notNull())
        .addColumn('clv_top20', DOUBLE)
        .addColumn('tiers', 'text')
        .addPrimaryKeyConstraint('report_groups_pk', ['run_id', 'scope', 'key']),
    ).execute();

    // Ranked customers per list and scope (the first 50: no command lists more).
    await keyed(
      db.schema
        .createTable('report_lists')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('list', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('rank', 'integer', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_lists_pk', ['run_id', 'list', 'scope', 'key', 'rank']),
    ).execute();

    // Customers now at-risk or churned, counted by the run they moved in, per owner and segment.
    await keyed(
      db.schema
        .createTable('report_entrants')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('since_run', 'integer', (c) => c.notNull())
        .addColumn('owner_key', 'text', (c) => c.notNull())
        .addColumn('segment', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('customers', 'integer', (c) => c.notNull())
        .addColumn('value_at_risk', DOUBLE, (c) => c.notNull())
        .addPrimaryKeyConstraint('report_entrants_pk', ['run_id', 'since_run', 'owner_key', 'segment']),
    ).execute();

    // Responses per day, scale and score, for everyone ('all') and per owner, up to the run's
    // feedback watermark; feedback logged later is added at read time.
    await keyed(
      db.schema
        .createTable('report_satisfaction')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('scale', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('responses', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_satisfaction_pk', ['run_id', 'scope', 'key', 'day', 'scale', 'score']),
    ).execute();

    // Themes and pain points of the standard windows (a window is its first and last day).
    await keyed(
      db.schema
        .createTable('report_term_windows')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('from_day', 'integer', (c) => c.notNull())
        .addColumn('to_day', 'integer', (c) => c.notNull())
        .addColumn('comments', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_term_windows_pk', ['run_id', 'scope', 'key', 'from_day', 'to_day']),
    ).execute();
    await keyed(
      db.schema
        .createTable('report_terms')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('from_day', 'integer', (c) => c.notNull())
        .addColumn('to_day', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('rank', 'integer', (c) => c.notNull())
        .addColumn('term', 'text', (c) => c.notNull())
        .addColumn('comments', 'integer', (c) => c.notNull())
        .addColumn('low', 'integer', (c) => c.notNull())
        .addColumn('high', 'integer', (c) => c.notNull())
        .addColumn('z', DOUBLE)
        .addColumn('log_odds', DOUBLE)
        .addColumn('share', DOUBLE)
        .addPrimaryKeyConstraint('report_terms_pk', ['run_id', 'scope', 'key', 'from_day', 'to_day', 'kind', 'rank']),
    ).execute();

    // The most valuable detractors of each standard window (distinct customers, best first).
    await keyed(
      db.schema
        .createTable('report_detractors')
        .addColumn('run_id', 'integer', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('from_day', 'integer', (c) => c.notNull())
        .addColumn('to_day', 'integer', (c) => c.notNull())
        .addColumn('rank', 'integer', (c) => c.notNull())
        .addColumn('feedback_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_detractors_pk', ['run_id', 'scope', 'key', 'from_day', 'to_day', 'rank']),
    ).execute();

  },
};

/** Feedback keeps its terms; the refresh's and `/lifecycle`'s indexes. */
async function commentTermsAndIndexes(db: Kysely<any>, sqlite: boolean): Promise<void> {
  // A comment's terms, tokenised once (the refresh fills them in); cleared when the comment
  // changes or is erased, so no term outlives its text.
  await db.schema.alterTable('feedback').addColumn('terms', 'text').execute();
  if (sqlite) {
    await sql`create trigger feedback_terms_stale after update of comment on feedback
      when new.comment is not old.comment begin update feedback set terms = null where rowid = new.rowid; end`.execute(db);
  } else {
    // PostgreSQL has no rowid: an identity column orders feedback by arrival for the watermark.
    await sql`alter table feedback add column seq bigint generated always as identity`.execute(db);
    await sql`create index feedback_seq on feedback (seq)`.execute(db);
    await sql`create function feedback_terms_stale() returns trigger language plpgsql as $$
      begin if new.comment is distinct from old.comment then new.terms := null; end if; return new; end $$`.execute(db);
    await sql`create trigger feedback_terms_stale before update of comment on feedback
      for each row execute function feedback_terms_stale()`.execute(db);
  }
  // The refresh reads every customer's answers in customer order straight from this index.
  await db.schema.dropIndex('feedback_customer_day').ifExists().execute();
  await db.schema.createIndex('feedback_customer').on('feedback').columns(['customer_id', 'day', 'scale', 'score']).execute();

  // `/lifecycle` lists the newest moves first, then by customer.
  await db.schema.dropIndex('lifecycle_transitions_day').ifExists().execute();
  await db.schema.createIndex('lifecycle_transitions_recent').on('lifecycle_transitions').expression(sql`as_of_day desc, customer_id`).execute();
  await db.schema.createIndex('lifecycle_transitions_stage').on('lifecycle_transitions').expression(sql`to_stage, as_of_day desc, customer_id`).execute();
}
