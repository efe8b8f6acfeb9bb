// Every customer's order history for a refresh: one row per customer (its days and amounts as text
// lists, see HistoryBuilder), read inline or, for a large store, on a worker thread with its own
// connection while the refresh's connection reads everything else. Both connections read the same
// state: their read transactions start while a third connection holds the store's write lock, so no
// write can land between the two.
import BetterSqlite3 from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/threads.ts';
import type { OrderHistories } from './histories.ts';
import { HistoryBuilder } from './refresh-read-helpers.ts';
import { beginWrite, retryBusy, type BusyRetry } from './sqlite-retry.ts';

interface Reads {
  prepare(sql: string): BetterSqlite3.Statement;
}

export function readOrderHistories(h: Reads, customerIds: string[], owners: (string | null)[], toDay: number): OrderHistories {
  const orders = new HistoryBuilder(customerIds, owners);
  const rows = h
    .prepare('SELECT customer_id, group_concat(day), group_concat(amount) FROM orders WHERE day <= ? GROUP BY customer_id ORDER BY customer_id')
    .raw(true)
    .iterate(toDay) as Iterable<[string, string, string]>;
  for (const [customerId, dayList, amountList] of rows) orders.add(customerId, dayList, amountList);
  return orders.finish();
}

export type OrdersReadRequest = { op: 'pin' } | { op: 'read'; toDay: number };
export type OrdersReadReply =
  | { op: 'pinned' }
  | { op: 'read'; customers: number; firstId: string | null; lastId: string | null; offsets: Int32Array; days: Int32Array; amounts: Float64Array }
  | { op: 'failed'; error: string };

/** The order histories' arrays as the worker read them; put together with the customers by `histories`. */
export interface OffThreadOrders {
  /** Resolves with the arrays once read; checks they were read for the same customers. */
  histories(customerIds: string[], owners: (string | null)[]): Promise<OrderHistories>;
  /** Stops the worker (after a failure elsewhere); harmless once done. */
  stop(): Promise<void>;
}

/**
 * Starts the worker, and pins both read transactions to one state: `pinHere` begins the caller's
 * (on its own connection) while the write lock is held. Waits for the lock as a refresh's writes do.
 */
export async function readOrdersOffThread(file: string, toDay: number, pinHere: () => void, busy: BusyRetry): Promise<OffThreadOrders> {
  const worker = startWorker(new URL('./orders-read-worker.ts', import.meta.url), 'orders-read-worker', { file }, import.meta.url);
  const replies = replyQueue(worker);
  try {
    const lock = new BetterSqlite3(file, { fileMustExist: true });
    try {
      lock.pragma('busy_timeout = 20');
      await retryBusy(async () => beginWrite(lock), busy);
      try {
        pinHere();
        worker.postMessage({ op: 'pin' } satisfies OrdersReadRequest);
        await replies.next('pinned');
      } finally {
        lock.exec('ROLLBACK');
      }
    } finally {
      lock.close();
    }
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  worker.postMessage({ op: 'read', toDay } satisfies OrdersReadRequest);
  const read = replies.next('read');
  read.catch(() => undefined); // awaited by histories(); a failure then fails the refresh
  return {
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
}

/** The worker's replies in order; an error or an early exit rejects the one awaited. */
function replyQueue(worker: Worker): { next(op: OrdersReadReply['op']): Promise<OrdersReadReply> } {
  const waiting: { op: string; resolve: (m: OrdersReadReply) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (m: OrdersReadReply) => {
    const w = waiting.shift();
    if (!w) return;
    if (m.op === 'failed') w.reject(new Error(`order histories: ${m.error}`));
    else if (m.op !== w.op) w.reject(new Error(`order histories: expected ${w.op}, got ${m.op}`));
    else w.resolve(m);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the order-history reader exited with code ${code}`)));
  return {
    next(op) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ op, resolve, reject }));
    },
  };
}
