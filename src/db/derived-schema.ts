// The derived data of one refresh on SQLite: its insight rows and the rollups the reports read. They
// live in a file of their own next to the store (`pulse.sqlite.insights-RUN`), built by the refresh
// without touching the store's write lock and attached by every connection once it is published
// (see sqlite-derived.ts). Being derived, this shape is versioned here, not by migrations: a store
// opening with a live file of version 1 converts it into a new one (DerivedAttachment.ensureLive); one
// of an unknown version is replaced by an empty file until the next refresh. On PostgreSQL the same
// tables live in the database (migrations 0004 and 0011).

/** Bump when the shape below changes (and convert the previous version's file: DerivedAttachment.ensureLive). */
export const DERIVED_VERSION = 2;

const DOUBLE = 'double precision';

export const DERIVED_TABLES: readonly string[] = [
  `CREATE TABLE insights (
    customer_id text NOT NULL PRIMARY KEY, run_id integer NOT NULL, as_of_day integer NOT NULL, owner_key text,
    orders integer NOT NULL, purchase_days integer NOT NULL, revenue ${DOUBLE} NOT NULL, first_day integer, last_day integer,
    usual_gap_days ${DOUBLE}, days_overdue ${DOUBLE}, recency_score integer, frequency_score integer, monetary_score integer,
    segment text, cluster_id integer, cluster_name text, p_alive ${DOUBLE}, expected_purchases_90d ${DOUBLE}, expected_spend ${DOUBLE},
    clv_12m ${DOUBLE}, churn_risk ${DOUBLE}, churn_drivers text, value_at_risk ${DOUBLE}, lifecycle_stage text NOT NULL,
    lifecycle_reason text, stage_since_day integer, stage_since_run integer
  ) WITHOUT ROWID`,
  `CREATE TABLE report_groups (
    run_id integer NOT NULL, scope text NOT NULL, key text NOT NULL, label text, customers integer NOT NULL, revenue ${DOUBLE} NOT NULL,
    clv ${DOUBLE} NOT NULL, value_at_risk ${DOUBLE} NOT NULL, scored integer NOT NULL, at_risk integer NOT NULL, at_risk_value ${DOUBLE} NOT NULL,
    clv_customers integer NOT NULL, clv_top20 ${DOUBLE}, tiers text, PRIMARY KEY (run_id, scope, key)
  ) WITHOUT ROWID`,
  `CREATE TABLE report_lists (
    run_id integer NOT NULL, list text NOT NULL, scope text NOT NULL, key text NOT NULL, rank integer NOT NULL, customer_id text NOT NULL,
    PRIMARY KEY (run_id, list, scope, key, rank)
  ) WITHOUT ROWID`,
  `CREATE TABLE report_entrants (
    run_id integer NOT NULL, since_run integer NOT NULL, owner_key text NOT NULL, segment text NOT NULL, owner text,
    customers integer NOT NULL, value_at_risk ${DOUBLE} NOT NULL, PRIMARY KEY (run_id, since_run, owner_key, segment)
  ) WITHOUT ROWID`,
  // Responses per day: each scale's counts per score, "0,1,0,3,2" for CSAT 1–5, eleven for NPS 0–10
  // (null: none that day). Version 1 had a row per score (see migration 0011).
  `CREATE TABLE report_satisfaction (
    run_id integer NOT NULL, scope text NOT NULL, key text NOT NULL, day integer NOT NULL, csat text, nps text,
    PRIMARY KEY (run_id, scope, key, day)
  ) WITHOUT ROWID`,
  `CREATE TABLE report_term_windows (
    run_id integer NOT NULL, scope text NOT NULL, key text NOT NULL, from_day integer NOT NULL, to_day integer NOT NULL,
    comments integer NOT NULL, PRIMARY KEY (run_id, scope, key, from_day, to_day)
  ) WITHOUT ROWID`,
  `CREATE TABLE report_terms (
    run_id integer NOT NULL, scope text NOT NULL, key text NOT NULL, from_day integer NOT NULL, to_day integer NOT NULL, kind text NOT NULL,
    rank integer NOT NULL, term text NOT NULL, comments integer NOT NULL, low integer NOT NULL, high integer NOT NULL, z ${DOUBLE},
    log_odds ${DOUBLE}, share ${DOUBLE}, PRIMARY KEY (run_id, scope, key, from_day, to_day, kind, rank)
  ) WITHOUT ROWID`,
  `CREATE TABLE report_detractors (
    run_id integer NOT NULL, scope text NOT NULL, key text NOT NULL, from_day integer NOT NULL, to_day integer NOT NULL, rank integer NOT NULL,
    feedback_id text NOT NULL, PRIMARY KEY (run_id, scope, key, from_day, to_day, rank)
  ) WITHOUT ROWID`,
];

/** Built after the rows are in (one sorted pass each). New entrants: customers now at-risk or churned, by the run they moved in. */
export const DERIVED_INDEXES: readonly string[] = [
  // /churn-risk min:N (a threshold no rollup holds): a range of these indexes, not every customer;
  // they hold every sort key of the lists and the id, so the ranking never reads the rows themselves.
  `CREATE INDEX insights_risk ON insights (churn_risk, value_at_risk, days_overdue, customer_id)`,
  `CREATE INDEX insights_owner_risk ON insights (owner_key, churn_risk, value_at_risk, days_overdue, customer_id)`,
  `CREATE INDEX insights_entrants ON insights (stage_since_run, value_at_risk DESC) WHERE lifecycle_stage IN ('at-risk', 'churned')`,
  `CREATE INDEX insights_owner_entrants ON insights (owner_key, stage_since_run, value_at_risk DESC) WHERE lifecycle_stage IN ('at-risk', 'churned')`,
];
