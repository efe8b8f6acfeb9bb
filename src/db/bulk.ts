// Upsert by id for imports and the demo generator, one outcome per row, so a bad row never stops the
// good ones. A row names the columns its file carries (a partial file updates only those; an empty
// cell in a carried column clears it; extra columns merge into the attributes). SQLite uses
// prepared statements in batched transactions; PostgreSQL copies whole batches into a staging table (bulk-postgres.ts).
import type { Store } from './store.ts';
import { postgresWriter } from './bulk-postgres.ts';
import {
  CONTENT_ID,
  customerSearchText,
  customerTermsOf,
  decide,
  fillInsert,
  rowsFromArrays,
  TABLES,
  type ImportKind,
  type Outcome,
  type RowSource,
  type RowValues,
  type TableSpec,
  type Value,
} from './bulk-rows.ts';

export { CONTENT_ID, TABLES, rowsFromArrays, type ImportKind, type Outcome, type RowSource, type RowValues, type Value } from './bulk-rows.ts';

export interface WriterOptions {
  /** Create rows that are new and leave existing ones as they are (customers named by transactions). */
  insertOnly?: boolean;
}

export interface BulkWriter {
  write(rows: RowSource | readonly RowValues[], lines?: readonly number[]): Promise<Outcome[]>;
}

export function createBulkWriter(store: Store, kind: ImportKind, importId: number, options: WriterOptions = {}): BulkWriter {
  const spec = TABLES[kind];
  const write = store.sqlite ? sqliteWriter(store, spec, importId, options) : postgresWriter(store.db, store.postgres!, spec, importId, options);
  return {
    write: (rows, lines) => write(Array.isArray(rows) ? rowsFromArrays(rows as RowValues[], lines ?? []) : (rows as RowSource)),
  };
}

/**
 * Page cache while importing, in KiB. Rows in file order need few pages at a time; customers are
 * the exception: each one adds a word to the search index and an email to its index at random
 * places, and a 16 MiB cache made a million of them 60% slower than 48 MiB did.
 */
const IMPORT_CACHE_KIB: Record<ImportKind, number> = { customers: 48 << 10, orders: 16 << 10, 'order-items': 16 << 10, feedback: 16 << 10 };

/**
 * The connection's settings for an import, for its duration; returns the undo. The page cache
 * keeps memory bounded. With `checkpointElsewhere`, this connection stops copying the write-ahead
 * log back into the database itself (a copy and an fsync every few thousand rows on the writer's
 * critical path): another connection does it meanwhile (walCheckpoint).
 */
export function importSettings(store: Store, kind: ImportKind, checkpointElsewhere: boolean): () => void {
  const h = store.sqlite;
  if (!h) return () => {};
  const cache = h.pragma('cache_size', { simple: true }) as number;
  const autocheckpoint = h.pragma('wal_autocheckpoint', { simple: true }) as number;
  h.pragma(`cache_size = -${IMPORT_CACHE_KIB[kind]}`);
  if (checkpointElsewhere) h.pragma('wal_autocheckpoint = 0');
  return () => {
    h.pragma(`cache_size = ${cache}`);
    h.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
  };
}

/** Copies what it can of the write-ahead log into the database without waiting for (or stopping) the writer. */
export function walCheckpoint(store: Store): void {
  store.sqlite?.pragma('wal_checkpoint(PASSIVE)');
}

const INSERTED: Outcome = Object.freeze({ kind: 'inserted' });
/** Rows per multi-row INSERT. */
const CHUNK = 64;
const UNCHANGED: Outcome = Object.freeze({ kind: 'unchanged' });

