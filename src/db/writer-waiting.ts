// A fair hand-over of SQLite's write lock between a long import and the bot. SQLite does not queue
// writers: an import that commits a batch and begins the next at once keeps the lock nearly all the
// time, and a /feedback retrying now and then gets in only by chance (2.6-4 s at 1M). So a writer
// that meets the lock taken says so in a file beside the store, and the import, between batches,
// pauses while that file is fresh, until the waiter has written and removed it (at most a moment).
import { statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';

/** `…/pulse.sqlite` → `…/pulse.sqlite.writer-waiting`. */
export function waitingMarker(storeFile: string): string {
  return `${storeFile}.writer-waiting`;
}

/** How long a mark counts: a waiter that died leaves one behind, which is then ignored. */
const FRESH_MS = 1_000;
/** The longest an import pauses for waiters between two batches. */
const MAX_PAUSE_MS = 250;
const POLL_MS = 5;

/**
 * The waiting side (the bot's writes): mark when the lock is taken, unmark once written. The file
 * is written and removed by libuv's threads, never on the event loop: creating or removing a file
 * waits for the file system's journal, 20–60 ms at a time beside an import (measured with `perf
 * trace` on the bot's thread). Marks and unmarks land in the order they were asked for.
 */
export class WaitingWriter {
  readonly #marker: string;
  #marked = false;
  #markedAt = 0;
  #pending: Promise<void> = Promise.resolve();

  constructor(storeFile: string) {
    this.#marker = waitingMarker(storeFile);
  }

  /** Resolves once the mark is on disk (callers need not wait for it). Rewritten while the wait lasts, so it stays fresh. */
  mark(): Promise<void> {
    if (this.#marked && Date.now() - this.#markedAt < FRESH_MS / 4) return this.#pending;
    this.#marked = true;
    this.#markedAt = Date.now();
    // A read-only folder: the write still waits its turn, as before.
    return (this.#pending = this.#pending.then(() => writeFile(this.#marker, String(process.pid))).catch(() => undefined));
  }

  /** Resolves once every mark and unmark asked for so far is done. */
  settled(): Promise<void> {
    return this.#pending;
  }

  unmark(): Promise<void> {
    if (!this.#marked) return this.#pending;
    this.#marked = false;
    return (this.#pending = this.#pending.then(() => rm(this.#marker, { force: true })).catch(() => undefined));
  }
}

/**
 * The importing side, between two batches (no transaction open): while another writer's mark is
 * fresh, wait for it to go (it is removed once that writer has written), at most MAX_PAUSE_MS.
 * Costs one stat when nobody waits.
 */
export async function letWaitingWritersIn(storeFile: string): Promise<void> {
  const marker = waitingMarker(storeFile);
  const until = Date.now() + MAX_PAUSE_MS;
  for (;;) {
    const st = statSync(marker, { throwIfNoEntry: false });
    if (!st || Date.now() - st.mtimeMs > FRESH_MS || Date.now() >= until) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
