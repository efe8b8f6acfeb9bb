// Builds one refresh's derived-data file (see derived-schema.ts): rows arrive as flat lists of
// values (row after row, `columns.length` values each) and go in through statements that insert
// many rows at once, inside one transaction on a file nobody reads yet. `derivedSink` runs it on a
// worker thread for a big store, so that writing a million insight rows and indexing them happen on
// the second core while the refresh goes on scoring and rolling up; inline for a small one (a
// thread costs more than it saves there).
import type BetterSqlite3 from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/threads.ts';
import { createDerivedFile, indexDerivedFile } from './sqlite-derived.ts';

/**
 * Rows per multi-row INSERT (SQLite allows 32,766 parameters; 28 columns × 128 rows is far below).
 * Binding a value costs the writer's thread more than storing it: a million insight rows took
 * 2.84 s at 32 rows a statement, 2.57 s at 128 (scratch benchmark, same rows).
 */
const ROWS_PER_STATEMENT = 128;
/** Prepared statements a builder keeps before it stops folding constants into new ones. */
const MAX_STATEMENTS = 32;

export class DerivedBuilder {
  readonly #b: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  /** `retired`: a file it may take over (createDerivedFile). */
  constructor(path: string, retired?: string) {
    this.#b = createDerivedFile(path, retired);
    this.#b.exec('BEGIN');
  }

  insert(table: string, columns: readonly string[], values: readonly unknown[]): void {
    const width = columns.length;
    if (values.length % width !== 0) throw new RangeError(`derived ${table}: ${values.length} values is not a whole number of ${width}-column rows`);
    this.#insertRows(table, columns, values.length / width, (row, params, at) => {
      for (let c = 0; c < width; c++) params[at + c] = values[row * width + c];
    });
  }

  /** Rows as packed columns (see PackedRows): bound straight from the columns, no row objects. */
  insertPacked(batch: PackedRows): void {
    const { table, texts, numbers, rows, text, number } = batch;
    const nt = texts.length;
    const nn = numbers.length;
    // Each set of literals is a statement of its own: past a few dozen, bind everything.
    const { bound, fixed } = this.#statements.size < MAX_STATEMENTS ? foldConstants(batch) : { bound: numbers.map((_, c) => c), fixed: [] };
    const nb = bound.length;
    this.#insertRows(table, [...texts, ...bound.map((c) => numbers[c]!)], rows, (row, params, at) => {
      for (let c = 0; c < nt; c++) params[at + c] = text[row * nt + c];
      for (let k = 0; k < nb; k++) {
        const v = number[row * nn + bound[k]!]!;
        params[at + nt + k] = Number.isNaN(v) ? null : v;
      }
    }, fixed);
  }

  /** `rows` rows, ROWS_PER_STATEMENT to a statement, then one by one; `bind` puts row `row`'s values in `params` from `at`. */
  #insertRows(table: string, columns: readonly string[], rows: number, bind: (row: number, params: unknown[], at: number) => void, fixed: readonly [string, string][] = []): void {
    const width = columns.length;
    const many = this.#statement(table, columns, ROWS_PER_STATEMENT, fixed);
    const params = new Array<unknown>(width * ROWS_PER_STATEMENT);
    let row = 0;
    for (; rows - row >= ROWS_PER_STATEMENT; row += ROWS_PER_STATEMENT) {
      for (let k = 0; k < ROWS_PER_STATEMENT; k++) bind(row + k, params, k * width);
      many.run(params);
    }
    if (row < rows) {
      const one = this.#statement(table, columns, 1, fixed);
      const single = new Array<unknown>(width);
      for (; row < rows; row++) {
        bind(row, single, 0);
        one.run(single);
      }
    }
  }

  /** Indexes the insights (one sorted pass each, after the rows are in). */
  index(): void {
    indexDerivedFile(this.#b);
  }

  /** Commits and closes the file (indexed already, or indexed now). */
  finish(indexed: boolean): void {
    if (!indexed) this.index();
    this.#b.exec('COMMIT');
    this.#b.close();
  }

  abandon(): void {
    if (this.#b.open) this.#b.close();
  }

  /** `rows` rows of `columns` bound, each with the `fixed` columns' literals. */
  #statement(table: string, columns: readonly string[], rows: number, fixed: readonly [string, string][]): BetterSqlite3.Statement {
    const key = `${table}\u0000${columns.join(',')}\u0000${rows}\u0000${fixed.join(';')}`;
    let st = this.#statements.get(key);
    if (!st) {
      const one = `(${[...columns.map(() => '?'), ...fixed.map(([, literal]) => literal)].join(', ')})`;
      const names = [...columns, ...fixed.map(([column]) => column)];
      st = this.#b.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`);
      this.#statements.set(key, st);
    }
    return st;
  }
}

