// A fair hand-over of SQLite's write lock between a long import and the bot. SQLite does not queue
// writers: an import that commits a batch and begins the next at once keeps the lock nearly all the
// time, and a /feedback retrying now and then gets in only by chance (2.6-4 s at 1M). So a writer
// that meets the lock taken says so in a file beside the store, and the import, between batches,
// pauses while that file is fresh, until the waiter has written and removed it (at most a moment).
import { rmSync, statSync, writeFileSync } from 'node:fs';

/** `…/pulse.sqlite` → `…/pulse.sqlite.writer-waiting`. */
export function waitingMarker(storeFile: string): string {
  return `${storeFile}.writer-waiting`;
}

/** How long a mark counts: a waiter that died leaves one behind, which is then ignored. */
const FRESH_MS = 1_000;
/** The longest an import pauses for waiters between two batches. */
const MAX_PAUSE_MS = 250;
const POLL_MS = 5;

/** The waiting side (the bot's writes): mark when the lock is taken, unmark once written. */
export class WaitingWriter {
  readonly #marker: string;
  #marked = false;

  constructor(storeFile: string) {
    this.#marker = waitingMarker(storeFile);
  }

  mark(): void {
    try {
      writeFileSync(this.#marker, String(process.pid));
      this.#marked = true;
    } catch {
      // A read-only folder: the write still waits its turn, as before.
    }
  }

  unmark(): void {
    if (!this.#marked) return;
    this.#marked = false;
    rmSync(this.#marker, { force: true });
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
