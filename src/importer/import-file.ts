// `pulse import KIND FILE`: streams a CSV or JSON Lines file (plain or gzip, UTF-8, UTF-16 or
// Windows-1252) into the store. Every row is validated; a bad row is reported with its physical
// line, field and reason, and every good row lands. The work (run-import.ts) runs on a thread of
// its own for anything but small files, so memory stays bounded (threads.ts).
import type { Readable } from 'node:stream';
import { walCheckpoint } from '../db/bulk.ts';
import { finishImport, startImport } from '../db/imports.ts';
import type { Store } from '../db/store.ts';
import { FILE_KINDS, type FileKind } from './columns.ts';
import type { DateOrder } from './dates.ts';
import type { EncodingName } from './decode.ts';
import type { ImportProblem } from './parse-rows.ts';
import type { ProblemGroup } from './problems.ts';
import { runImport, type RunOptions } from './run-import.ts';
import { fileSize, formatFor, inputBytes } from './source.ts';
import { importOnWorker } from './threads.ts';
import type { TransactionCounts } from './transactions.ts';

export type { ImportProblem } from './parse-rows.ts';
export type { ProblemGroup } from './problems.ts';
export { formatFor } from './source.ts';

export const IMPORT_KINDS: readonly FileKind[] = FILE_KINDS;

export interface ImportSummary {
  kind: FileKind;
  source: string;
  importId: number;
  rowsRead: number;
  /** Rows (for transactions: orders) new, changed, and already as the file says. */
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Rejected rows grouped by reason, the largest group first, each with its first line numbers. */
  rejectedByReason: ProblemGroup[];
  /** The first `maxProblems` rejected rows, in file order. */
  problems: ImportProblem[];
  /** How the file was read: "UTF-8", "Windows-1252 (detected: …)"; the delimiter; how slash dates read. */
  encoding?: string;
  delimiter?: string;
  dateFormat?: string;
  /** Columns read under another name (`InvoiceNo → order_id`). */
  columnsRenamed?: { column: string; as: string }[];
  transactions?: TransactionCounts;
  /** Where every rejected row was written (`--errors`). */
  errorsFile?: string;
  /** Sentences the person importing should read (added by the command line: stale data). */
  warnings: string[];
  /** A problem with the whole file (a missing column, an unreadable file): it stopped there. */
  fatal?: string;
  seconds: number;
  rowsPerSecond: number;
}

export interface ImportOptions {
  kind: FileKind;
  /** A path, or a readable stream (then `source` names it). */
  input: string | Readable;
  source?: string;
  format?: 'csv' | 'jsonl';
  timeZone: string;
  /** When the import happened (for the imports log). */
  now?: () => Date;
  batchSize?: number;
  maxProblems?: number;
  /** Read and check on a thread of its own while the rows are written: default for files over 8 MB. */
  worker?: boolean;
  /** Run the import on a thread of its own (bounded memory): default for SQLite files and inputs over 4 MB or streams. */
  isolate?: boolean;
  encoding?: EncodingName | 'utf16';
  delimiter?: string;
  dateOrder?: DateOrder;
  /** Write every rejected row here (CSV: line, field, reason, record). */
  errorsFile?: string;
  onProgress?: (rowsRead: number) => void;
}

const ISOLATE_MIN_BYTES = 4 << 20;

export async function importFile(store: Store, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const kind = opts.kind;
  const source = opts.source ?? (typeof opts.input === 'string' ? opts.input : 'stdin');
  const run: RunOptions = {
    kind,
    source,
    format: opts.format ?? formatFor(source),
    timeZone: opts.timeZone,
    batchSize: opts.batchSize ?? 16_384,
    maxProblems: opts.maxProblems ?? 1000,
    ...(opts.worker !== undefined ? { parseWorker: opts.worker } : {}),
    ...(opts.encoding ? { encoding: opts.encoding } : {}),
    ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    ...(opts.dateOrder ? { dateOrder: opts.dateOrder } : {}),
    ...(opts.errorsFile ? { errorsFile: opts.errorsFile } : {}),
  };
  const now = opts.now ?? (() => new Date());
  const importId = await startImport(store.db, kind, source, now());
  let summary: ImportSummary = {
    kind,
    source,
    importId,
    rowsRead: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    rejectedByReason: [],
    problems: [],
    warnings: [],
    seconds: 0,
    rowsPerSecond: 0,
  };
  const fileOnDisk = store.sqlite !== undefined && store.location !== ':memory:';
  const isolate = opts.isolate ?? (fileOnDisk && (typeof opts.input !== 'string' || fileSize(opts.input) >= ISOLATE_MIN_BYTES));
  try {
    summary = isolate
      ? await importOnWorker(store.location, run, opts.input, summary, () => walCheckpoint(store), opts.onProgress)
      : await runImport(store, run, typeof opts.input === 'string' ? opts.input : inputBytes(opts.input), summary, opts.onProgress);
  } catch (err) {
    summary.fatal = `the import stopped: ${(err as Error).message}`;
  } finally {
    summary.seconds = (performance.now() - started) / 1000;
    summary.rowsPerSecond = summary.seconds > 0 ? Math.round(summary.rowsRead / summary.seconds) : 0;
    await finishImport(store.db, importId, summary, now());
  }
  return summary;
}