function sqliteWriter(store: Store, spec: TableSpec, importId: number, options: WriterOptions): (src: RowSource) => Promise<Outcome[]> {
  const h = store.sqlite!;
  const cols = spec.columns;
  const isCustomer = spec.table === 'customers';
  const allCols = isCustomer ? [...cols, 'search_text', 'import_id', 'import_line'] : [...cols, 'import_id', 'import_line'];
  const keyWhere = spec.key.map((k) => `${k} = ?`).join(' AND ');
  const insert = h.prepare(
    `INSERT INTO ${spec.table} (${allCols.join(', ')}) VALUES (${allCols.map(() => '?').join(', ')}) ON CONFLICT (${spec.key.join(', ')}) DO NOTHING`,
  );
  const select = h.prepare(`SELECT ${cols.join(', ')}, import_id, import_line FROM ${spec.table} WHERE ${keyWhere}`).raw(true);
  const update = h.prepare(`UPDATE ${spec.table} SET ${allCols.map((c) => `${c} = ?`).join(', ')} WHERE ${keyWhere}`);
  // An unchanged row is still "seen in this import", so a later conflicting line in the same file
  // is recognised as a conflict rather than an update.
  const touch = h.prepare(`UPDATE ${spec.table} SET import_id = ?, import_line = ? WHERE ${keyWhere}`);
  const deleteTerms = isCustomer ? h.prepare('DELETE FROM customer_terms WHERE customer_id = ?') : undefined;
  const insertTerm = isCustomer ? h.prepare('INSERT INTO customer_terms (term, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING') : undefined;
  const writeTerms = (row: readonly Value[], isNew: boolean) => {
    if (!isNew) deleteTerms!.run(row[0]);
    for (const t of customerTermsOf(row)) insertTerm!.run(t, row[0]);
  };
  const key = (row: readonly Value[]) => spec.keyIndex.map((i) => row[i]);

  const row: Value[] = new Array(cols.length).fill(null);
  const fresh: Value[] = new Array(cols.length).fill(null);
  const params: Value[] = new Array(allCols.length).fill(null);
  const n = cols.length;
  const put = (values: readonly Value[], line: number): boolean => {
    for (let c = 0; c < n; c++) params[c] = values[c]!;
    if (isCustomer) params[n] = customerSearchText(values);
    params[allCols.length - 2] = importId;
    params[allCols.length - 1] = line;
    return insert.run(params).changes === 1;
  };
  const upsert = (line: number, flags: number): Outcome => {
    if (put(fillInsert(spec, row, flags, fresh), line)) {
      if (isCustomer) writeTerms(params, true);
      return INSERTED;
    }
    if (options.insertOnly) return UNCHANGED;
    const existing = select.get(key(row)) as Value[] | undefined;
    if (!existing) return UNCHANGED;
    const d = decide(spec, row, flags, existing, importId);
    if (d.outcome.kind === 'unchanged' && d.touch) touch.run(importId, line, ...key(row));
    if (d.outcome.kind === 'updated') {
      for (let c = 0; c < n; c++) params[c] = d.merged![c]!;
      if (isCustomer) params[n] = customerSearchText(d.merged!);
      params[allCols.length - 2] = importId;
      params[allCols.length - 1] = line;
      update.run([...params, ...key(row)]);
      if (isCustomer) writeTerms(d.merged!, false);
    }
    return d.outcome;
  };
  // Identical rows without an id are separate answers: the k-th takes the k-th free identity.
  const upsertByContent = (line: number, flags: number): Outcome => {
    const base = row[0] as string;
    for (let k = 1; ; k++) {
      row[0] = k === 1 ? base : `${base}.${k}`;
      const existing = select.get(key(row)) as Value[] | undefined;
      if (existing && existing[n] === importId) continue;
      return upsert(line, flags);
    }
  };
  const one = (src: RowSource, i: number): Outcome => {
    src.read(i, row);
    return oneRead(src.line(i), src.flags(i));
  };
  const oneRead = (line: number, flags: number): Outcome => {
    try {
      return flags & CONTENT_ID ? upsertByContent(line, flags) : upsert(line, flags);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'missing-parent', parent: spec.parent };
      throw err;
    }
  };

  // New rows go in CHUNK at a time: one statement for many rows costs a third less than one each.
  // When it inserts them all (the usual case) that is that; otherwise each row asks whether it is
  // the one stored with this import and its line (RETURNING would say, but costs a quarter of the
  // insert), and the others (already there, the same id twice in the chunk) go row by row. A
  // foreign key failure fails the whole statement, and then the whole chunk goes row by row.
  const width = allCols.length;
  // Measured: a third faster for orders; twice slower for tables with a second index on a column
  // in no particular order (items by product, feedback, search words), so those go row by row.
  const multiRow = spec.table === 'orders';
  const many = h.prepare(
    `INSERT INTO ${spec.table} (${allCols.join(', ')}) VALUES ${Array(CHUNK)
      .fill(`(${allCols.map(() => '?').join(', ')})`)
      .join(', ')} ON CONFLICT (${spec.key.join(', ')}) DO NOTHING`,
  );
  const mark = h.prepare(`SELECT import_id, import_line FROM ${spec.table} WHERE ${keyWhere}`).raw(true);
  const manyParams: Value[] = new Array(CHUNK * width).fill(null);
  const chunkLines = new Float64Array(CHUNK);
  const chunkFlags = new Int32Array(CHUNK);
  const all = (1 << n) - 1;
  const a = spec.attributes;
  const keyAt = spec.keyIndex;
  const inserted = new Uint8Array(CHUNK);
  const chunk = (src: RowSource, from: number, out: Outcome[]): void => {
    for (let j = 0; j < CHUNK; j++) {
      const at = j * width;
      src.read(from + j, manyParams, at);
      const flags = (chunkFlags[j] = src.flags(from + j));
      const line = (chunkLines[j] = src.line(from + j));
      const attrs = manyParams[at + a];
      if ((flags & all) !== all || (typeof attrs === 'string' && attrs.includes('null'))) {
        for (let c = 0; c < n; c++) row[c] = manyParams[at + c]!;
        fillInsert(spec, row, flags, fresh);
        for (let c = 0; c < n; c++) manyParams[at + c] = fresh[c]!;
      }
      if (isCustomer) manyParams[at + n] = customerSearchText(manyParams, at);
      manyParams[at + width - 2] = importId;
      manyParams[at + width - 1] = line;
    }
    let changes = 0;
    try {
      changes = many.run(manyParams).changes;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw err;
    }
    const isInserted = inserted.fill(changes === CHUNK ? 1 : 0);
    if (changes > 0 && changes < CHUNK) {
      for (let j = 0; j < CHUNK; j++) {
        const stored = mark.get(keyAt.map((k) => manyParams[j * width + k])) as Value[] | undefined;
        isInserted[j] = stored !== undefined && stored[0] === importId && stored[1] === chunkLines[j] ? 1 : 0;
      }
    }
    for (let j = 0; j < CHUNK; j++) {
      if (isInserted[j]) {
        if (isCustomer) writeTerms(manyParams.slice(j * width, j * width + n), true);
        out[from + j] = INSERTED;
        continue;
      }
      src.read(from + j, row);
      out[from + j] = oneRead(chunkLines[j]!, chunkFlags[j]!);
    }
  };
  const batch = h.transaction((src: RowSource) => {
    const out: Outcome[] = new Array(src.length);
    let i = 0;
    while (i < src.length) {
      if (multiRow && i + CHUNK <= src.length) {
        chunk(src, i, out);
        i += CHUNK;
      } else {
        out[i] = one(src, i);
        i++;
      }
    }
    return out;
  });
  return async (src) => batch(src);
}
