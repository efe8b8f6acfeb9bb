// `pulse import KIND FILE`: streams a CSV or JSON Lines file into the store. Every row is validated;
// a bad row is reported with its physical line, field and reason, and every good row lands.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createBulkWriter, type ImportKind, type Outcome, type RowValues } from '../db/bulk.ts';
import { finishImport, startImport } from '../db/imports.ts';
import type { Store } from '../db/store.ts';
import { CsvReader } from './csv.ts';
import { KNOWN_COLUMNS, REQUIRED_COLUMNS, normalizeHeader, rowValidator, type RawRow } from './rows.ts';

export const IMPORT_KINDS: readonly ImportKind[] = ['customers', 'orders', 'order-items', 'feedback'];

export interface ImportProblem {
  line: number;
  field: string;
  reason: string;
}

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
  onProgress?: (rowsRead: number) => void;
}

export function formatFor(path: string): 'csv' | 'jsonl' {
  return /\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv';
}

export async function importFile(store: Store, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const source = opts.source ?? (typeof opts.input === 'string' ? opts.input : 'stdin');
  const format = opts.format ?? formatFor(source);
  const maxProblems = opts.maxProblems ?? 1000;
  const batchSize = opts.batchSize ?? 50_000;
  const stream = typeof opts.input === 'string' ? createReadStream(opts.input, { encoding: 'utf8', highWaterMark: 1 << 20 }) : opts.input.setEncoding('utf8');

  const now = opts.now ?? (() => new Date());
  const importId = await startImport(store.db, opts.kind, source, now());
  const writer = createBulkWriter(store, opts.kind, importId);
  const validate = rowValidator(opts.kind, opts.timeZone);
  const summary: ImportSummary = { kind: opts.kind, source, importId, rowsRead: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, problems: [], seconds: 0, rowsPerSecond: 0 };
  const reject = (p: ImportProblem) => {
    summary.rejected++;
    if (summary.problems.length < maxProblems) summary.problems.push(p);
  };

  const idField = opts.kind === 'order-items' ? 'order_id' : opts.kind === 'feedback' ? 'feedback_id' : REQUIRED_COLUMNS[opts.kind][0]!;
  let pendingValues: RowValues[] = [];
  let pendingLines: number[] = [];
  let pendingIds: string[] = [];
  const flush = async () => {
    if (pendingValues.length === 0) return;
    const outcomes = await writer.write(pendingValues, pendingLines);
    outcomes.forEach((o, i) => count(o, pendingLines[i]!, pendingIds[i]!));
    pendingValues = [];
    pendingLines = [];
    pendingIds = [];
    opts.onProgress?.(summary.rowsRead);
  };
  const count = (o: Outcome, line: number, id: string) => {
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
        reject({ line, field: idField, reason: `"${id}" appears again with different values${o.firstLine ? ` (first on line ${o.firstLine})` : ''}; the first stands` });
        return;
      case 'missing-parent':
        reject(o.parent === 'customer'
          ? { line, field: 'customer_id', reason: `unknown customer "${pendingCustomer(id, line)}"; import it in the customers file first` }
          : { line, field: 'order_id', reason: `unknown order "${id.split('/')[0]}"; import its order first` });
        return;
    }
  };
  // The customer id of a row waiting in the batch (for the "unknown customer" message).
  const customerIdx = opts.kind === 'order-items' ? -1 : 1;
  const pendingCustomer = (_id: string, line: number) => {
    const i = pendingLines.indexOf(line);
    return i >= 0 && customerIdx >= 0 ? String(pendingValues[i]![customerIdx]) : _id;
  };

  const accept = async (raw: RawRow, extras: Record<string, string> | null, line: number) => {
    summary.rowsRead++;
    const v = validate(raw, extras);
    if (!v.ok) {
      for (const p of v.problems.slice(0, 1)) reject({ line, field: p.field, reason: v.problems.map((q) => (q.field === p.field ? q.reason : `${q.field} ${q.reason}`)).join('; ') });
      return;
    }
    pendingValues.push(v.values);
    pendingLines.push(line);
    pendingIds.push(v.id);
    if (pendingValues.length >= batchSize) await flush();
  };

  try {
    if (format === 'csv') await readCsv(stream, opts.kind, accept, reject, (msg) => (summary.fatal = msg));
    else await readJsonLines(stream, opts.kind, accept, reject);
    await flush();
    summary.problems.sort((a, b) => a.line - b.line);
  } finally {
    summary.seconds = (performance.now() - started) / 1000;
    summary.rowsPerSecond = summary.seconds > 0 ? Math.round(summary.rowsRead / summary.seconds) : 0;
    await finishImport(store.db, importId, summary, now());
  }
  return summary;
}

