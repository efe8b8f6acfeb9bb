// Reading and validating an import file, batch by batch: the part of an import that needs no
// database, so it can run on a worker thread while the main thread writes the previous batch.
// Bytes → text (decode.ts) → records (csv.ts, jsonl.ts) → checked rows (rows.ts) → packed batches.
import { COLUMNS, mapColumns, mapHeader, type FileKind, type HeaderMap } from './columns.ts';
import { CsvReader, MAX_RECORD_CHARS, type CsvProblem, type CsvRecord } from './csv.ts';
import { addEvidence, inferDateOrder, newEvidence, type DateOrder } from './dates.ts';
import { ImportDecoder, type EncodingName } from './decode.ts';
import { JsonArrayError, JsonLinesReader, type JsonLine, type JsonLineProblem } from './jsonl.ts';
import { PackedRowsBuilder, type PackedRows } from './packed-rows.ts';
import { LAYOUTS, rowCheck, type Extras, type RowCheck, type RowProblem } from './rows.ts';

export interface ImportProblem {
  line: number;
  field: string;
  /** Stable: what the summary groups rejected rows by (`missing`, `not-a-date`, `unknown-customer`…). */
  code: string;
  reason: string;
  /** The record as the file wrote it, when an errors file was asked for. */
  raw?: string;
}

export interface ParsedBatch {
  rows: PackedRows;
  /** Rows read (valid or not) since the previous batch. */
  rowsRead: number;
  /** Rows rejected while reading since the previous batch, in file order. */
  problems: ImportProblem[];
}

export interface ParseOptions {
  kind: FileKind;
  format: 'csv' | 'jsonl';
  timeZone: string;
  batchSize: number;
  encoding?: EncodingName | 'utf16';
  delimiter?: string;
  dateOrder?: DateOrder;
  /** Keep each record's text, for the errors file. */
  keepRaw?: boolean;
  maxRecordChars?: number;
}

/** What the reader found out about the file, for the summary. */
export interface FileFacts {
  encoding: string;
  /** The newest order day among the rows read (orders, transactions). */
  newestOrderDay?: number;
  delimiter?: string;
  dateFormat?: string;
  renamed?: { column: string; as: string }[];
}

/** Slash dates are read the one way the first rows allow; these many rows (or 8 Mi characters of them) decide. */
export const DATE_SAMPLE_ROWS = 10_000;
const DATE_SAMPLE_CHARS = 8 << 20;
const DATE_COLUMN: Partial<Record<FileKind, number>> = { customers: 5, orders: 2, feedback: 6, transactions: 2 };

/**
 * Streams the file's bytes through decoding, the reader and the row checks; `onBatch` receives
 * every `batchSize` valid rows (and the last, smaller batch) and is awaited, so a slow consumer
 * slows the reader. Returns a file-level problem (a missing column, an ambiguous date) if any.
 */
