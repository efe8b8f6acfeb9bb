// Worker thread: one warm-up of the page cache (page-warmup.ts) on a read-only connection of its own.
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../core/threads.ts';
import type { WarmupPlan, WarmupReply } from './page-warmup.ts';

lowerThreadPriority();

const { file, derived, reads } = workerData as WarmupPlan;
let reply: WarmupReply;
try {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    // The pages are wanted in the OS's cache, for the other connections: this one keeps few.
    db.pragma('cache_size = -1024');
    if (derived) db.prepare('ATTACH DATABASE ? AS derived').run(derived);
    reply = { done: reads.map((sql) => db.prepare(sql).pluck().get() as number) };
  } finally {
    db.close();
  }
} catch (err) {
  reply = { failed: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(reply);
