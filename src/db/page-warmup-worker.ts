// Worker thread: reads its slices of the store's files (page-warmup.ts) so that the OS caches them
// for the refresh's readers, part by part, skipping a part its probes find cached already; answers
// how many bytes it read.
import { closeSync, openSync, readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { replyOnce, setThreadNice } from '../core/threads.ts';
import { cachedChunk, CHUNK_BYTES, PROBES_PER_CHUNK, WARMUP_NICE, type WarmupPlan } from './page-warmup.ts';

setThreadNice(WARMUP_NICE);

const PAGE = 4096;
const { slices, cachedBelowUs } = workerData as { slices: WarmupPlan; cachedBelowUs: number };
await replyOnce(() => {
  const buffer = Buffer.allocUnsafe(4 << 20);
  let read = 0;
  /** Reads [from, to) of `fd`; false when the file ended first. */
  const readRange = (fd: number, from: number, to: number): boolean => {
    for (let at = from; at < to; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, to - at), at);
      if (n === 0) return false; // the file shrank meanwhile (a checkpoint truncating the WAL)
      read += n;
      at += n;
    }
    return true;
  };
  /** Each probe's time in µs: one page at evenly spread offsets of [from, to). */
  const probe = (fd: number, from: number, to: number): number[] => {
    const times: number[] = [];
    for (let k = 0; k < PROBES_PER_CHUNK; k++) {
      const at = from + Math.floor(((to - from - PAGE) * (k + 0.5)) / PROBES_PER_CHUNK / PAGE) * PAGE;
      const t0 = process.hrtime.bigint();
      readSync(fd, buffer, 0, PAGE, at);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    return times;
  };
  for (const { file, from, to } of slices) {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // gone meanwhile (a WAL removed at a close)
      throw err;
    }
    try {
      for (let at = from; at < to; at += CHUNK_BYTES) {
        const end = Math.min(to, at + CHUNK_BYTES);
        // A part too small to probe is read.
        if (end - at >= PROBES_PER_CHUNK * PAGE && cachedChunk(probe(fd, at, end), cachedBelowUs)) continue;
        if (!readRange(fd, at, end)) break;
      }
    } finally {
      closeSync(fd);
    }
  }
  return read;
});
