// The store's tables as kysely sees them. Column names are snake_case, as in the CSV contracts.
import type { Generated, Insertable, Selectable } from 'kysely';
import type { AlertControlsTable, AlertDeliveriesTable, AlertOwnersTable, AlertSettingsTable, AlertsTable } from './alert-schema.ts';

export interface CustomersTable {
  customer_id: string;
  name: string | null;
  email: string | null;
  company: string | null;
  owner: string | null;
  created_at: string | null;
  /** Extra CSV columns, as a JSON object of strings. */
  attributes: string | null;
  /** Lower-cased name, email, company and id, for search. */
  search_text: string;
  import_id: number | null;
  import_line: number | null;
}

export interface CustomerTermsTable {
  term: string;
  customer_id: string;
}

export interface OrdersTable {
  order_id: string;
  customer_id: string;
  ordered_at: string;
  /** Local calendar day (days since 1970-01-01) in the zone recorded in meta `day_zone`. */
  day: number;
  amount: number;
  attributes: string | null;
  import_id: number | null;
  import_line: number | null;
}

export interface OrderItemsTable {
  order_id: string;
  product: string;
  quantity: number;
  unit_price: number;
  attributes: string | null;
  import_id: number | null;
  import_line: number | null;
}

export interface FeedbackTable {
  feedback_id: string;
  customer_id: string;
  scale: 'csat' | 'nps';
  score: number;
  comment: string | null;
  author: string | null;
  platform: string | null;
  created_at: string;
  day: number;
  attributes: string | null;
  import_id: number | null;
  import_line: number | null;
  /** The comment's terms (tokenised once by the refresh; null until then or after the comment changed). */
  terms: Generated<string | null>;
}

export interface UsersTable {
  user_id: string;
  name: string | null;
  email: string | null;
  role: string;
  updated_at: string;
}

