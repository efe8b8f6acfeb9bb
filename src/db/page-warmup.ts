// Warms the OS page cache for a refresh's snapshot read on a large SQLite store. The snapshot walks
// indexes in key order (the customers, their answers, their order histories), but after an import
// those pages lie scattered over the file: from a cold cache each reader waited on one small disk
// read at a time, and paid for each in system time (a 1M-customer refresh took 23.9–25.4 s cold
// against ~18 s warm, 8.5–9.4 s of it in the kernel). Reading the store's files from end to end in
// large slices is what disks do fastest (3.6 GB in ~1 s here, three threads each reading a third):
// the readers then find their pages cached, and the cold refresh took 17.2–18.5 s. With a warm cache
// reading it all was only a copy, but a costly one beside the snapshot's readers: the three threads
// spent 1.4–1.7 s each in the kernel's copy (perf, at 1M customers), at a higher priority than the
// readers. So pages spread over what each thread is to read are probed first, before the thread
// starts, and no thread starts for a part found cached (PROBES_PER_PLAN, looksCached); otherwise it
// reads it all as before (probing each part before reading it broke the kernel's read-ahead: a cold
// refresh took 22–24 s instead of 18). A store that would not fit in half the memory available
// (within a container's limit) is not read ahead at all: its pages would only push each other out,
// and its refresh reads from a cold cache as it did before any warm-up.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { inBackground } from '../core/threads.ts';

/** One part of a file, bytes [from, to). */
export interface FileSlice {
  file: string;
  from: number;
  to: number;
}

/** What one warm-up thread reads, in order. */
export type WarmupPlan = readonly FileSlice[];

const PAGE = 4096;

/** Threads reading at once: enough to keep a disk's queue busy (one thread read at about half the speed). */
export const WARMUP_THREADS = 3;

/** Pages read spread evenly over a thread's plan, before it starts, to tell whether the plan is cached already. */
export const PROBES_PER_PLAN = 16;
/**
 * A probe (one 4 KiB read) faster than this found its page cached. Measured here: cached reads took
 * 1.5–5.5 µs (p50 ~3 µs, outliers ~110 µs), reads of pages not cached 42–360 µs (p50 ~50 µs; the
 * VM's disk is served from its host's memory; a real disk is slower still).
 */
export const CACHED_BELOW_US = 25;

/**
 * Whether a plan's pages are cached, from its probes' times in µs: all but one of them fast (one
 * slow probe is as likely a thread that lost its core for a moment), or all but `slowAllowed`.
 * Wrong either way costs little: a cached plan read again is a copy, an uncached plan skipped is
 * read by the snapshot as before.
 */
export function looksCached(probeUs: readonly number[], cachedBelowUs = CACHED_BELOW_US, slowAllowed = 1): boolean {
  let fast = 0;
  for (const us of probeUs) if (us < cachedBelowUs) fast++;
  return probeUs.length > 0 && fast >= probeUs.length - slowAllowed;
}

/**
 * Their nice value: below a bot's on the same machine (0), above the refresh's own threads (10, by
 * PULSE_BATCH_NICE's default). The threads mostly wait for the disk; at their refresh's priority or
 * lower, each read's turn on a core came late and the reads fell behind the snapshot they are for
 * (1.8–4 s instead of ~1 s for 3.6 GB). Raising a thread above its process's nice value needs root
 * or CAP_SYS_NICE: without, the warm-up runs at the refresh's priority.
 */
export const WARMUP_NICE = 5;

/** Half the memory there is to cache pages in: what the system has available, within a container's limit if it has one. */
function memoryBudget(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return Math.min(freemem(), limit > 0 ? limit : Infinity) / 2;
}

/**
 * The files (those that exist) cut into `threads` runs of about equal bytes, each a list of
 * contiguous slices in file order; none when they add up to more than `budgetBytes`.
 */