type Accept = (raw: RawRow, extras: Record<string, string> | null, line: number) => Promise<void>;

async function readCsv(stream: AsyncIterable<string>, kind: ImportKind, accept: Accept, reject: (p: ImportProblem) => void, fatal: (msg: string) => void): Promise<void> {
  const reader = new CsvReader();
  let header: string[] | undefined;
  let known: boolean[] = [];
  let queue: { fields: string[]; line: number }[] = [];
  const onRecord = (r: { fields: string[]; line: number }) => queue.push(r);
  const drain = async (): Promise<boolean> => {
    const records = queue;
    queue = [];
    for (const r of records) {
      if (!header) {
        header = r.fields.map((h) => normalizeHeader(h, kind));
        const missing = REQUIRED_COLUMNS[kind].filter((c) => !header!.includes(c));
        if (missing.length > 0) {
          fatal(`the header has no ${missing.map((m) => `"${m}"`).join(', ')} column (found: ${r.fields.join(', ')}); a ${kind} file needs ${KNOWN_COLUMNS[kind].join(',')}`);
          return false;
        }
        known = header.map((h) => KNOWN_COLUMNS[kind].includes(h));
        continue;
      }
      if (r.fields.length > header.length && r.fields.slice(header.length).some((f) => f.trim() !== '')) {
        reject({ line: r.line, field: 'row', reason: `has ${r.fields.length} fields but the header has ${header.length} (an unquoted comma?)` });
        continue;
      }
      const raw: RawRow = {};
      let extras: Record<string, string> | null = null;
      for (let i = 0; i < header.length; i++) {
        const v = r.fields[i];
        if (known[i]) raw[header[i]!] = v;
        else if (v !== undefined && v !== '' && header[i]) (extras ??= {})[header[i]!] = v;
      }
      await accept(raw, extras, r.line);
    }
    return true;
  };
  for await (const chunk of stream) {
    reader.push(chunk, onRecord);
    if (!(await drain())) return;
  }
  reader.end(onRecord, (p) => reject({ line: p.line, field: 'row', reason: p.reason }));
  if (!(await drain())) return;
  if (!header) fatal('the file is empty: a header row is needed');
}

async function readJsonLines(stream: AsyncIterable<string>, kind: ImportKind, accept: Accept, reject: (p: ImportProblem) => void): Promise<void> {
  let rest = '';
  let line = 0;
  let first = true;
  const handle = async (text: string) => {
    line++;
    const t = text.trim();
    if (t === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch (err) {
      reject({ line, field: 'row', reason: `not valid JSON (${(err as Error).message})` });
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      reject({ line, field: 'row', reason: 'each line must be one JSON object' });
      return;
    }
    const raw: RawRow = {};
    let extras: Record<string, string> | null = null;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const key = normalizeHeader(k, kind);
      const value = v === null || v === undefined ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (KNOWN_COLUMNS[kind].includes(key)) raw[key] = value;
      else if (value !== undefined) (extras ??= {})[key] = value;
    }
    await accept(raw, extras, line);
  };
  for await (const chunk of stream) {
    let data = rest + chunk;
    if (first) {
      first = false;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    let start = 0;
    for (let nl = data.indexOf('\n', start); nl !== -1; nl = data.indexOf('\n', start)) {
      await handle(data.slice(start, nl));
      start = nl + 1;
    }
    rest = data.slice(start);
  }
  if (rest.trim() !== '') await handle(rest);
}
