// The work of one import, wherever it runs (on its own thread for files, see import-file.ts):
// read and check the rows (parse-rows.ts, on a further thread for big files), write them through
// the bulk upsert, collect what was refused, and for transactions aggregate the staged lines.
import { letWaitingWritersIn } from '../db/writer-waiting.ts';
import { createBulkWriter, importSettings, TABLES, walCheckpoint, type Outcome, type RowSource, type Value } from '../db/bulk.ts';
import { noteOrderDay } from '../db/imports.ts';
import { setMetaOnce } from '../db/meta.ts';
import type { Store } from '../db/store.ts';
import { createLineStage, type LineStage } from '../db/transaction-lines.ts';
import type { FileKind } from './columns.ts';
import type { DateOrder } from './dates.ts';
import type { EncodingName } from './decode.ts';
import { packedSource, type PackedRows } from './packed-rows.ts';
import { parseRows, type FileFacts, type ImportProblem, type ParsedBatch, type ParseOptions } from './parse-rows.ts';
import { ProblemLog } from './problems.ts';
import { checkFile, fileBytes, fileSize } from './source.ts';
import { parseOnWorker } from './threads.ts';
import type { ImportSummary } from './import-file.ts';
import { writeTransactions } from './transactions.ts';

/** What an import needs, as plain data (it crosses to a worker thread). */
export interface RunOptions {
  kind: FileKind;
  source: string;
  format: 'csv' | 'jsonl';
  timeZone: string;
  batchSize: number;
  maxProblems: number;
  /** Parse on a further thread; undefined: for files over 8 MB (gzip: 1.5 MB). */
  parseWorker?: boolean;
  encoding?: EncodingName | 'utf16';
  delimiter?: string;
  dateOrder?: DateOrder;
  errorsFile?: string;
  /** The thread that started this import checkpoints the store's log meanwhile (threads.ts). */
  checkpointElsewhere?: boolean;
}

const PARSE_WORKER_MIN_BYTES = 8 << 20;
const WRAP_EVERY_BATCHES = 8;