export function warmupPlans(files: readonly string[], threads = WARMUP_THREADS, budgetBytes = memoryBudget()): WarmupPlan[] {
  const sized = files.map((file) => ({ file, size: sizeOf(file) })).filter((f) => f.size > 0);
  const total = sized.reduce((sum, f) => sum + f.size, 0);
  if (total === 0 || total > budgetBytes) return [];
  const per = Math.ceil(total / threads);
  const plans: FileSlice[][] = Array.from({ length: threads }, () => []);
  let done = 0; // bytes planned so far, over every file
  for (const { file, size } of sized) {
    for (let from = 0; from < size; ) {
      const k = Math.min(threads - 1, Math.floor(done / per));
      const to = Math.min(size, from + per * (k + 1) - done);
      plans[k]!.push({ file, from, to });
      done += to - from;
      from = to;
    }
  }
  return plans.filter((p) => p.length > 0);
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // no such file (a store without a WAL yet)
  }
}

/**
 * Starts a thread for each plan whose probes, taken here first, do not find it cached (a thread
 * costs its process ~0.5 s of CPU to start, mostly in the kernel: three of them for a store that
 * was cached all along took CPU from the snapshot's two readers). `done` resolves with the bytes
 * each plan's thread read (0 for a plan found cached: not read), or with the reason a plan could
 * not run: a warm-up only saves time, so it never fails the reads it helps. `stop` ends the
 * threads (the snapshot is read: what they would warm is no longer needed). `started`: how many
 * threads were. `cachedBelowUs`: see CACHED_BELOW_US (0 reads every plan).
 */
export function warmPages(plans: readonly WarmupPlan[], cachedBelowUs = CACHED_BELOW_US): { done: Promise<(number | string)[]>; stop(): Promise<void>; started: number } {
  const worker = new URL('./page-warmup-worker.ts', import.meta.url);
  const buffer = Buffer.allocUnsafe(PAGE);
  const runs = plans.map((slices) =>
    looksCached(probeTimes(slices, buffer), cachedBelowUs) ? undefined : inBackground<number>(worker, 'page-warmup-worker', { slices }, import.meta.url, 'page warm-up'),
  );
  return {
    done: Promise.all(runs.map((r) => r?.result.catch((err: Error) => err.message) ?? 0)),
    async stop() {
      await Promise.all(runs.map((r) => r?.stop()));
    },
    started: runs.filter((r) => r !== undefined).length,
  };
}

/**
 * Each probe's time in µs: a page read at PROBES_PER_PLAN evenly spread points of the plan's bytes
 * (none when it is too small to probe), after one untimed read of its first page (a thread's first
 * read took up to ~50 µs of its own).
 */
export function probeTimes(plan: WarmupPlan, buffer: Buffer = Buffer.allocUnsafe(PAGE)): number[] {
  const total = plan.reduce((sum, s) => sum + s.to - s.from, 0);
  if (total < PROBES_PER_PLAN * PAGE) return [];
  const first = openIfThere(plan[0]!.file);
  if (first !== undefined) {
    try {
      readSync(first, buffer, 0, PAGE, plan[0]!.from);
    } finally {
      closeSync(first);
    }
  }
  const times: number[] = [];
  let k = 0;
  let before = 0; // the plan's bytes in the slices before this one
  for (const { file, from, to } of plan) {
    const fd = openIfThere(file);
    try {
      for (; k < PROBES_PER_PLAN && ((k + 0.5) * total) / PROBES_PER_PLAN < before + to - from; k++) {
        if (fd === undefined) continue;
        const at = Math.min(to - PAGE, from + Math.floor(((k + 0.5) * total) / PROBES_PER_PLAN - before));
        const t0 = process.hrtime.bigint();
        readSync(fd, buffer, 0, PAGE, Math.max(from, at));
        times.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    before += to - from;
  }
  return times;
}

/** `file` open for reading; undefined when it is gone (a WAL removed at a close). */
export function openIfThere(file: string): number | undefined {
  try {
    return openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
