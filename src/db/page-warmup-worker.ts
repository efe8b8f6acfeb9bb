// Worker thread: reads its slices of the store's files (page-warmup.ts) so that the OS caches them
// for the refresh's readers, unless its probes find them cached already; answers how many bytes it read.
import { closeSync, openSync, readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { replyOnce, setThreadNice } from '../core/threads.ts';
import { looksCached, PROBES_PER_PLAN, WARMUP_NICE, type WarmupPlan } from './page-warmup.ts';

setThreadNice(WARMUP_NICE);

const PAGE = 4096;
const { slices, cachedBelowUs } = workerData as { slices: WarmupPlan; cachedBelowUs: number };
await replyOnce(() => {
  const buffer = Buffer.allocUnsafe(4 << 20);
  if (looksCached(probe(slices, buffer), cachedBelowUs)) return 0;
  let read = 0;
  for (const { file, from, to } of slices) {
    const fd = open(file);
    if (fd === undefined) continue;
    try {
      for (let at = from; at < to; ) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, to - at), at);
        if (n === 0) break; // the file shrank meanwhile (a checkpoint truncating the WAL)
        read += n;
        at += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  return read;
});

/** The file open for reading; undefined when it is gone (a WAL removed at a close). */
function open(file: string): number | undefined {
  try {
    return openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Each probe's time in µs: a page read at PROBES_PER_PLAN evenly spread points of the plan's bytes (none when it is too small to probe). */
function probe(plan: WarmupPlan, buffer: Buffer): number[] {
  const total = plan.reduce((sum, s) => sum + s.to - s.from, 0);
  if (total < PROBES_PER_PLAN * PAGE) return [];
  const times: number[] = [];
  let k = 0;
  let before = 0; // the plan's bytes in the slices before this one
  for (const { file, from, to } of plan) {
    const fd = open(file);
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
