// RefreshIO on SQLite (see refresh-io.ts) through the synchronous better-sqlite3 handle: reads in one
// read transaction with every per-customer list read in customer-id order and matched to the
// customer list by walking it (no million-entry maps); a large store's order histories are read in
// the same state on a second connection and core (orders-read.ts). The insights and rollups are
// written into a derived-data file of the run's own (new, or the retired one emptied:
// sqlite-derived.ts) on a connection of its own, so building them never touches the store's write
// lock; publishing is one small transaction naming the new file. What does go into the store
// (lifecycle moves, comment terms) is written a few thousand rows per transaction with a pause
// between, so other processes' writers get the lock within milliseconds.
import { FeedbackBuilder, type OrderHistories } from './histories.ts';
import { readBasket } from './sqlite-basket-read.ts';
import type { InsightValues, PreviousInsights, PublishedRun, RefreshIO, RefreshSnapshot, RunRowsTable, ShadowWriter } from './refresh-io.ts';
import { renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { beginRead, readOrderHistories, readOrdersOffThread } from './orders-read.ts';
import { ANSWER_LIST, AnswerLists, interner, walker } from './refresh-read-helpers.ts';
import { derivedSink, OFF_THREAD_CUSTOMERS, rowPacker, type DerivedSink } from './derived-builder.ts';
import { derivedPath, type DerivedAttachment } from './sqlite-derived.ts';
import { beginWrite, retryBusy, type BusyRetry } from './sqlite-retry.ts';
import { warmPages, warmupPlans } from './page-warmup.ts';
import type { SqliteHandle } from './store.ts';
import { LoopSlices } from '../core/loop-slices.ts';

/** Rows per batch sent to the derived-data builder (an insight batch may stop earlier: BATCH_TEXT_CHARS). */
const ROWS_PER_BATCH = 512;

/** Rows per write transaction: each holds the write lock for a few tens of milliseconds. */
const WRITE_BATCH = 2_000;
/** The pause after each write transaction, long enough for a waiting writer to take the lock. */
const WRITE_PAUSE_MS = 8;

/**
 * The refresh waits for the write lock as long as an import's batch or a burst of chat writes may
 * hold it (SQLite's busy timeout first, then retries with backoff), rather than fail a run of minutes.
 */
const REFRESH_BUSY_RETRY: BusyRetry = { deadlineMs: 120_000, firstWaitMs: 50, maxWaitMs: 1_000 };
const takeWriteLock = (h: SqliteHandle) => retryBusy(async () => beginWrite(h), REFRESH_BUSY_RETRY);

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** The longest the window answers' reader runs before turning the loop. */
const ANSWER_SLICE_MS = 8;
/** Answers in the windows from which the reader goes in slices (~0.1 s of reading and tallying). */
export const ANSWERS_TO_SLICE = 20_000;

export function sqliteRefreshIO(h: SqliteHandle, storeFile: string, derived: DerivedAttachment): RefreshIO {
  return {
    async reads() {
      return {
        async readSnapshot(toDay, expectedOrders = 0) {
          derived.sync(true);
          // A large store's order histories are read on a second core, in the same state (orders-read.ts).
          const large = ((h.prepare('SELECT max(rowid) FROM customers').pluck().get() as number | null) ?? 0) >= OFF_THREAD_CUSTOMERS;
          if (!large) return readSnapshot(h, toDay, expectedOrders);
          // The orders' thread starts first (readOrdersOffThread starts it before its first await):
          // the snapshot waits for it to open the store, and starting a thread costs ~0.1 s of a core.
          // Then threads of their own read the store's files ahead of both readers, for a cold page
          // cache (page-warmup.ts).
          const live = derived.liveName();
          const liveFile = live ? join(dirname(storeFile), live) : undefined;
          const reading = readOrdersOffThread(storeFile, toDay, expectedOrders, (release) => readSnapshot(h, toDay, expectedOrders, release), REFRESH_BUSY_RETRY);
          reading.catch(() => undefined); // awaited below
          let warmup: Pick<ReturnType<typeof warmPages>, 'stop'> = { stop: async () => undefined };
          try {
            warmup = warmPages(warmupPlans([storeFile, `${storeFile}-wal`, ...(liveFile ? [liveFile] : [])]));
          } catch {
            // Only a head start for the reads: they go on without it.
          }
          try {
            const { here, orders } = await reading;
            try {
              return { ...here, histories: await orders.histories(here.histories.customerIds, here.histories.owners), writeLockMs: orders.lockMs };
            } catch (err) {
              await orders.stop();
              throw err;
            }
          } finally {
            // Not awaited: a thread ends once its current read (at most 4 MiB) returns, which the reads need not wait for.
            void warmup.stop();
          }
        },
        async readWindowAnswers(fromDay, toDay, watermark, each) {
          // Through the day index a window costs a table page read per answer; one pass over the
          // table reads each page once. When the windows hold more than an eighth of the answers
          // (a store with a few months of them) the pass is faster: 0.24 s instead of 1.65 s for
          // 613k of 1.58M answers at 1M customers. Counted from the index, which costs ~25 ms.
          // Sorted by customer (in C, ~0.25 s for 613k): the refresh then matches them to its
          // customers by walking the list instead of a million-entry map (~1 s).
          const inWindows = h.prepare('SELECT count(*) FROM feedback INDEXED BY feedback_day WHERE day >= ? AND day <= ?').pluck().get(fromDay, toDay) as number;
          const answers = (h.prepare('SELECT max(rowid) FROM feedback').pluck().get() as number | null) ?? 0;
          const access = inWindows * 8 > answers ? 'NOT INDEXED' : 'INDEXED BY feedback_day';
          const rows = h
            .prepare(
              `SELECT rowid, feedback_id, customer_id, day, scale, score, coalesce(comment, '') <> '', terms, CASE WHEN terms IS NULL THEN comment END
               FROM feedback ${access} WHERE day >= ? AND day <= ? AND rowid <= ? ORDER BY customer_id`,
            )
            .raw(true)
            .iterate(fromDay, toDay, watermark) as Iterable<[number, string, string, number, 'csat' | 'nps', number, number, string | null, string | null]>;
          // Row by row: each row's array and answer die young (held, 613k outlived the young generation).
          // A long read goes in slices of a few milliseconds with the event loop turned between them:
          // the refresh tallies these beside the scoring, whose writer thread must not wait seconds for
          // its next rows. While the statement is open this connection can run no write: only a large
          // store's refresh, always in a process of its own (the CLI, the scheduler's child), slices.
          // A small one (the demo `pulse start` seeds beside a running bot) reads in one go, as before.
          const slices = inWindows >= ANSWERS_TO_SLICE ? new LoopSlices(ANSWER_SLICE_MS) : undefined;
          let k = 0;
          for (const [seq, feedbackId, customerId, day, scale, score, has, terms, comment] of rows) {
            each({ seq, feedbackId, customerId, day, scale, score, hasComment: has === 1, terms, comment });
            if (slices && (++k & 63) === 0 && slices.due) await slices.turn();
          }
        },
        async readBasket(toDay) {
          return readBasket(h, toDay);
        },
        async close() {},
      };
    },
    async saveTerms(updates) {
      deferCheckpoints(h);
      const save = h.prepare('UPDATE feedback SET terms = ? WHERE rowid = ? AND terms IS NULL');
      await inBatches(h, updates, (u) => void save.run(u.terms, u.seq));
    },
    async shadowWriter(runId, customers = 0) {
      return derivedFileWriter(h, storeFile, derived, runId, customers >= OFF_THREAD_CUSTOMERS);
    },
  };
}

/**
 * The snapshot in one read transaction on `h`, synchronously (nothing else runs on the connection
 * inside it). With `pinned` the order histories are read elsewhere (orders-read.ts): the read
 * transaction begins, `pinned` lets writers in again, and `histories` holds only the customers.
 */
function readSnapshot(h: SqliteHandle, toDay: number, expectedOrders: number, pinned?: () => void): RefreshSnapshot {
  beginRead(h);
  try {
    pinned?.();
    return readSnapshotRows(h, toDay, pinned === undefined, expectedOrders);
  } finally {
    if (h.inTransaction) h.exec('COMMIT');
  }
}

/** `withOrders`: read the order histories too (false: another thread reads them); `expectedOrders`: see RefreshReads. */
function readSnapshotRows(h: SqliteHandle, toDay: number, withOrders: boolean, expectedOrders: number): RefreshSnapshot {
  // The ids, then the owners, each as one list from the driver: 0.6 s for 1M customers, 0.8–1.8 s
  // as one row of two per customer (a row crossing into JS costs more than its values).
  const customerIds = h.prepare('SELECT customer_id FROM customers ORDER BY customer_id').pluck().all() as string[];
  const shared = interner();
  const owners = (h.prepare('SELECT owner FROM customers ORDER BY customer_id').pluck().all() as (string | null)[]).map(shared);
  const n = customerIds.length;
  if (owners.length !== n) throw new Error(`refresh: read ${n} customers and ${owners.length} owners in one snapshot`);

  // Orders: one row per customer, its days and amounts as text lists (see HistoryBuilder).
  const histories = withOrders ? readOrderHistories(h, customerIds, owners, toDay, expectedOrders) : { customerIds, owners, offsets: new Int32Array(n + 1), days: new Int32Array(0), amounts: new Float64Array(0) };

  // Every answer, in customer order from the covering index, then by day and arrival: one list per
  // customer who answered (AnswerLists), into columns allocated once (counting them takes ~15 ms at 1.6M).
  const answered = new FeedbackBuilder(h.prepare('SELECT count(*) FROM feedback').pluck().get() as number);
  const findF = walker(customerIds);
  const rows = h
    .prepare(`SELECT customer_id, ${ANSWER_LIST} FROM feedback INDEXED BY feedback_customer GROUP BY customer_id ORDER BY customer_id`)
    .raw(true)
    .iterate() as Iterable<[string, string]>;
  const lists = new AnswerLists(answered);
  for (const [customerId, list] of rows) {
    const i = findF(customerId);
    if (i >= 0) lists.add(i, list);
  }
  const feedback = answered.finish();
  const feedbackWatermark = (h.prepare('SELECT max(rowid) FROM feedback').pluck().get() as number | null) ?? 0;

  const previous: PreviousInsights = { known: new Uint8Array(n), stage: new Array<string | null>(n).fill(null), sinceDay: new Float64Array(n).fill(NaN), sinceRun: new Float64Array(n).fill(NaN), purchaseDays: new Int32Array(n), churnRisk: new Float64Array(n).fill(NaN), count: 0 };
  const findP = walker(customerIds);
  const prev = h.prepare('SELECT customer_id, lifecycle_stage, stage_since_day, stage_since_run, purchase_days, churn_risk FROM insights ORDER BY customer_id').raw(true).iterate() as Iterable<[string, string, number | null, number | null, number, number | null]>;
  for (const [customerId, stage, sinceDay, sinceRun, purchaseDays, churnRisk] of prev) {
    const i = findP(customerId);
    if (i < 0) continue;
    previous.known[i] = 1;
    previous.stage[i] = shared(stage);
    previous.sinceDay[i] = sinceDay ?? NaN;
    previous.sinceRun[i] = sinceRun ?? NaN;
    previous.purchaseDays[i] = purchaseDays;
    previous.churnRisk[i] = churnRisk ?? NaN;
    previous.count++;
  }
  return { histories, feedback, previous, feedbackWatermark };
}

/**
 * Runs `each` over `items` in write transactions of WRITE_BATCH, pausing between them; returns the
 * longest hold in ms. Items are taken (and, from a generator, computed) before the lock is.
 */
async function inBatches<T>(h: SqliteHandle, items: Iterable<T>, each: (item: T) => void): Promise<number> {
  let longest = 0;
  const it = items[Symbol.iterator]();
  for (;;) {
    const batch: T[] = [];
    for (let next = it.next(); !next.done; next = it.next()) {
      batch.push(next.value);
      if (batch.length === WRITE_BATCH) break;
    }
    if (batch.length === 0) return longest;
    // Held from the moment the lock is ours (waiting for another writer's is not holding it).
    await takeWriteLock(h);
    const t0 = performance.now();
    try {
      for (const item of batch) each(item);
      h.exec('COMMIT');
    } catch (err) {
      h.exec('ROLLBACK');
      throw err;
    }
    longest = Math.max(longest, performance.now() - t0);
    if (batch.length < WRITE_BATCH) return longest;
    await pause(WRITE_PAUSE_MS);
  }
}

/** Deletes one run's rows (a failed refresh's lifecycle moves), a few thousand per transaction. */
async function deleteRun(h: SqliteHandle, table: 'lifecycle_transitions', runId: number): Promise<void> {
  const del = h.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE run_id = ? LIMIT ${WRITE_BATCH})`);
  for (;;) {
    await takeWriteLock(h);
    let changes: number;
    try {
      changes = del.run(runId).changes;
      h.exec('COMMIT');
    } catch (err) {
      h.exec('ROLLBACK');
      throw err;
    }
    if (changes < WRITE_BATCH) return;
    await pause(WRITE_PAUSE_MS);
  }
}

/** The insights' columns, text and number (PackedRows); together, every column of the table. */
const INSIGHT_TEXTS = ['customer_id', 'owner_key', 'segment', 'cluster_name', 'churn_drivers', 'lifecycle_stage', 'lifecycle_reason'] as const satisfies readonly (keyof InsightValues)[];
const INSIGHT_NUMBERS = [
  'run_id', 'as_of_day', 'orders', 'purchase_days', 'revenue', 'first_day', 'last_day', 'usual_gap_days', 'days_overdue', 'recency_score',
  'frequency_score', 'monetary_score', 'cluster_id', 'p_alive', 'expected_purchases_90d', 'expected_spend', 'clv_12m', 'churn_risk',
  'value_at_risk', 'stage_since_day', 'stage_since_run',
] as const satisfies readonly (keyof InsightValues)[];
// Every column once (a column added to the table and not here fails to type-check).
type Missing = Exclude<keyof InsightValues, (typeof INSIGHT_TEXTS)[number] | (typeof INSIGHT_NUMBERS)[number]>;
const everyInsightColumn: [Missing] extends [never] ? true : Missing = true;
void everyInsightColumn;

/** Insight rows to the derived-data builder as packed columns, ROWS_PER_BATCH rows at a time. */
async function sendInsights(sink: DerivedSink, rows: Iterable<InsightValues>): Promise<void> {
  const packer = rowPacker<InsightValues>('insights', INSIGHT_TEXTS, INSIGHT_NUMBERS, ROWS_PER_BATCH, ['run_id', 'as_of_day']);
  for (const row of rows) if (packer.add(row)) await sink.insertPacked(packer.take()!);
  const last = packer.take();
  if (last) await sink.insertPacked(last);
}

/**
 * A refresh writes hundreds of thousands of rows into the store only the first time comments are
 * tokenised; with SQLite's automatic checkpoints every few megabytes of log each commit would stop
 * to copy pages into the database file. The refresh checkpoints once, at the end, without holding
 * the write lock.
 */
function deferCheckpoints(h: SqliteHandle): void {
  if (!deferredFrom.has(h)) deferredFrom.set(h, h.pragma('wal_autocheckpoint', { simple: true }) as number);
  h.pragma('wal_autocheckpoint = 0');
}

/** Checkpoints, then gives the connection back its own setting (the bot's is 0: it checkpoints off its loop). */
function checkpointNow(h: SqliteHandle): void {
  h.pragma('wal_checkpoint(PASSIVE)');
  const before = deferredFrom.get(h);
  if (before === undefined) return;
  h.pragma(`wal_autocheckpoint = ${before}`);
  deferredFrom.delete(h);
}
const deferredFrom = new WeakMap<SqliteHandle, number>();

/** Rows to the derived-data builder as flat value lists, ROWS_PER_BATCH rows at a time (null for a missing value). */
async function sendRows(sink: DerivedSink, table: string, cols: readonly string[], rows: Iterable<Readonly<Record<string, unknown>>>): Promise<void> {
  let values: unknown[] = [];
  for (const row of rows) {
    for (const c of cols) values.push(row[c] ?? null);
    if (values.length === ROWS_PER_BATCH * cols.length) {
      await sink.insert(table, cols, values);
      values = [];
    }
  }
  if (values.length > 0) await sink.insert(table, cols, values);
}

function derivedFileWriter(h: SqliteHandle, storeFile: string, derived: DerivedAttachment, runId: number, offThread: boolean): ShadowWriter {
  const path = derivedPath(storeFile, runId);
  const building = `${path}.building`;
  const sink = derivedSink(building, offThread, derived.retiredFile());
  let longest = 0;
  const hold = (ms: number) => (longest = Math.max(longest, ms));
  let previousLive: string | undefined;
  return {
    get longestLockMs() {
      return longest;
    },
    async insights(rows) {
      await sendInsights(sink, rows);
      // Indexed while the refresh rolls up (on the writer's thread when it has one).
      sink.index();
    },
    async append(table: RunRowsTable, rows) {
      if (rows.length === 0) return;
      const cols = Object.keys(rows[0]!);
      const records = rows as readonly Record<string, unknown>[];
      if (table === 'lifecycle_transitions') {
        // The lifecycle log is history, kept in the store: short transactions.
        deferCheckpoints(h);
        const insert = h.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
        hold(await inBatches(h, records, (row) => void insert.run(cols.map((c) => row[c] ?? null))));
        return;
      }
      await sendRows(sink, table, cols, records);
    },
    async publish(run: PublishedRun) {
      await sink.finish();
      renameSync(building, path);
      previousLive = derived.liveName();
      await takeWriteLock(h);
      const t = performance.now();
      try {
        derived.publish(basename(path));
        h.prepare("UPDATE model_runs SET status = 'done', customers = ?, card = ?, finished_at = ?, feedback_watermark = ? WHERE run_id = ?").run(run.customers, JSON.stringify(run.card), run.finishedAt, run.feedbackWatermark, run.runId);
        // Basket rules are few: replaced here, with the insights they were mined with.
        h.exec('DELETE FROM basket_rules');
        const rule = h.prepare('INSERT INTO basket_rules (run_id, antecedent, consequent, support, confidence, lift, count) VALUES (?, ?, ?, ?, ?, ?, ?)');
        for (const r of run.basketRules) rule.run(r.run_id, r.antecedent, r.consequent, r.support, r.confidence, r.lift, r.count);
        h.exec('COMMIT');
      } catch (err) {
        h.exec('ROLLBACK');
        throw err;
      }
      hold(performance.now() - t);
      derived.sync(true);
    },
    async cleanup() {
      // Keep the live file and the one before (a reader may still be on it until its next query).
      derived.removeAllBut([basename(path), ...(previousLive ? [previousLive] : [])], runId);
      checkpointNow(h);
    },
    async abandon(failedRun) {
      await sink.abandon();
      rmSync(building, { force: true });
      await deleteRun(h, 'lifecycle_transitions', failedRun);
      checkpointNow(h);
    },
  };
}
