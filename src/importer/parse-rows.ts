// Reading and validating an import file, batch by batch: the part of an import that needs no
// database, so it can run on a worker thread while the main thread writes the previous batch.
import type { ImportKind, RowValues } from '../db/bulk.ts';
import { CsvReader } from './csv.ts';
import { KNOWN_COLUMNS, REQUIRED_COLUMNS, normalizeHeader, rowValidator, type RawRow } from './rows.ts';

export interface ImportProblem {
  line: number;
  field: string;
  reason: string;
}

export interface ParsedBatch {
  values: RowValues[];
  lines: number[];
  ids: string[];
  /** Rows read (valid or not) since the previous batch. */
  rowsRead: number;
  /** Rows rejected by validation since the previous batch, in file order. */
  problems: ImportProblem[];
}

export interface ParseOptions {
  kind: ImportKind;
  format: 'csv' | 'jsonl';
  timeZone: string;
  batchSize: number;
}

/**
 * Streams `input` through the reader and the row validator; `onBatch` receives every `batchSize`
 * valid rows (and the last, smaller batch) and is awaited, so a slow consumer slows the reader.
 * Returns a file-level problem (a missing column) or undefined.
 */
export async function parseRows(input: AsyncIterable<string>, opts: ParseOptions, onBatch: (b: ParsedBatch) => Promise<void>): Promise<string | undefined> {
  const validate = rowValidator(opts.kind, opts.timeZone);
  let batch: ParsedBatch = { values: [], lines: [], ids: [], rowsRead: 0, problems: [] };
  const flush = async () => {
    if (batch.rowsRead === 0 && batch.problems.length === 0) return;
    const done = batch;
    batch = { values: [], lines: [], ids: [], rowsRead: 0, problems: [] };
    await onBatch(done);
  };
  const reject = (p: ImportProblem) => batch.problems.push(p);
  const accept: Accept = async (raw, extras, line) => {
    batch.rowsRead++;
    const v = validate(raw, extras);
    if (!v.ok) {
      const first = v.problems[0]!;
      reject({ line, field: first.field, reason: v.problems.map((q) => (q.field === first.field ? q.reason : `${q.field} ${q.reason}`)).join('; ') });
      return;
    }
    batch.values.push(v.values);
    batch.lines.push(line);
    batch.ids.push(v.id);
    if (batch.values.length >= opts.batchSize) await flush();
  };
  let fatal: string | undefined;
  // A row the reader itself rejects (too many fields, a quote never closed, bad JSON) was read too.
  const rejectRow = (p: ImportProblem) => {
    batch.rowsRead++;
    reject(p);
  };
  if (opts.format === 'csv') await readCsv(input, opts.kind, accept, rejectRow, (msg) => (fatal = msg));
  else await readJsonLines(input, opts.kind, accept, rejectRow);
  await flush();
  return fatal;
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
        const twice = header.find((h, i) => h !== '' && KNOWN_COLUMNS[kind].includes(h) && header!.indexOf(h) !== i);
        if (twice) {
          fatal(`two columns mean "${twice}" (found: ${r.fields.join(', ')}); keep one`);
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