export async function parseRows(
  input: AsyncIterable<Buffer>,
  opts: ParseOptions,
  onBatch: (b: ParsedBatch) => Promise<void>,
): Promise<{ fatal?: string; facts: FileFacts }> {
  const decoder = new ImportDecoder(opts.encoding);
  const keepRaw = opts.keepRaw ?? false;
  const layout = LAYOUTS[opts.kind];
  let builder = new PackedRowsBuilder(layout, opts.batchSize, keepRaw);
  let rowsRead = 0;
  let problems: ImportProblem[] = [];
  // Rows are checked as the reader finds them (holding a chunk's worth of records first would keep
  // them alive long enough to cost a major collection); full batches wait here for `onBatch`.
  let ready: ParsedBatch[] = [];
  const facts: FileFacts = { encoding: '' };
  const cut = () => {
    if (rowsRead === 0 && problems.length === 0 && builder.count === 0) return;
    ready.push({ rows: builder.finish(), rowsRead, problems });
    builder = new PackedRowsBuilder(layout, opts.batchSize, keepRaw);
    rowsRead = 0;
    problems = [];
  };
  const deliver = async () => {
    const batches = ready;
    ready = [];
    for (const b of batches) await onBatch(b);
  };
  const reject = (p: ImportProblem) => {
    rowsRead++;
    problems.push(p);
    // A file of bad rows must not pile them up either.
    if (problems.length >= opts.batchSize) cut();
  };
  const rejectRow = (line: number, list: RowProblem[], raw: string | undefined) => {
    const first = list[0]!;
    const reason = list.map((q) => (q.field === first.field ? q.reason : `${q.field} ${q.reason}`)).join('; ');
    reject(raw === undefined ? { line, field: first.field, code: first.code, reason } : { line, field: first.field, code: first.code, reason, raw });
  };
  const accept: Accept = (check, cells, extras, line, raw) => {
    const bad = check(cells, extras, line, raw, builder);
    if (bad) rejectRow(line, bad, raw);
    else rowsRead++;
    if (builder.full) cut();
  };

  let fatal: string | undefined;
  try {
    if (opts.format === 'csv') fatal = await readCsv(input, decoder, opts, accept, reject, facts, deliver);
    else await readJsonLines(input, decoder, opts, accept, reject, facts, deliver);
  } catch (err) {
    if (!(err instanceof JsonArrayError)) throw err;
    fatal = err.message;
  }
  facts.encoding = decoder.description;
  if (!fatal) {
    cut();
    await deliver();
  }
  return fatal ? { fatal, facts } : { facts };
}

type Accept = (check: RowCheck, cells: (string | undefined)[], extras: Extras, line: number, raw: string | undefined) => void;

async function* decoded(input: AsyncIterable<Buffer>, decoder: ImportDecoder): AsyncIterable<{ text: string; suspect: boolean }> {
  for await (const bytes of input) {
    const d = decoder.write(bytes);
    if (d.text.length > 0) yield d;
  }
  const d = decoder.end();
  if (d.text.length > 0) yield d;
}

const badTextReason = (encoding: string) =>
  encoding.startsWith('UTF-8')
    ? 'holds bytes that are not UTF-8 (or a U+FFFD left by an earlier conversion); nothing was stored. ' +
      'If the file comes from Excel on Windows, use --encoding cp1252'
    : encoding.startsWith('Windows-1252')
      ? 'holds a byte that is no character in Windows-1252 (0x81, 0x8D, 0x8F, 0x90 or 0x9D); nothing was stored. ' +
        'Is the file in another encoding? Use --encoding'
      : 'holds a broken UTF-16 character (an unpaired surrogate); nothing was stored';

