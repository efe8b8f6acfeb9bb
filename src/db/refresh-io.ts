// What the refresh reads and writes, as one interface with a SQLite and a PostgreSQL implementation
// (chosen once, in openStore). Reads come from one snapshot; writes go into a shadow copy of the
// insights table and run-keyed rollup rows, in short batches, and become live in one short
// transaction (`publish`) — so a `/feedback` or a digest claim never waits long for a refresh.
import type { Insertable } from 'kysely';
import type { BasketInput, FeedbackAnswers, OrderHistories } from './histories.ts';
import type { BasketRulesTable, Database, InsightsTable } from './schema.ts';

/** The previous run's view of each customer, aligned with the snapshot's customer indexes. */
export interface PreviousInsights {
  /** Customers that had an insight row. */
  known: Uint8Array;
  stage: (string | null)[];
  sinceDay: Float64Array;
  sinceRun: Float64Array;
  purchaseDays: Int32Array;
  /** The previous run's churn risk (NaN: none): what owner alerts see a customer cross. */
  churnRisk: Float64Array;
  /** How many customers had a row. */
  count: number;
}

/** Everything the refresh reads, from one snapshot of the store. */
export interface RefreshSnapshot {
  histories: OrderHistories;
  /** Every answer (any day), in customer order then day then arrival. */
  feedback: FeedbackAnswers;
  previous: PreviousInsights;
  /** The newest feedback by arrival the snapshot holds (see report_satisfaction). */
  feedbackWatermark: number;
  /** How long reading it held the store's write lock, if at all (SQLite: pinning two connections' reads to one state). */
  writeLockMs?: number;
}

/** An answer inside the standard windows, with its comment's stored terms (or the comment, to tokenise). */
export interface RawWindowAnswer {
  /** The row's arrival number (rowid / seq): how its terms are saved back. */
  seq: number;
  feedbackId: string;
  customerId: string;
  day: number;
  scale: 'csat' | 'nps';
  score: number;
  hasComment: boolean;
  terms: string | null;
  /** The comment, when its terms are not stored yet. */
  comment: string | null;
}

export type InsightValues = InsightsTable;

/** Tables whose rows a refresh appends, keyed by run. */
export type RunRowsTable = 'lifecycle_transitions' | 'report_groups' | 'report_lists' | 'report_entrants' | 'report_satisfaction' | 'report_term_windows' | 'report_terms' | 'report_detractors';

export interface PublishedRun {
  runId: number;
  customers: number;
  card: unknown;
  finishedAt: string;
  feedbackWatermark: number;
  /** Replace every basket rule (they are few) with these, in the same transaction. */
  basketRules: readonly BasketRulesTable[];
}

export interface ShadowWriter {
  /** Writes every insight row into the shadow table (rows may be generated as they are written). */
  insights(rows: Iterable<InsightValues>): Promise<void>;
  append<T extends RunRowsTable>(table: T, rows: readonly Insertable<Database[T]>[]): Promise<void>;
  /** Makes the run live: swaps the shadow table in and marks the run done, in one short transaction. */
  publish(run: PublishedRun): Promise<void>;
  /** After publish: drops what earlier runs left behind (old insight tables, rollups older than the run before this one). */
  cleanup(): Promise<void>;
  /** Removes what a failed refresh wrote. */
  abandon(runId: number): Promise<void>;
  /** The longest a single write transaction of this refresh held the store's write lock, in ms. */
  readonly longestLockMs: number;
}

/**
 * Every read of one refresh. PostgreSQL: one REPEATABLE READ snapshot, exported to the connection
 * that reads the basket, so customers, orders, answers and items are all as of one instant. SQLite:
 * each read is one read transaction (the basket is read by a worker on a connection of its own).
 */
export interface RefreshReads {
  /** `expectedOrders`: about how many orders the store holds (the last refresh's count), to size the histories once. */
  readSnapshot(toDay: number, expectedOrders?: number): Promise<RefreshSnapshot>;
  /**
   * Answers on days in [fromDay, toDay] that arrived by `watermark`, in customer id order (as the
   * snapshot's customers), each handed to `each` as it is read (a large store has ~600k: they are
   * not all held at once). A long read lets the event loop run between answers (other work of the
   * refresh goes on meanwhile); on SQLite nothing may write through the store's connection until it
   * resolves.
   */
  readWindowAnswers(fromDay: number, toDay: number, watermark: number, each: (answer: RawWindowAnswer) => void): Promise<void>;
  /** Items of purchases (amount ≥ 0) on or before `toDay`. */
  readBasket(toDay: number): Promise<BasketInput>;
  /** Ends the snapshot (idempotent). */
  close(): Promise<void>;
}

export interface RefreshIO {
  /** Opens the reads of one refresh (close them when done). */
  reads(): Promise<RefreshReads>;
  /** Saves tokenised terms back (only where none are stored: a comment changed meanwhile keeps null). */
  saveTerms(updates: readonly { seq: number; terms: string }[]): Promise<void>;
  /** `customers`: how many insight rows are coming (a big store may build them on another thread). */
  shadowWriter(runId: number, customers?: number): Promise<ShadowWriter>;
}
