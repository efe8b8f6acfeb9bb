// Warms the page cache for a refresh's snapshot read on a large SQLite store. The snapshot walks
// indexes in key order (the customers, their answers, their order histories), but after an import
// those pages lie scattered over the file, so each connection waits on one disk read at a time:
// from a cold cache the orders read took 6.4 s instead of 3.5 s (sqlite3 CLI, 1M customers). Threads
// of their own read the far part of each range meanwhile, so that the disk serves several reads at
// once and the readers find those pages cached: 4.5 s with the orders index's second half read
// beside it; the customers, answers and previous insights went from 6.5 to 4.4 s. With a warm cache
// a warm-up costs ~60 ms of a core: each reads by range, with a count, decoding next to nothing.
import { inBackground } from '../core/threads.ts';

/** One warm-up thread's reads, in order: statements counting over a range of a table or an index. */
export interface WarmupPlan {
  file: string;
  /** Another file to attach as `derived` (the live derived-data file), when one is read. */
  derived?: string;
  reads: readonly string[];
}

/** Where each range starts: a fraction of the way through the customers (by id, their key everywhere). */
const idAt = (fraction: number) => `(SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1 OFFSET (SELECT CAST(coalesce(max(rowid), 0) * ${fraction} AS integer) FROM customers))`;

/**
 * The snapshot's warm-ups: the second half of the orders index on one thread (the order-history
 * reader starts at the first); on another, the customers' rows from a quarter in (the owners read
 * after the ids), then the answers' index and the previous insights from 40% in.
 */
export function snapshotWarmups(storeFile: string, derivedFile: string | undefined): WarmupPlan[] {
  return [
    { file: storeFile, reads: [`SELECT count(*) FROM orders INDEXED BY orders_customer_day WHERE customer_id >= ${idAt(1 / 3)} AND customer_id < ${idAt(2 / 3)}`] },
    { file: storeFile, reads: [`SELECT count(*) FROM orders INDEXED BY orders_customer_day WHERE customer_id >= ${idAt(2 / 3)}`] },
    {
      file: storeFile,
      ...(derivedFile ? { derived: derivedFile } : {}),
      reads: [
        'SELECT count(owner) FROM customers WHERE rowid > (SELECT max(rowid) / 4 FROM customers)',
        `SELECT count(*) FROM feedback INDEXED BY feedback_customer WHERE customer_id >= ${idAt(0.4)}`,
        ...(derivedFile ? [`SELECT count(churn_risk) FROM derived.insights WHERE customer_id >= ${idAt(0.4)}`] : []),
      ],
    },
  ];
}

/**
 * Starts one thread per plan. `done` resolves with each plan's counts, or with the reason a plan
 * could not run: a warm-up only saves time, so it never fails the reads it helps. `stop` ends the
 * threads (the snapshot is read: what they would warm is no longer needed); one inside a count ends
 * when SQLite returns from it.
 */
export function warmPages(plans: readonly WarmupPlan[]): { done: Promise<(number[] | string)[]>; stop(): Promise<void> } {
  const runs = plans.map((plan) => inBackground<number[]>(new URL('./page-warmup-worker.ts', import.meta.url), 'page-warmup-worker', { ...plan }, import.meta.url, 'page warm-up'));
  return {
    done: Promise.all(runs.map((r) => r.result.catch((err: Error) => err.message))),
    async stop() {
      await Promise.all(runs.map((r) => r.stop()));
    },
  };
}
