// Worker thread: reads its slices of the store's files (page-warmup.ts) so that the OS caches them
// for the refresh's readers, unless its probes find them cached already; answers how many bytes it read.
import { closeSync, readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { replyOnce, setThreadNice } from '../core/threads.ts';
import { looksCached, openIfThere, probeTimes, WARMUP_NICE, type WarmupPlan } from './page-warmup.ts';

setThreadNice(WARMUP_NICE);

const { slices, cachedBelowUs } = workerData as { slices: WarmupPlan; cachedBelowUs: number };
await replyOnce(() => {
  const buffer = Buffer.allocUnsafe(4 << 20);
  if (looksCached(probeTimes(slices, buffer), cachedBelowUs)) return 0;
  let read = 0;
  for (const { file, from, to } of slices) {
    const fd = openIfThere(file);
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