/**
 * A batch's number columns split into those bound row by row (their indexes in `numbers`) and
 * those inserted as a literal: a foldable column that holds one whole number, or NULL, in every row.
 */
export function foldConstants(batch: Pick<PackedRows, 'numbers' | 'number' | 'rows' | 'foldable'>): { bound: number[]; fixed: [string, string][] } {
  const { numbers, number, rows, foldable } = batch;
  const fixed: [string, string][] = [];
  const bound: number[] = [];
  numbers.forEach((column, c) => {
    const value = foldable?.includes(column) ? sameInEveryRow(number, c, numbers.length, rows) : undefined;
    if (value === undefined) bound.push(c);
    else fixed.push([column, Number.isNaN(value) ? 'NULL' : String(value)]);
  });
  return { bound, fixed };
}

/** Column `c` of `rows` rows of `width` numbers when every row holds the same value (NaN included), else undefined. */
function sameInEveryRow(number: Float64Array, c: number, width: number, rows: number): number | undefined {
  if (rows === 0) return undefined;
  const first = number[c]!;
  for (let row = 1; row < rows; row++) if (!Object.is(number[row * width + c], first)) return undefined;
  // Whole numbers only: their literal is exact (and ±Infinity has none).
  return Number.isSafeInteger(first) || Number.isNaN(first) ? first : undefined;
}

/**
 * Rows as columns: `rows` rows of the text columns (row after row, `texts.length` values each) and
 * of the number columns (a Float64Array, NaN for a missing value: SQLite stores NaN as NULL
 * anyway). A batch crosses to the writer's thread by handing over the numbers' memory and copying
 * only the strings: a million insight rows as lists of 28 mixed values cost the refresh ~4.5 s of
 * its thread to flatten and copy (CPU profile of `pulse refresh` at 1M), and as many short-lived
 * arrays for the collector.
 */
export interface PackedRows {
  table: string;
  texts: readonly string[];
  numbers: readonly string[];
  rows: number;
  text: (string | null)[];
  number: Float64Array;
  /**
   * Number columns that usually hold one value in every row (the run's id and day): a batch where
   * one does is inserted with it as a literal, one value fewer bound per row.
   */
  foldable?: readonly string[];
}

/**
 * Characters of text a batch stops at (checked every ROWS_PER_STATEMENT rows): its texts cross to
 * the writer as one string, and one over V8's large-object size (128 KB) is memory of its own on
 * each side, mapped fresh and unmapped after each batch and counted towards the old generation's
 * limit. At 2,048 rows (~450 KB of text) a batch did that three times (the joined string, the
 * message, the worker's copy): at 1M customers 120k more page faults and 5-6 s more CPU, mostly in
 * the garbage collector, than at 512 rows.
 */
export const BATCH_TEXT_CHARS = 48 * 1024;

/**
 * Packs rows (objects with these properties) into PackedRows of up to `capacity` rows, fewer (a
 * multiple of ROWS_PER_STATEMENT) once their texts reach BATCH_TEXT_CHARS. The copy of one row is
 * compiled once from the column names (fixed identifiers of our schema), so that each property is
 * read by name, not looked up by a key in a loop.
 */