/** `input` is a file path or the file's bytes; `summary` comes filled with the import's identity. */
export async function runImport(
  store: Store,
  opts: RunOptions,
  input: string | AsyncIterable<Buffer>,
  summary: ImportSummary,
  onProgress?: (rowsRead: number) => void,
): Promise<ImportSummary> {
  const kind = opts.kind;
  const importId = summary.importId;
  const parse: ParseOptions = {
    kind,
    format: opts.format,
    timeZone: opts.timeZone,
    batchSize: opts.batchSize,
    keepRaw: opts.errorsFile !== undefined,
    ...(opts.encoding ? { encoding: opts.encoding } : {}),
    ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    ...(opts.dateOrder ? { dateOrder: opts.dateOrder } : {}),
  };
  let log: ProblemLog | undefined;
  let stage: LineStage | undefined;
  // The store's usual page cache is for the bot's reads; an import in file order needs few pages.
  const restoreSettings = importSettings(store, kind === 'transactions' ? 'orders' : kind, opts.checkpointElsewhere ?? false);
  try {
    try {
      log = new ProblemLog(opts.maxProblems, opts.errorsFile);
      if (opts.errorsFile) summary.errorsFile = opts.errorsFile;
    } catch (err) {
      summary.fatal = `cannot write the errors file ${opts.errorsFile}: ${(err as Error).message}`;
      return summary;
    }
    // Stored days are calendar days in one zone: a second zone would split or merge purchase days.
    const dayZone = await setMetaOnce(store.db, 'day_zone', opts.timeZone);
    if (dayZone !== opts.timeZone) {
      summary.fatal =
        `the days in this store are calendar days in ${dayZone}, but PULSE_TIMEZONE is ${opts.timeZone}; ` +
        `set PULSE_TIMEZONE=${dayZone} (or import into a new store)`;
      return summary;
    }
    const path = typeof input === 'string' ? input : undefined;
    if (path !== undefined) {
      const bad = checkFile(path);
      if (bad) {
        summary.fatal = `cannot read ${opts.source}: ${bad}`;
        return summary;
      }
    }
    if (kind === 'transactions') stage = await createLineStage(store, importId);
    const writer = kind === 'transactions' ? undefined : createBulkWriter(store, kind, importId);
    const problemLog = log;
    let batches = 0;
    const write = async (b: ParsedBatch) => {
      // The other thread copies the log back; now and then this one finishes the copy, so that its
      // next transaction can start the log over instead of growing it for the whole import.
      if (opts.checkpointElsewhere && ++batches % WRAP_EVERY_BATCHES === 0) walCheckpoint(store);
      summary.rowsRead += b.rowsRead;
      const problems = b.problems;
      if (b.rows.count > 0) {
        const rows = packedSource(b.rows);
        if (stage) {
          for (const r of await stage.add(rows, b.rows.raw)) {
            const p: ImportProblem = { line: rows.line(r.index), field: r.column, code: 'refused', reason: r.reason };
            const raw = b.rows.raw?.[r.index];
            if (raw !== undefined) p.raw = raw;
            problems.push(p);
          }
        }
        else {
          const outcomes = await writer!.write(rows);
          for (let i = 0; i < outcomes.length; i++) {
            const o = outcomes[i]!;
            if (o.kind === 'inserted') summary.inserted++;
            else if (o.kind === 'updated') summary.updated++;
            else if (o.kind === 'unchanged') summary.unchanged++;
            else problems.push(writeProblem(kind, o, rows, b.rows, i));
          }
        }
      }
      problemLog.addAll(problems);
      onProgress?.(summary.rowsRead);
      // Between batches: a /feedback waiting for the write lock goes first (writer-waiting.ts).
      if (store.sqlite) await letWaitingWritersIn(store.location);
    };
    let result: { fatal?: string; facts: FileFacts };
    try {
      // Customers are written far slower than they are read (each adds words to the search index):
      // a reader of their own would gain nothing and cost its memory.
      const onThread = path !== undefined && (opts.parseWorker ?? (kind !== 'customers' && fileSize(path) >= PARSE_WORKER_MIN_BYTES));
      result = onThread
        ? await parseOnWorker(path!, parse, write)
        : await parseRows(path !== undefined ? fileBytes(path) : (input as AsyncIterable<Buffer>), parse, write);
    } catch (err) {
      const written = summary.inserted + summary.updated + summary.unchanged;
      const after = summary.rowsRead.toLocaleString('en-US');
      const kept = written > 0 ? ' (the rows before it were imported)' : '';
      summary.fatal = `reading ${opts.source} stopped after ${after} rows: ${(err as Error).message}${kept}`;
      return summary;
    }
    const f = result.facts;
    if (f.newestOrderDay !== undefined) await noteOrderDay(store.db, f.newestOrderDay);
    summary.encoding = f.encoding;
    if (f.delimiter) summary.delimiter = f.delimiter;
    if (f.dateFormat) summary.dateFormat = f.dateFormat;
    if (f.renamed) summary.columnsRenamed = f.renamed;
    if (result.fatal) {
      summary.fatal = result.fatal;
      return summary;
    }
    if (stage) {
      const later: ImportProblem[] = [];
      const t = await writeTransactions(store, importId, stage, (p) => later.push(p));
      problemLog.addAll(later);
      summary.transactions = t;
      summary.inserted = t.orders.inserted;
      summary.updated = t.orders.updated;
      summary.unchanged = t.orders.unchanged;
    }
    return summary;
  } finally {
    restoreSettings();
    await stage?.drop();
    log?.close();
    if (log) {
      summary.rejected = log.rejected;
      summary.problems = log.listed;
      summary.rejectedByReason = log.groups();
    }
  }
}

/** A row the store refused: the same id again with other values, a customer (order) it does not know, or a value the database cannot hold. */
function writeProblem(kind: FileKind, o: Outcome, rows: RowSource, packed: PackedRows, i: number): ImportProblem {
  const spec = TABLES[kind as Exclude<FileKind, 'transactions'>];
  const values: Value[] = new Array(spec.columns.length).fill(null);
  rows.read(i, values);
  const line = rows.line(i);
  let p: ImportProblem;
  if (o.kind === 'conflict') {
    const id = spec.keyIndex.map((k) => values[k]).join('/');
    const field = kind === 'order-items' ? 'order_id' : spec.key[0]!;
    p = {
      line,
      field,
      code: 'conflict',
      reason: `"${id}" appears again with different values${o.firstLine ? ` (first on line ${o.firstLine})` : ''}; the first stands`,
    };
  } else if (o.kind === 'missing-parent' && o.parent === 'customer') {
    p = {
      line,
      field: 'customer_id',
      code: 'unknown-customer',
      reason: `unknown customer "${values[spec.columns.indexOf('customer_id')]}"; import it in the customers file first`,
    };
  } else if (o.kind === 'refused') {
    p = { line, field: o.column ?? 'row', code: 'refused', reason: o.reason };
  } else {
    p = { line, field: 'order_id', code: 'unknown-order', reason: `unknown order "${values[0]}"; import its order first` };
  }
  const raw = packed.raw?.[i];
  if (raw !== undefined) p.raw = raw;
  return p;
}
