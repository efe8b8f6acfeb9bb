// Worker thread, in one of two roles (see threads.ts). `parse`: reads and checks a file and posts
// packed batches to the writer, pausing while two wait (backpressure). `import`: runs a whole import
// on its own connection to the store, reading the file itself or the bytes the parent sends.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openStore } from '../db/store.ts';
import type { ImportSummary } from './import-file.ts';
import { transferList } from './packed-rows.ts';
import { parseRows, type ParseOptions } from './parse-rows.ts';
import { runImport, type RunOptions } from './run-import.ts';
import { fileBytes, inputBytes } from './source.ts';

const port = parentPort!;
const data = workerData as
  { role: 'parse'; path: string; parse: ParseOptions } | { role: 'import'; location: string; opts: RunOptions; input: string | null; summary: ImportSummary };

if (data.role === 'parse') await parse(data.path, data.parse);
else await importHere(data.location, data.opts, data.input, data.summary);

async function parse(path: string, opts: ParseOptions): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    inFlight--;
    wake?.();
    wake = undefined;
  });
  try {
    const { fatal, facts } = await parseRows(fileBytes(path), opts, async (batch) => {
      while (inFlight >= 2) await new Promise<void>((r) => (wake = r));
      inFlight++;
      port.postMessage({ type: 'batch', batch }, transferList(batch.rows));
    });
    port.postMessage(fatal ? { type: 'done', fatal, facts } : { type: 'done', facts });
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

async function importHere(location: string, opts: RunOptions, path: string | null, summary: ImportSummary): Promise<void> {
  try {
    const store = await openStore(location, { migrate: false });
    try {
      const result = await runImport(store, opts, path ?? inputBytes(bytesFromParent(port)), summary, (rowsRead) =>
        port.postMessage({ type: 'progress', rowsRead }),
      );
      port.postMessage({ type: 'summary', summary: result });
    } finally {
      await store.close();
    }
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}

/** The bytes of a stream the parent reads, asking for one more chunk for each taken. */
async function* bytesFromParent(p: MessagePort): AsyncIterable<Buffer> {
  type Message = { type: 'bytes'; bytes: Uint8Array } | { type: 'end' } | { type: 'fail'; message: string };
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  p.on('message', (m: Message) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  });
  for (;;) {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    const m = queue.shift()!;
    if (m.type === 'end') return;
    if (m.type === 'fail') throw new Error(m.message);
    p.postMessage({ type: 'more' });
    yield Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  }
}
