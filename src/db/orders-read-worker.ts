// Worker thread: reads every customer's order history (orders-read.ts) on its own connection, in a
// read transaction the refresh pins to the same state as its own, while the refresh's connection
// reads the customers, answers and previous insights.
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { beginRead, readOrderHistories, type OrdersReadReply, type OrdersReadRequest } from './orders-read.ts';

const { file } = workerData as { file: string };
let db: BetterSqlite3.Database | undefined;

function reply(m: OrdersReadReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(m, transfer);
}

// Opened before the refresh takes the write lock to pin both reads: the lock is then held for a
// message's round trip, not for this thread's start.
try {
  db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  // One pass over the orders index in key order: a page cache would hold pages never read again.
  db.pragma('cache_size = -4096');
  reply({ op: 'open' });
} catch (err) {
  reply({ op: 'failed', error: err instanceof Error ? err.message : String(err) });
}

parentPort!.on('message', (m: OrdersReadRequest) => {
  try {
    if (!db) throw new Error('the store is not open');
    const h = db;
    // Pinned (the refresh's connection begins its read once told), then straight on to the read.
    beginRead(h);
    reply({ op: 'pinned' });
    const customerIds = h.prepare('SELECT customer_id FROM customers ORDER BY customer_id').pluck().all() as string[];
    const histories = readOrderHistories(h, customerIds, [], m.toDay, m.expectedOrders);
    h.exec('COMMIT');
    h.close();
    const { offsets, days, amounts } = histories;
    reply(
      { op: 'read', customers: customerIds.length, firstId: customerIds[0] ?? null, lastId: customerIds.at(-1) ?? null, offsets, days, amounts },
      [offsets.buffer, days.buffer, amounts.buffer] as ArrayBuffer[],
    );
  } catch (err) {
    if (db?.open) db.close();
    reply({ op: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
});
