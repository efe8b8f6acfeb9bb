// A SQLite connection copies its write-ahead log back into the database file itself when a commit
// leaves the log past 1,000 pages (wal_autocheckpoint): on the thread that committed, with an
// fsync. For the bot that thread is the event loop. Beside an import (its frames fill the log
// between its own checkpoints) every /feedback then stopped the loop to copy megabytes: measured
// with strace beside a 1M orders import, the loop's thread sat in pread/pwrite/fsync for 27–100+ ms
// after a one-row commit. The bot's connection therefore never checkpoints; this thread does.
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../core/logger.ts';
import { startWorker } from '../core/threads.ts';

/** How often the checkpointer copies the log back (SQLite's own would after ~4 MB of log). */
export const CHECKPOINT_EVERY_MS = 1_000;

export interface Checkpointer {
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  everyMs?: number;
  log?: Pick<Logger, 'warn'> | undefined;
  /**
   * The thread stopped without being asked (it failed to start, or failed): the caller must
   * checkpoint by itself again, or the log grows without end.
   */
  onStopped?: () => void;
}

export function startCheckpointer(file: string, options: CheckpointerOptions = {}): Checkpointer {
  const { log, onStopped } = options;
  const worker: Worker = startWorker(new URL('./checkpoint-worker.ts', import.meta.url), 'checkpoint-worker', { file, everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS }, import.meta.url);
  let closing = false;
  worker.on('message', (m: unknown) => {
    if (m && typeof m === 'object' && 'error' in m) log?.warn('the write-ahead log could not be checkpointed', { error: (m as { error: string }).error });
  });
  worker.on('error', (err) => log?.warn('the checkpointer thread failed: this connection checkpoints by itself again', { error: err }));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!closing) onStopped?.();
      resolve();
    }),
  );
  // Listeners reference a worker: unreferenced after them, it never keeps a process alive.
  worker.unref();
  return {
    async close() {
      closing = true;
      // Referenced while it stops: an unreferenced worker's exit is nothing the event loop waits for.
      worker.ref();
      worker.postMessage('close');
      const slow = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(slow);
    },
  };
}
