// `pulse import KIND FILE`: streams a CSV or JSON Lines file into the store. Every row is validated;
// a bad row is reported with its physical line, field and reason, and every good row lands.
// For files on disk, reading and validation run on a worker thread while this thread writes the
// previous batch (two cores: parse and SQLite in parallel); streams are parsed inline.
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createBulkWriter, type ImportKind, type Outcome } from '../db/bulk.ts';
import { finishImport, startImport } from '../db/imports.ts';
import { setMetaOnce } from '../db/meta.ts';
import type { Store } from '../db/store.ts';
import { parseRows, type ImportProblem, type ParsedBatch, type ParseOptions } from './parse-rows.ts';
import { REQUIRED_COLUMNS } from './rows.ts';

export type { ImportProblem } from './parse-rows.ts';

export const IMPORT_KINDS: readonly ImportKind[] = ['customers', 'orders', 'order-items', 'feedback'];

export interface ImportSummary {
  kind: ImportKind;
  source: string;
  importId: number;
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first `maxProblems` rejected rows, in file order. */
  problems: ImportProblem[];
  /** A problem with the whole file (a missing column): nothing was imported. */
  fatal?: string;
  seconds: number;
  rowsPerSecond: number;
}

export interface ImportOptions {
  kind: ImportKind;
  /** A path, or a readable stream (then `source` names it). */
  input: string | Readable;
  source?: string;
  format?: 'csv' | 'jsonl';
  timeZone: string;
  /** When the import happened (for the imports log). */
  now?: () => Date;
  batchSize?: number;
  maxProblems?: number;
  /** Parse on a worker thread: default for files over 8 MB. */
  worker?: boolean;
  onProgress?: (rowsRead: number) => void;
}

export function formatFor(path: string): 'csv' | 'jsonl' {
  return /\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv';
}

const WORKER_MIN_BYTES = 8 << 20;

export async function importFile(store: Store, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const source = opts.source ?? (typeof opts.input === 'string' ? opts.input : 'stdin');
  const parse: ParseOptions = { kind: opts.kind, format: opts.format ?? formatFor(source), timeZone: opts.timeZone, batchSize: opts.batchSize ?? 50_000 };
  const maxProblems = opts.maxProblems ?? 1000;
  const now = opts.now ?? (() => new Date());
  const importId = await startImport(store.db, opts.kind, source, now());
  const writer = createBulkWriter(store, opts.kind, importId);
  const summary: ImportSummary = { kind: opts.kind, source, importId, rowsRead: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, problems: [], seconds: 0, rowsPerSecond: 0 };
  // A batch's problems (from validation, then from writing) are collected, put in line order and
  // only then kept, so the report really is the first `maxProblems` rejected rows of the file.
  let batchProblems: ImportProblem[] = [];
  const reject = (p: ImportProblem) => batchProblems.push(p);
  const keepProblems = () => {
    batchProblems.sort((a, b) => a.line - b.line);
    for (const p of batchProblems) {
      summary.rejected++;
      if (summary.problems.length < maxProblems) summary.problems.push(p);
    }
    batchProblems = [];
  };
  const idField = opts.kind === 'order-items' ? 'order_id' : opts.kind === 'feedback' ? 'feedback_id' : REQUIRED_COLUMNS[opts.kind][0]!;
  // The customer (or order) a row refers to, for the "unknown …" message.
  const parentIdx = opts.kind === 'order-items' || opts.kind === 'customers' ? 0 : 1;

  const write = async (b: ParsedBatch) => {
    summary.rowsRead += b.rowsRead;
    for (const p of b.problems) reject(p);
    if (b.values.length > 0) {
      const outcomes = await writer.write(b.values, b.lines);
      outcomes.forEach((o, i) => count(o, b, i));
    }
    keepProblems();
    opts.onProgress?.(summary.rowsRead);
  };
  const count = (o: Outcome, b: ParsedBatch, i: number) => {
    const line = b.lines[i]!;
    switch (o.kind) {
      case 'inserted':
        summary.inserted++;
        return;
      case 'updated':
        summary.updated++;
        return;
      case 'unchanged':
        summary.unchanged++;
        return;
      case 'conflict':
        reject({ line, field: idField, reason: `"${b.ids[i]}" appears again with different values${o.firstLine ? ` (first on line ${o.firstLine})` : ''}; the first stands` });
        return;
      case 'missing-parent': {
        const parent = String(b.values[i]![parentIdx]);
        reject(o.parent === 'customer'
          ? { line, field: 'customer_id', reason: `unknown customer "${parent}"; import it in the customers file first` }
          : { line, field: 'order_id', reason: `unknown order "${parent}"; import its order first` });
        return;
      }
    }
  };

  try {
    // Stored days are calendar days in one zone: a second zone would split or merge purchase days.
    const dayZone = await setMetaOnce(store.db, 'day_zone', opts.timeZone);
    if (dayZone !== opts.timeZone) {
      summary.fatal = `the days in this store are calendar days in ${dayZone}, but PULSE_TIMEZONE is ${opts.timeZone}; set PULSE_TIMEZONE=${dayZone} (or import into a new store)`;
      return summary;
    }
    const onDisk = typeof opts.input === 'string';
    let size = 0;
    if (onDisk) {
      try {
        const st = statSync(opts.input as string);
        if (!st.isFile()) throw new Error('not a file');
        size = st.size;
      } catch (err) {
        summary.fatal = `cannot read ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`;
        return summary;
      }
    }
    const useWorker = opts.worker ?? (onDisk && size >= WORKER_MIN_BYTES);
    if (useWorker && onDisk) {
      const fatal = await parseOnWorker(opts.input as string, parse, write);
      if (fatal) summary.fatal = fatal;
    } else {
      const stream = onDisk ? createReadStream(opts.input as string, { encoding: 'utf8', highWaterMark: 1 << 20 }) : (opts.input as Readable).setEncoding('utf8');
      const fatal = await parseRows(stream, parse, write);
      if (fatal) summary.fatal = fatal;
    }
    keepProblems();
    summary.problems.sort((a, b) => a.line - b.line);
  } finally {
    summary.seconds = (performance.now() - started) / 1000;
    summary.rowsPerSecond = summary.seconds > 0 ? Math.round(summary.rowsRead / summary.seconds) : 0;
    await finishImport(store.db, importId, summary, now());
  }
  return summary;
}

/** Runs parseRows on a worker; at most two parsed batches wait for the writer at any time. */
function parseOnWorker(path: string, parse: ParseOptions, write: (b: ParsedBatch) => Promise<void>): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    // From the sources the worker needs the TypeScript loader first; from the bundle it is plain JS.
    const entry = import.meta.url.endsWith('.ts') ? new URL('./parse-worker-entry.mjs', import.meta.url) : new URL('./parse-worker.js', import.meta.url);
    const worker = new Worker(entry, { workerData: { path, parse } });
    let chain = Promise.resolve();
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(err);
    };
    worker.on('message', (m: { type: 'batch'; batch: ParsedBatch } | { type: 'done'; fatal?: string } | { type: 'error'; message: string }) => {
      if (m.type === 'batch') {
        chain = chain.then(() => write(m.batch)).then(() => worker.postMessage('ack'), fail);
      } else if (m.type === 'done') {
        chain.then(() => {
          settled = true;
          void worker.terminate();
          resolve(m.fatal);
        }, fail);
      } else fail(new Error(m.message));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!settled && code !== 0) fail(new Error(`import worker exited with code ${code}`));
    });
  });
}