async function readCsv(
  input: AsyncIterable<Buffer>,
  decoder: ImportDecoder,
  opts: ParseOptions,
  accept: Accept,
  reject: (p: ImportProblem) => void,
  facts: FileFacts,
  deliver: () => Promise<void>,
): Promise<string | undefined> {
  const kind = opts.kind;
  const max = opts.maxRecordChars ?? MAX_RECORD_CHARS;
  const reader = new CsvReader({ ...(opts.delimiter ? { delimiter: opts.delimiter } : {}), maxRecordChars: max, keepRaw: opts.keepRaw ?? false });
  let header: HeaderMap | undefined;
  let headerFields: string[] = [];
  let check: RowCheck | undefined;
  let fatal: string | undefined;
  // Canonical column → field index (−1: not in the file); extra columns and their attribute keys.
  let index: number[] = [];
  let extraAt: number[] = [];
  let extraKey: string[] = [];
  // Rows held until the slash-date reading is known (only while it is not).
  let sample: CsvRecord[] | undefined;
  let sampleChars = 0;
  let dateOrder = opts.dateOrder;
  const dateColumn = DATE_COLUMN[kind];
  const evidence = newEvidence();

  const isProblem = (x: CsvRecord | CsvProblem): x is CsvProblem => (x as CsvProblem).code !== undefined;

  const begin = (r: CsvRecord): void => {
    const h = mapHeader(kind, r.fields);
    if ('problem' in h) {
      fatal = h.problem;
      return;
    }
    header = h;
    headerFields = r.fields;
    facts.delimiter = reader.delimiter;
    if (h.renamed.length > 0) facts.renamed = h.renamed;
    const cols = columnsFor(kind);
    index = cols.map((c) => h.columns.indexOf(c));
    extraAt = [];
    extraKey = [];
    h.columns.forEach((c, i) => {
      if (!c && h.names[i]) {
        extraAt.push(i);
        extraKey.push(h.names[i]!);
      }
    });
    if (dateOrder === undefined && dateColumn !== undefined && index[dateColumn]! >= 0) sample = [];
    else start();
  };
  const start = () => {
    check = rowCheck({
      kind,
      timeZone: opts.timeZone,
      dateOrder,
      decimalComma: reader.delimiter === ';',
      customerIsEmail: header!.customerIsEmail,
      stats: facts,
    });
    if (dateOrder) facts.dateFormat = `${dateOrder}${opts.dateOrder ? '' : ' (read from the dates)'}`;
  };
  const row = (r: CsvRecord) => {
    const f = r.fields;
    if (r.badText) {
      const at = f.findIndex((x) => x.includes('\uFFFD'));
      const field = header!.columns[at] ?? headerFields[at] ?? 'row';
      reject(withRaw({ line: r.line, field, code: 'bad-encoding', reason: badTextReason(decoder.description) }, r.raw));
      return;
    }
    if (f.length > headerFields.length && f.slice(headerFields.length).some((x) => x.trim() !== '')) {
      const inside = describeDelimiter(reader.delimiter);
      const reason = `has ${f.length} fields but the header has ${headerFields.length} (a ${inside} inside a value that is not quoted?)`;
      reject(withRaw({ line: r.line, field: 'row', code: 'too-many-fields', reason }, r.raw));
      return;
    }
    // A short row (trailing cells left out) reads as empty cells.
    const cells: (string | undefined)[] = new Array(index.length);
    for (let c = 0; c < index.length; c++) {
      const i = index[c]!;
      cells[c] = i < 0 ? undefined : (f[i] ?? '');
    }
    let extras: Extras = null;
    if (extraAt.length > 0) {
      extras = {};
      for (let e = 0; e < extraAt.length; e++) {
        const v = f[extraAt[e]!];
        extras[extraKey[e]!] = v === undefined || v.trim() === '' ? null : v;
      }
    }
    accept(check!, cells, extras, r.line, r.raw);
  };
  const decide = () => {
    const held = sample!;
    sample = undefined;
    const d = inferDateOrder(evidence, held.length);
    if (d.problem) {
      fatal = d.problem;
      return;
    }
    dateOrder = d.order;
    start();
    for (const r of held) row(r);
  };
  // Called by the reader for each record or problem, in file order; `fatal` stops the reading.
  const take = (x: CsvRecord | CsvProblem) => {
    if (fatal) return;
    if (!header) {
      if (isProblem(x)) fatal = x.line === 1 ? `the header line cannot be read: ${x.reason}` : x.reason;
      else begin(x);
      return;
    }
    if (isProblem(x)) {
      reject(withRaw({ line: x.line, field: 'row', code: x.code, reason: x.reason }, x.raw));
      return;
    }
    if (sample) {
      sample.push(x);
      sampleChars += x.raw?.length ?? x.fields.reduce((a, s) => a + s.length + 1, 0);
      const v = x.fields[index[dateColumn!]!];
      if (v) addEvidence(evidence, v, x.line);
      if (sample.length >= DATE_SAMPLE_ROWS || sampleChars >= DATE_SAMPLE_CHARS) decide();
      return;
    }
    row(x);
  };

  for await (const { text, suspect } of decoded(input, decoder)) {
    reader.push(text, suspect, take, take);
    if (fatal) return fatal;
    await deliver();
  }
  reader.end(take, take);
  if (fatal) return fatal;
  if (!header) return 'the file is empty: a header row is needed';
  if (sample) decide();
  return fatal;
}

