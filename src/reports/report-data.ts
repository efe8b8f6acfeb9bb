// What the reports read, as one interface with two implementations: `precomputedData` reads the
// rollups the refresh wrote (a handful of indexed rows: milliseconds at a million customers) and
// `scanData` computes the same figures from the insight and feedback rows (exact, seconds at a
// million, so it only runs off the bot's event loop). Reports never know which one they got; a
// test runs every report through both and demands the same answer.
import { DEFAULT_LIFECYCLE_RULES } from '../analytics/lifecycle.ts';
import type { ModelRunRow } from '../db/schema.ts';

/** Churn risk (0–100) from which a customer counts as at risk (the lifecycle's at-risk boundary), unless a command says otherwise. */
export const HIGH_RISK = DEFAULT_LIFECYCLE_RULES.atRiskRisk;

/** The longest list a command shows (and so the longest a refresh keeps ranked). */
export const LIST_LIMIT = 50;

/** Which customers a figure is about: an owner (matched by `ownerKey`) and/or an RFM segment. */
export interface ReportFilter {
  /** The owner key (trimmed, lower-cased name) — see `ownerKey`. */
  owner?: string | undefined;
  /** A canonical RFM segment name (`Champions`); '' means "no purchases yet". */
  segment?: string | undefined;
}

export interface ValueTier {
  name: string;
  customers: number;
  value: number;
}

/** The figures of one group of customers. */
export interface GroupFigures {
  /** The group's key (segment, stage, cluster name, owner key); '' for "none" (no owner, no segment). */
  key: string;
  /** How the key reads: an owner's own spelling, a cluster's name. */
  label: string | null;
  customers: number;
  revenue: number;
  clv: number;
  valueAtRisk: number;
  /** Customers with a churn risk. */
  scored: number;
  /** Customers at or above HIGH_RISK, and their value at risk. */
  atRisk: number;
  atRiskValue: number;
  /** Customers with a CLV; the CLV held by the top 20% of them; the tiers (both only for 'all' and owners). */
  clvCustomers: number;
  clvTop20: number | null;
  tiers: ValueTier[] | null;
}

export type Breakdown = 'segment' | 'stage' | 'cluster' | 'owner';

/**
 * Ranked lists: `clv` (12-month CLV), `value-at-risk` (every scored customer), and the customers at
 * or above the high-risk threshold by value at risk, by risk, or by days overdue.
 */
export type RankedList = 'clv' | 'value-at-risk' | 'at-risk:value' | 'at-risk:risk' | 'at-risk:overdue';

/** One customer of a ranked list, with what the reports show of them. */
export interface RankedCustomer {
  customer_id: string;
  name: string | null;
  company: string | null;
  owner: string | null;
  segment: string | null;
  revenue: number;
  clv_12m: number | null;
  p_alive: number | null;
  churn_risk: number | null;
  churn_drivers: string | null;
  value_at_risk: number | null;
  days_overdue: number | null;
  lifecycle_stage: string;
  lifecycle_reason: string | null;
}

/** Customers who moved into at-risk or churned in one of `runIds` and are still there. */
export interface EntrantQuery {
  runIds: readonly number[];
}

export interface OwnerCount {
  owner: string | null;
  count: number;
  valueAtRisk: number;
}

export interface Entrants {
  /** Per owner (owner = its own spelling, null for no owner). */
  byOwner: OwnerCount[];
  /** The first `limit` by value at risk. */
  top: RankedCustomer[];
}

/** Responses per scale and score, per day. */
export type DailyCounts = Map<number, ScoreCounts>;

/** Responses by score: `csat[s]` for s = 1…5 (index 0 unused), `nps[s]` for s = 0…10. */
export interface ScoreCounts {
  csat: number[];
  nps: number[];
}

/** A term of a window's comments: pain points (with z) or themes (with share). */
export interface WindowTerms {
  /** Comments with text in the window. */
  comments: number;
  pains: { term: string; z: number; logOdds: number; lowComments: number; highComments: number; comments: number }[];
  themes: { term: string; comments: number; share: number }[];
}

/** A low score from a customer, with the customer's value (12-month CLV, else revenue). */
export interface Detractor {
  feedback_id: string;
  customer_id: string;
  name: string | null;
  owner: string | null;
  scale: 'csat' | 'nps';
  score: number;
  comment: string | null;
  day: number;
  value: number;
}

/** Satisfaction for everyone or one owner (segments are computed from the rows: see scanData). */
export interface SatisfactionData {
  counts(filter: ReportFilter, fromDay: number, toDay: number): Promise<DailyCounts>;
  terms(filter: ReportFilter, fromDay: number, toDay: number): Promise<WindowTerms>;
  /** The most valuable detractors of the window, one per customer, best first. */
  detractors(filter: ReportFilter, fromDay: number, toDay: number, limit: number): Promise<Detractor[]>;
}

export interface ReportData extends SatisfactionData {
  /** The refresh whose insights are live. */
  readonly run: ModelRunRow;
  /** The figures of the filter's customers; at-risk counts at `minRisk` (default HIGH_RISK). */
  figures(filter: ReportFilter, minRisk?: number): Promise<GroupFigures>;
  breakdown(by: Breakdown, filter?: ReportFilter): Promise<GroupFigures[]>;
  ranked(list: RankedList, filter: ReportFilter, limit: number, minRisk?: number): Promise<RankedCustomer[]>;
  entrants(query: EntrantQuery, filter: ReportFilter, limit: number): Promise<Entrants>;
}

/** Owner names are matched trimmed and case-insensitively (in every language, not just ASCII). */
export function ownerKey(owner: string | null | undefined): string {
  return (owner ?? '').trim().toLowerCase();
}

export function emptyScoreCounts(): ScoreCounts {
  return { csat: new Array<number>(6).fill(0), nps: new Array<number>(11).fill(0) };
}
