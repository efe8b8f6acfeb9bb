// Worker thread: one warm-up of the page cache (page-warmup.ts) on a read-only connection of its own.
import BetterSqlite3 from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import { lowerThreadPriority, replyOnce } from '../core/threads.ts';
import type { WarmupPlan } from './page-warmup.ts';

lowerThreadPriority();

const { file, derived, reads } = workerData as WarmupPlan;
await replyOnce(() => {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    // The pages are wanted in the OS's cache, for the other connections: this one keeps few.
    db.pragma('cache_size = -1024');
    if (derived) db.prepare('ATTACH DATABASE ? AS derived').run(derived);
    return reads.map((sql) => db.prepare(sql).pluck().get() as number);
  } finally {
    db.close();
  }
});