async function readJsonLines(
  input: AsyncIterable<Buffer>,
  decoder: ImportDecoder,
  opts: ParseOptions,
  accept: Accept,
  reject: (p: ImportProblem) => void,
  facts: FileFacts,
  deliver: () => Promise<void>,
): Promise<void> {
  const kind = opts.kind;
  const reader = new JsonLinesReader(opts.maxRecordChars ?? MAX_RECORD_CHARS);
  const cols = columnsFor(kind);
  const checks = new Map<boolean, RowCheck>();
  const checkFor = (customerIsEmail: boolean) => {
    let c = checks.get(customerIsEmail);
    if (!c)
      checks.set(
        customerIsEmail,
        (c = rowCheck({ kind, timeZone: opts.timeZone, dateOrder: opts.dateOrder, decimalComma: false, customerIsEmail, stats: facts })),
      );
    return c;
  };
  const problem = (p: JsonLineProblem) => reject(withRaw({ line: p.line, field: 'row', code: p.code, reason: p.reason }, opts.keepRaw ? p.raw : undefined));
  const line = (x: JsonLine) => {
    const raw = opts.keepRaw ? x.text : undefined;
    if (x.badText) {
      reject(withRaw({ line: x.line, field: 'row', code: 'bad-encoding', reason: badTextReason(decoder.description) }, raw));
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(x.text);
    } catch (err) {
      reject(withRaw({ line: x.line, field: 'row', code: 'bad-json', reason: `not valid JSON (${(err as Error).message})` }, raw));
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      reject(withRaw({ line: x.line, field: 'row', code: 'not-an-object', reason: 'each line must be one JSON object' }, raw));
      return;
    }
    const entries = Object.entries(obj as Record<string, unknown>);
    const keys = mapKeys(
      kind,
      entries.map(([k]) => k),
    );
    const cells: (string | undefined)[] = new Array(cols.length).fill(undefined);
    let extras: Extras = null;
    entries.forEach(([, v], i) => {
      const value = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      const c = keys.columns[i];
      if (c !== undefined) cells[cols.indexOf(c)] = value;
      else if (keys.names[i]) (extras ??= {})[keys.names[i]!] = value === '' ? null : value;
    });
    accept(checkFor(keys.customerIsEmail), cells, extras, x.line, raw);
  };
  for await (const { text, suspect } of decoded(input, decoder)) {
    reader.push(text, suspect, line, problem);
    await deliver();
  }
  reader.end(line, problem);
  facts.dateFormat = opts.dateOrder;
}

function withRaw(p: ImportProblem, raw: string | undefined): ImportProblem {
  if (raw !== undefined) p.raw = raw;
  return p;
}

function describeDelimiter(d: string): string {
  return d === '\t' ? 'tab' : d === ';' ? 'semicolon' : d === '|' ? 'pipe' : 'comma';
}

function columnsFor(kind: FileKind): readonly string[] {
  return COLUMNS[kind];
}

/** JSON Lines objects mostly share their keys: map each set of keys once (a few hundred sets at most). */
const keyMaps = new Map<string, HeaderMap>();
function mapKeys(kind: FileKind, keys: string[]): HeaderMap {
  const signature = kind + '\u0000' + keys.join('\u0000');
  let m = keyMaps.get(signature);
  if (!m) {
    const mapped = mapColumns(kind, keys);
    // Two keys meaning the same column: the first one counts, the other is kept as an attribute.
    m = 'problem' in mapped ? { columns: keys.map(() => undefined), names: keys.map((k) => k), renamed: [], customerIsEmail: false } : mapped;
    if (keyMaps.size > 500) keyMaps.clear();
    keyMaps.set(signature, m);
  }
  return m;
}
