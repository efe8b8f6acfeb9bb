// The import's threads. A file is imported on a thread of its own with a fixed heap, so memory
// stays bounded whatever the file holds (this thread's heap has no such limit, and V8 lets garbage
// pile up to hundreds of MB before collecting it); a big file is read and checked on one more
// thread while the import thread writes the previous batch (two cores: parse and SQLite together).
// Both run worker.ts. A stream (stdin) is read here and its bytes passed on.
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { ImportSummary } from './import-file.ts';
import type { FileFacts, ParsedBatch, ParseOptions } from './parse-rows.ts';
import type { RunOptions } from './run-import.ts';

/**
 * Heap limits (MB). The writer holds a batch and, for transactions, a page of staged lines. The
 * reader makes millions of short-lived strings: with a young generation of 24 MB it spent 5 s of
 * 2M rows collecting them, with 48 MB 1.2 s (measured with --trace-gc).
 */
const IMPORT_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };
const PARSE_HEAP = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 48 };
const CHECKPOINT_MS = 200;
/** Chunks of a stream on their way to the import thread at once. */
const STREAM_CREDIT = 4;

function spawn(workerData: unknown, resourceLimits: typeof IMPORT_HEAP): Worker {
  // From the sources the worker needs the TypeScript loader first; from the bundle it is plain JS.
  const entry = import.meta.url.endsWith('.ts') ? new URL('./parse-worker-entry.mjs', import.meta.url) : new URL('./parse-worker.js', import.meta.url);
  return new Worker(entry, { workerData, resourceLimits });
}

type ParseMessage = { type: 'batch'; batch: ParsedBatch } | { type: 'done'; fatal?: string; facts: FileFacts } | { type: 'error'; message: string };

/** Runs parseRows on a worker; at most two parsed batches wait for the writer at any time. */
export function parseOnWorker(path: string, parse: ParseOptions, write: (b: ParsedBatch) => Promise<void>): Promise<{ fatal?: string; facts: FileFacts }> {
  return new Promise((resolve, reject) => {
    const worker = spawn({ role: 'parse', path, parse }, PARSE_HEAP);
    let chain = Promise.resolve();
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(err);
    };
    worker.on('message', (m: ParseMessage) => {
      if (m.type === 'batch') {
        chain = chain.then(() => write(m.batch)).then(() => worker.postMessage('ack'), fail);
      } else if (m.type === 'done') {
        chain.then(() => {
          settled = true;
          void worker.terminate();
          resolve(m.fatal ? { fatal: m.fatal, facts: m.facts } : { facts: m.facts });
        }, fail);
      } else fail(new Error(m.message));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!settled && code !== 0) fail(new Error(`the import's reader stopped (exit code ${code})`));
    });
  });
}

type ImportMessage =
  { type: 'progress'; rowsRead: number } | { type: 'more' } | { type: 'summary'; summary: ImportSummary } | { type: 'error'; message: string };

/**
 * Runs runImport on a worker with its own connection to the SQLite file at `location`. This thread,
 * idle meanwhile, copies the write-ahead log back into the database every CHECKPOINT_MS (`checkpoint`).
 */
export function importOnWorker(
  location: string,
  opts: RunOptions,
  input: string | Readable,
  summary: ImportSummary,
  checkpoint: () => void,
  onProgress?: (rowsRead: number) => void,
): Promise<ImportSummary> {
  return new Promise((resolve, reject) => {
    const worker = spawn(
      { role: 'import', location, opts: { ...opts, checkpointElsewhere: true }, input: typeof input === 'string' ? input : null, summary },
      IMPORT_HEAP,
    );
    const checkpoints = setInterval(checkpoint, CHECKPOINT_MS);
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearInterval(checkpoints);
      void worker.terminate();
      reject(err);
    };
    // A stream is read here, a few chunks ahead of the import thread.
    const chunks = typeof input === 'string' ? undefined : (input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>);
    let credit = STREAM_CREDIT;
    let pumping = false;
    const pump = async () => {
      if (!chunks || pumping) return;
      pumping = true;
      try {
        while (credit > 0) {
          const r = await chunks.next();
          if (r.done) {
            worker.postMessage({ type: 'end' });
            return;
          }
          // A copy: stream buffers can be views of a shared pool, which a transfer would take away.
          const bytes = typeof r.value === 'string' ? Buffer.from(r.value) : Uint8Array.prototype.slice.call(r.value);
          credit--;
          worker.postMessage({ type: 'bytes', bytes }, [bytes.buffer as ArrayBuffer]);
        }
      } catch (err) {
        worker.postMessage({ type: 'fail', message: (err as Error).message });
      } finally {
        pumping = false;
      }
    };
    worker.on('message', (m: ImportMessage) => {
      if (m.type === 'progress') onProgress?.(m.rowsRead);
      else if (m.type === 'more') {
        credit++;
        void pump();
      } else if (m.type === 'summary') {
        settled = true;
        clearInterval(checkpoints);
        void worker.terminate();
        resolve(m.summary);
      } else fail(new Error(m.message));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!settled) fail(new Error(`the import thread stopped (exit code ${code})`));
    });
    void pump();
  });
}
