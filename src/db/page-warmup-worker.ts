// Worker thread: reads its slices of the store's files (page-warmup.ts) so that the OS caches them
// for the refresh's readers (started only for slices the probes did not find cached: it does not
// probe again, since the probes cached the very pages it would probe); answers how many bytes it read.
import { closeSync, readSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { replyOnce, setThreadNice } from '../core/threads.ts';
import { openIfThere, WARMUP_NICE, type WarmupPlan } from './page-warmup.ts';

setThreadNice(WARMUP_NICE);

const { slices } = workerData as { slices: WarmupPlan };
await replyOnce(() => {
  const buffer = Buffer.allocUnsafe(4 << 20);
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
