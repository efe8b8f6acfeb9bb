// The rules of an import upsert, apart from any database: which columns each table takes, what a
// column the file does not carry becomes on insert, and how an incoming row and the stored one
// decide between unchanged, updated and conflict (the same id twice in one file, differently).
import type { Database } from './schema.ts';
import { searchTerms, searchText } from './search-terms.ts';

export type ImportKind = 'customers' | 'orders' | 'order-items' | 'feedback';

export type Outcome =
  | { kind: 'inserted' }
  | { kind: 'updated' }
  | { kind: 'unchanged' }
  /** Same id earlier in this import with other values: the first stands. */
  | { kind: 'conflict'; firstLine: number | null }
  /** The customer (or order) it refers to does not exist. */
  | { kind: 'missing-parent'; parent: 'customer' | 'order' }
  /** The database would not store it (PostgreSQL: a NUL character in text, a value out of range); `column` is the culprit when known. */
  | { kind: 'refused'; column: string | null; reason: string };

export type Value = string | number | null;

/** A row as values in the order of `TABLES[kind].columns`. */
export type RowValues = Value[];

/** Rows to write, read one at a time into a reused array (see importer/packed-rows.ts). */
export interface RowSource {
  readonly length: number;
  /** Writes row i's values into `out` from index `at` on. */
  read(i: number, out: Value[], at?: number): void;
  line(i: number): number;
  /** Bit c: column c is in the file; CONTENT_ID: the id was derived from the row's content. */
  flags(i: number): number;
}

export const CONTENT_ID = 1 << 30;

export interface TableSpec {
  table: keyof Database;
  key: readonly string[];
  keyIndex: readonly number[];
  /** Data columns, compared to decide unchanged / updated / conflict. */
  columns: readonly string[];
  /** What a column the file does not carry becomes when the row is new. */
  defaults: readonly Value[];
  /** Index of the JSON attributes column (extra columns of the file). */
  attributes: number;
  parent: 'customer' | 'order';
}

function spec(table: keyof Database, key: string[], columns: string[], parent: 'customer' | 'order', defaults: Record<string, Value> = {}): TableSpec {
  return {
    table,
    key,
    keyIndex: key.map((k) => columns.indexOf(k)),
    columns,
    defaults: columns.map((c) => defaults[c] ?? null),
    attributes: columns.indexOf('attributes'),
    parent,
  };
}

export const TABLES: Record<ImportKind, TableSpec> = {
  customers: spec('customers', ['customer_id'], ['customer_id', 'name', 'email', 'company', 'owner', 'created_at', 'attributes'], 'customer'),
  orders: spec('orders', ['order_id'], ['order_id', 'customer_id', 'ordered_at', 'day', 'amount', 'attributes'], 'customer'),
  'order-items': spec('order_items', ['order_id', 'product'], ['order_id', 'product', 'quantity', 'unit_price', 'attributes'], 'order', {
    quantity: 1,
    unit_price: 0,
  }),
  feedback: spec(
    'feedback',
    ['feedback_id'],
    ['feedback_id', 'customer_id', 'scale', 'score', 'comment', 'author', 'platform', 'created_at', 'day', 'attributes'],
    'customer',
  ),
};

export function rowsFromArrays(rows: readonly RowValues[], lines: readonly number[], flags = -1 & ~CONTENT_ID): RowSource {
  return {
    length: rows.length,
    read(i, out, at = 0) {
      const r = rows[i]!;
      const n = Math.min(r.length, out.length - at);
      for (let c = 0; c < n; c++) out[at + c] = r[c] ?? null;
    },
    line: (i) => lines[i] ?? 0,
    flags: () => flags,
  };
}

/** The values to insert for a new row: defaults for what the file leaves out, attributes without cleared keys. */
export function fillInsert(spec: TableSpec, row: readonly Value[], flags: number, into: Value[]): Value[] {
  const n = spec.columns.length;
  for (let c = 0; c < n; c++) into[c] = flags & (1 << c) ? row[c]! : spec.defaults[c]!;
  const a = spec.attributes;
  const attrs = into[a];
  if (typeof attrs === 'string' && attrs.includes('null')) into[a] = mergeAttributes(null, attrs);
  return into;
}

export interface Decision {
  outcome: Outcome;
  /** The row as it should be stored (only for `updated`). */
  merged?: Value[];
  /** Mark an unchanged row as seen by this import. */
  touch: boolean;
}

const UNCHANGED: Outcome = Object.freeze({ kind: 'unchanged' });
const UPDATED: Outcome = Object.freeze({ kind: 'updated' });

/** `existing` holds the stored columns, then import_id and import_line. */
export function decide(spec: TableSpec, row: readonly Value[], flags: number, existing: readonly Value[], importId: number): Decision {
  const n = spec.columns.length;
  const merged = existing.slice(0, n);
  for (let c = 0; c < n; c++) {
    if (!(flags & (1 << c))) continue;
    merged[c] = c === spec.attributes ? mergeAttributes(existing[c] as string | null, row[c] as string | null) : row[c]!;
  }
  const same = sameValues(merged, existing, n);
  if (existing[n] === importId)
    return same ? { outcome: UNCHANGED, touch: false } : { outcome: { kind: 'conflict', firstLine: (existing[n + 1] as number | null) ?? null }, touch: false };
  if (same) return { outcome: UNCHANGED, touch: true };
  return { outcome: UPDATED, merged, touch: false };
}

/** Stored attributes with the file's extra columns laid over them; a null value (empty cell) removes the key. */
export function mergeAttributes(stored: string | null, incoming: string | null): string | null {
  if (incoming === null) return stored;
  const base = parseObject(stored);
  for (const [k, v] of Object.entries(parseObject(incoming))) {
    if (v === null) delete base[k];
    else base[k] = v;
  }
  return Object.keys(base).length > 0 ? JSON.stringify(base) : null;
}

function parseObject(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const v = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export function sameValues(a: readonly Value[], b: readonly Value[], n = a.length): boolean {
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number' && Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x))) continue;
    return false;
  }
  return true;
}

function customerShape(row: readonly Value[], at: number) {
  return {
    customer_id: String(row[at]),
    name: (row[at + 1] as string | null) ?? null,
    email: (row[at + 2] as string | null) ?? null,
    company: (row[at + 3] as string | null) ?? null,
  };
}

export const customerTermsOf = (row: readonly Value[], at = 0) => searchTerms(customerShape(row, at));
export const customerSearchText = (row: readonly Value[], at = 0) => searchText(customerShape(row, at));