export interface ImportsTable {
  import_id: number;
  kind: string;
  source: string;
  started_at: string;
  finished_at: string | null;
  rows_read: Generated<number>;
  rows_inserted: Generated<number>;
  rows_updated: Generated<number>;
  rows_unchanged: Generated<number>;
  rows_rejected: Generated<number>;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ModelRunsTable {
  run_id: number;
  as_of_day: number;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'done' | 'failed';
  customers: number;
  card: string | null;
  /** The newest feedback (by arrival) the run's satisfaction rollups count; later feedback is added at read time. */
  feedback_watermark: number | null;
}

export interface InsightsTable {
  customer_id: string;
  run_id: number;
  as_of_day: number;
  /** The owner's name trimmed and lower-cased: what owner filters match. */
  owner_key: string | null;
  orders: number;
  purchase_days: number;
  revenue: number;
  first_day: number | null;
  last_day: number | null;
  usual_gap_days: number | null;
  days_overdue: number | null;
  recency_score: number | null;
  frequency_score: number | null;
  monetary_score: number | null;
  segment: string | null;
  cluster_id: number | null;
  cluster_name: string | null;
  p_alive: number | null;
  expected_purchases_90d: number | null;
  expected_spend: number | null;
  clv_12m: number | null;
  churn_risk: number | null;
  /** JSON array of sentences, most important first. */
  churn_drivers: string | null;
  value_at_risk: number | null;
  lifecycle_stage: string;
  lifecycle_reason: string | null;
  stage_since_day: number | null;
  /** The refresh in which the customer entered their current stage. */
  stage_since_run: number | null;
}

export interface LifecycleTransitionsTable {
  customer_id: string;
  run_id: number;
  as_of_day: number;
  from_stage: string | null;
  to_stage: string;
  reason: string;
}

export interface BasketRulesTable {
  run_id: number;
  antecedent: string;
  consequent: string;
  support: number;
  confidence: number;
  lift: number;
  count: number;
}

export type DigestPlatform = 'slack' | 'discord' | 'console';
export type DigestKind = 'satisfaction' | 'at-risk' | 'alerts';
export type DeliveryStatus = 'claimed' | 'retrying' | 'posted' | 'failed' | 'skipped';

export interface DigestSubscriptionsTable {
  subscription_id: number;
  platform: DigestPlatform;
  /** The platform's channel id without the `slack:` / `discord:` prefix. */
  channel: string;
  kind: DigestKind;
  /** A five-field cron expression, validated with node-cron. */
  schedule: string;
  /** IANA zone the cron expression is read in. */
  time_zone: string;
  owner: string | null;
  segment: string | null;
  skip_if_empty: number;
  created_by: string;
  created_at: string;
  active: number;
  ended_by: string | null;
  ended_at: string | null;
}

export interface DigestDeliveriesTable {
  subscription_id: number;
  period_key: string;
  scheduled_for: string;
  status: DeliveryStatus;
  late: number;
  attempts: number;
  claimed_at: string;
  claimed_by: string;
  next_attempt_at: string | null;
  message_id: string | null;
  posted_at: string | null;
  error: string | null;
  updated_at: string;
  /** Set just before the first post attempt: from then on the message may be on the platform. */
  attempted_at: string | null;
}

export interface AuditLogTable {
  audit_id: string;
  at: string;
  actor_id: string;
  platform: string;
  channel: string | null;
  command: string;
  outcome: string;
  incident_id: string | null;
  detail: string | null;
}

export interface FeedbackKeysTable {
  dedupe_key: string;
  feedback_id: string;
  created_at: string;
}

/** Group figures of one refresh: scope 'all' | 'owner' | 'segment' | 'owner-segment' | 'stage' | 'cluster'. */
export interface ReportGroupsTable {
  run_id: number;
  scope: string;
  /** '' for 'all'; the owner key, segment, stage or cluster id; `owner\u001fsegment` for 'owner-segment'. */
  key: string;
  /** How the key reads (an owner's own spelling, a cluster's name). */
  label: string | null;
  customers: number;
  revenue: number;
  clv: number;
  value_at_risk: number;
  /** Customers with a churn risk. */
  scored: number;
  /** Customers at or above the high-risk threshold, and their value at risk. */
  at_risk: number;
  at_risk_value: number;
  /** Customers with a CLV, the CLV held by the top 20% of them, and the value tiers (JSON). */
  clv_customers: number;
  clv_top20: number | null;
  tiers: string | null;
}

export interface ReportListsTable {
  run_id: number;
  list: string;
  scope: string;
  key: string;
  rank: number;
  customer_id: string;
}

export interface ReportEntrantsTable {
  run_id: number;
  since_run: number;
  owner_key: string;
  segment: string;
  owner: string | null;
  customers: number;
  value_at_risk: number;
}

/** Responses on one day: per scale, the counts per score as a list (CSAT 1–5, NPS 0–10), null for none. */
export interface ReportSatisfactionTable {
  run_id: number;
  scope: string;
  key: string;
  day: number;
  csat: string | null;
  nps: string | null;
}

export interface ReportTermWindowsTable {
  run_id: number;
  scope: string;
  key: string;
  from_day: number;
  to_day: number;
  /** Comments with text in the window. */
  comments: number;
}

export interface ReportTermsTable {
  run_id: number;
  scope: string;
  key: string;
  from_day: number;
  to_day: number;
  kind: 'pain' | 'theme';
  rank: number;
  term: string;
  comments: number;
  low: number;
  high: number;
  z: number | null;
  log_odds: number | null;
  share: number | null;
}

export interface ReportDetractorsTable {
  run_id: number;
  scope: string;
  key: string;
  from_day: number;
  to_day: number;
  rank: number;
  feedback_id: string;
}

export interface Database {
  model_runs: ModelRunsTable;
  insights: InsightsTable;
  lifecycle_transitions: LifecycleTransitionsTable;
  basket_rules: BasketRulesTable;
  customers: CustomersTable;
  customer_terms: CustomerTermsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  feedback: FeedbackTable;
  users: UsersTable;
  imports: ImportsTable;
  meta: MetaTable;
  digest_subscriptions: DigestSubscriptionsTable;
  digest_deliveries: DigestDeliveriesTable;
  report_groups: ReportGroupsTable;
  report_lists: ReportListsTable;
  report_entrants: ReportEntrantsTable;
  report_satisfaction: ReportSatisfactionTable;
  report_term_windows: ReportTermWindowsTable;
  report_terms: ReportTermsTable;
  report_detractors: ReportDetractorsTable;
  audit_log: AuditLogTable;
  feedback_keys: FeedbackKeysTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_owners: AlertOwnersTable;
  alert_settings: AlertSettingsTable;
  alert_controls: AlertControlsTable;
}

export type CustomerRow = Selectable<CustomersTable>;
export type OrderRow = Selectable<OrdersTable>;
export type FeedbackRow = Selectable<FeedbackTable>;
export type NewFeedback = Insertable<FeedbackTable>;
export type UserRow = Selectable<UsersTable>;
export type InsightRow = Selectable<InsightsTable>;
export type ModelRunRow = Selectable<ModelRunsTable>;