export function rowPacker<R extends object>(
  table: string,
  texts: readonly (keyof R & string)[],
  numbers: readonly (keyof R & string)[],
  capacity: number,
  foldable: readonly (keyof R & string)[] = [],
): {
  add(row: R): boolean;
  take(): PackedRows | undefined;
} {
  for (const c of [...texts, ...numbers]) if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new Error(`rowPacker: ${c} is not a column name`);
  const copy = new Function(
    'r',
    't',
    'n',
    'ti',
    'ni',
    [...texts.map((c, k) => `t[ti + ${k}] = r.${c} ?? null;`), ...numbers.map((c, k) => `n[ni + ${k}] = r.${c} ?? NaN;`)].join('\n'),
  ) as (r: R, t: (string | null)[], n: Float64Array, ti: number, ni: number) => void;
  const fresh = (): PackedRows => ({ table, texts, numbers, rows: 0, text: new Array<string | null>(capacity * texts.length), number: new Float64Array(capacity * numbers.length), foldable });
  let batch = fresh();
  let chars = 0;
  return {
    /** Adds a row; true when the batch is full (take it). */
    add(row) {
      const at = batch.rows * texts.length;
      copy(row, batch.text, batch.number, at, batch.rows * numbers.length);
      for (let c = 0; c < texts.length; c++) chars += batch.text[at + c]?.length ?? 0;
      return ++batch.rows === capacity || (batch.rows % ROWS_PER_STATEMENT === 0 && chars >= BATCH_TEXT_CHARS);
    },
    take() {
      if (batch.rows === 0) return undefined;
      const full = batch;
      if (full.rows < capacity) {
        full.text.length = full.rows * texts.length;
        full.number = full.number.slice(0, full.rows * numbers.length);
      }
      batch = fresh();
      chars = 0;
      return full;
    },
  };
}

/**
 * PackedRows as they cross to the writer's thread: the texts as one string and each one's length
 * (−1 for null). Copying a batch's 14,000 short strings one by one cost the refresh's thread 1.3 s
 * per million insight rows (CPU profile at 1M); one string is copied in one go.
 */
export interface WirePackedRows extends Omit<PackedRows, 'text'> {
  chars: string;
  lengths: Int32Array;
}

export function toWire(batch: PackedRows): WirePackedRows {
  const { text, ...rest } = batch;
  const lengths = new Int32Array(text.length);
  let chars = '';
  for (let k = 0; k < text.length; k++) {
    const t = text[k];
    if (t === null || t === undefined) lengths[k] = -1;
    else {
      lengths[k] = t.length;
      chars += t;
    }
  }
  return { ...rest, chars, lengths };
}

export function fromWire(wire: WirePackedRows): PackedRows {
  const { chars, lengths, ...rest } = wire;
  const text = new Array<string | null>(lengths.length);
  let at = 0;
  for (let k = 0; k < lengths.length; k++) {
    const length = lengths[k]!;
    if (length < 0) text[k] = null;
    else {
      text[k] = chars.slice(at, at + length);
      at += length;
    }
  }
  return { ...rest, text };
}

