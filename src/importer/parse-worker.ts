// Worker thread: reads and validates an import file and posts batches to the writer, pausing when
// two batches are waiting (backpressure, so a fast reader never fills memory).
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseRows, type ParseOptions } from './parse-rows.ts';

const { path, parse } = workerData as { path: string; parse: ParseOptions };
const port = parentPort!;
let inFlight = 0;
let wake: (() => void) | undefined;
port.on('message', () => {
  inFlight--;
  wake?.();
  wake = undefined;
});

try {
  const fatal = await parseRows(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), parse, async (batch) => {
    while (inFlight >= 2) await new Promise<void>((r) => (wake = r));
    inFlight++;
    port.postMessage({ type: 'batch', batch });
  });
  port.postMessage(fatal ? { type: 'done', fatal } : { type: 'done' });
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
