// Every customer's order history for a refresh: one row per customer (its days and amounts as text
// lists, see HistoryBuilder), read inline or, for a large store, on a worker thread with its own
// connection while the refresh's connection reads everything else. Both connections read the same
// state: their read transactions start while a third connection holds the store's write lock, so no
// write can land between the two.
import BetterSqlite3 from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/threads.ts';
import type { OrderHistories } from './histories.ts';
import { CENTS_AMOUNT, HistoryBuilder } from './refresh-read-helpers.ts';
import { beginWrite, retryBusy, type BusyRetry } from './sqlite-retry.ts';

interface Reads {
  prepare(sql: string): BetterSqlite3.Statement;
}

/**
 * Begins a read transaction and takes its snapshot now (a deferred BEGIN takes it at the first
 * read): both connections of a pinned snapshot do this while the write lock is held.
 */
export function beginRead(h: Reads & { exec(sql: string): unknown }): void {
  h.exec('BEGIN');
  try {
    h.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    h.exec('ROLLBACK');
    throw err;
  }
}

export function readOrderHistories(h: Reads, customerIds: string[], owners: (string | null)[], toDay: number, expectedOrders = 0): OrderHistories {
  const orders = new HistoryBuilder(customerIds, owners, 'cents', expectedOrders);
  const rows = h
    .prepare(`SELECT customer_id, group_concat(day), group_concat(${CENTS_AMOUNT}) FROM orders WHERE day <= ? GROUP BY customer_id ORDER BY customer_id`)
    .raw(true)
    .iterate(toDay) as Iterable<[string, string, string]>;
  for (const [customerId, dayList, amountList] of rows) orders.add(customerId, dayList, amountList);
  return orders.finish();
}

/** Pin a read transaction, say so, then read the histories up to `toDay`. */
export type OrdersReadRequest = { op: 'pin'; toDay: number; expectedOrders: number };
export type OrdersReadReply =
  | { op: 'open' }
  | { op: 'pinned' }
  | { op: 'read'; customers: number; firstId: string | null; lastId: string | null; offsets: Int32Array; days: Int32Array; amounts: Float64Array }
  | { op: 'failed'; error: string };

/** The order histories' arrays as the worker read them; put together with the customers by `histories`. */
export interface OffThreadOrders {
  /** How long pinning the two reads held the store's write lock. */
  readonly lockMs: number;
  /** Resolves with the arrays once read; checks they were read for the same customers. */
  histories(customerIds: string[], owners: (string | null)[]): Promise<OrderHistories>;
  /** Stops the worker (after a failure elsewhere); harmless once done. */
  stop(): Promise<void>;
}

/**
 * Starts the worker and pins both read transactions to one state: while a third connection holds
 * the write lock, the worker begins its read, then `readHere` runs — it begins the caller's read
 * (on its own connection), calls `release` to let writers in, and reads. `readHere` runs
 * synchronously to its end, so nothing else on the caller's connection runs inside its read.
 * Waits for the lock as a refresh's writes do.
 */
export async function readOrdersOffThread<T>(file: string, toDay: number, expectedOrders: number, readHere: (release: () => void) => T, busy: BusyRetry): Promise<{ here: T; orders: OffThreadOrders }> {
  const worker = startWorker(new URL('./orders-read-worker.ts', import.meta.url), 'orders-read-worker', { file }, import.meta.url);
  const replies = replyQueue(worker);
  let lockMs = 0;
  let here: T;
  try {
    await replies.next('open');
    const lock = new BetterSqlite3(file, { fileMustExist: true });
    try {
      lock.pragma('busy_timeout = 20');
      await retryBusy(async () => beginWrite(lock), busy);
      const locked = performance.now();
      const release = () => {
        if (!lock.inTransaction) return;
        lock.exec('ROLLBACK');
        lockMs = performance.now() - locked;
      };
      try {
        worker.postMessage({ op: 'pin', toDay, expectedOrders } satisfies OrdersReadRequest);
        await replies.next('pinned');
        here = readHere(release);
      } finally {
        release();
      }
    } finally {
      lock.close();
    }
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const read = replies.next('read');
  read.catch(() => undefined); // awaited by histories(); a failure then fails the refresh
  const orders: OffThreadOrders = {
    lockMs,
    async histories(customerIds, owners) {
      const r = (await read) as Extract<OrdersReadReply, { op: 'read' }>;
      void worker.terminate();
      if (r.customers !== customerIds.length || r.firstId !== (customerIds[0] ?? null) || r.lastId !== (customerIds.at(-1) ?? null)) {
        throw new Error(`order histories: the reader saw ${r.customers} customers, the refresh ${customerIds.length} (not one state)`);
      }
      return { customerIds, owners, offsets: r.offsets, days: r.days, amounts: r.amounts };
    },
    async stop() {
      await worker.terminate();
    },
  };
  return { here, orders };
}

/** The worker's replies in order (kept until asked for); an error or an early exit rejects what is awaited. */
function replyQueue(worker: Worker): { next(op: OrdersReadReply['op']): Promise<OrdersReadReply> } {
  const arrived: OrdersReadReply[] = [];
  const waiting: { op: string; resolve: (m: OrdersReadReply) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;
  const settle = (w: (typeof waiting)[number], m: OrdersReadReply) => {
    if (m.op === 'failed') w.reject(new Error(`order histories: ${m.error}`));
    else if (m.op !== w.op) w.reject(new Error(`order histories: expected ${w.op}, got ${m.op}`));
    else w.resolve(m);
  };
  worker.on('message', (m: OrdersReadReply) => {
    const w = waiting.shift();
    if (w) settle(w, m);
    else arrived.push(m);
  });
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the order-history reader exited with code ${code}`)));
  return {
    next(op) {
      return new Promise((resolve, reject) => {
        const w = { op, resolve, reject };
        const m = arrived.shift();
        if (m) settle(w, m);
        else if (failure) reject(failure);
        else waiting.push(w);
      });
    },
  };
}