/** The builder's operations, answered once done (insert resolves early: see `maxInFlight`). */
export interface DerivedSink {
  insert(table: string, columns: readonly string[], values: unknown[]): Promise<void>;
  insertPacked(batch: PackedRows): Promise<void>;
  /** Starts indexing the insights (on the worker: while the caller goes on). */
  index(): void;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

/** A store at least this big builds its derived file on a worker thread. */
export const OFF_THREAD_CUSTOMERS = 50_000;

/** A builder of the derived file at `path`, taking over `retired` if it can (createDerivedFile). */
export function derivedSink(path: string, offThread: boolean, retired?: string): DerivedSink {
  return offThread ? new WorkerSink(path, retired) : inlineSink(path, retired);
}

function inlineSink(path: string, retired: string | undefined): DerivedSink {
  const b = new DerivedBuilder(path, retired);
  let indexed = false;
  return {
    insert: async (table, columns, values) => b.insert(table, columns, values),
    insertPacked: async (batch) => b.insertPacked(batch),
    index: () => {
      b.index();
      indexed = true;
    },
    finish: async () => b.finish(indexed),
    abandon: async () => b.abandon(),
  };
}

export type BuilderRequest =
  | { op: 'insert'; seq: number; table: string; columns: readonly string[]; values: unknown[] }
  | { op: 'insertPacked'; seq: number; batch: WirePackedRows }
  | { op: 'index'; seq: number }
  | { op: 'finish'; seq: number };
export type BuilderReply = { seq: number; error?: string };

/**
 * The builder on a worker thread. Inserts are acknowledged one by one; at most `#maxInFlight`
 * batches wait at once, so a fast producer never queues a million rows in memory.
 */
class WorkerSink implements DerivedSink {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  /** Requests sent and not yet answered, oldest first (the worker answers in order). */
  readonly #pending: Promise<void>[] = [];
  // ~64 batches of up to 512 rows (a few MB): the refresh scores ahead while the writer catches up.
  readonly #maxInFlight = 64;
  #seq = 0;
  #failure: Error | undefined;

  constructor(path: string, retired: string | undefined) {
    this.#worker = startWorker(new URL('./derived-writer-worker.ts', import.meta.url), 'derived-writer-worker', { path, retired }, import.meta.url);
    this.#worker.on('message', (m: BuilderReply) => {
      if (m.error !== undefined) return this.#fail(new Error(`writing the derived data: ${m.error}`));
      this.#waiting.get(m.seq)?.resolve();
      this.#waiting.delete(m.seq);
    });
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the derived-data writer exited with code ${code}`)));
  }

  async insert(table: string, columns: readonly string[], values: unknown[]): Promise<void> {
    this.#send({ op: 'insert', seq: ++this.#seq, table, columns, values });
    while (this.#pending.length > this.#maxInFlight) await this.#pending.shift();
  }

  async insertPacked(batch: PackedRows): Promise<void> {
    // The numbers' and the texts' lengths' memory moves to the worker (this side's copy is left empty).
    const wire = toWire(batch);
    this.#send({ op: 'insertPacked', seq: ++this.#seq, batch: wire }, [wire.number.buffer as ArrayBuffer, wire.lengths.buffer as ArrayBuffer]);
    while (this.#pending.length > this.#maxInFlight) await this.#pending.shift();
  }

  index(): void {
    this.#send({ op: 'index', seq: ++this.#seq });
  }

  async finish(): Promise<void> {
    try {
      this.#send({ op: 'finish', seq: ++this.#seq });
      while (this.#pending.length > 0) await this.#pending.shift();
    } finally {
      await this.#worker.terminate();
    }
  }

  async abandon(): Promise<void> {
    this.#pending.length = 0;
    await this.#worker.terminate();
  }

  #send(request: BuilderRequest, transfer: ArrayBuffer[] = []): void {
    let answered: Promise<void>;
    if (this.#failure) answered = Promise.reject(this.#failure);
    else {
      answered = this.#answerTo(request.seq);
      try {
        this.#worker.postMessage(request, transfer);
      } catch (err) {
        this.#fail(err instanceof Error ? err : new Error(String(err))); // rejects `answered`
      }
    }
    answered.catch(() => undefined); // awaited in order by insert/finish, which see the failure
    this.#pending.push(answered);
  }

  /**
   * The answer to request `seq`. Its callbacks close over the number only: a closure that saw the
   * request (as the promise's executor did) shares its scope with the `catch` above and kept each
   * batch's texts (~0.5 MB, already copied to the worker) alive until the answer, 16 batches at once.
   */
  #answerTo(seq: number): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#waiting.set(seq, { resolve, reject }));
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const w of this.#waiting.values()) w.reject(this.#failure);
    this.#waiting.clear();
  }
}
