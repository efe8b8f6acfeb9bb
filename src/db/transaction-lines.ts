// A transactions file's lines, held in the store while the file is read, then read back grouped by
// order: the lines of one order may be anywhere in the file, and the store sorts a file of any
// size in bounded memory. SQLite keeps them in a TEMP table of the import's own connection;
// PostgreSQL in an unlogged table dropped at the end.
import { sql, type Kysely } from 'kysely';
import type { RowSource, Value } from './bulk-rows.ts';
import type { Store } from './store.ts';

/**
 * One validated line, as an array (pages of them cost a third of the same rows as objects): its
 * line, the values of importer/rows.ts LAYOUTS.transactions, and its text (with --errors).
 */
export type StagedLine = [
  line: number,
  order_id: string,
  customer_id: string,
  ordered_at: string,
  day: number,
  product: string,
  sku: string | null,
  quantity: number,
  unit_price: number,
  name: string | null,
  email: string | null,
  company: string | null,
  owner: string | null,
  country: string | null,
  attributes: string | null,
  raw: string | null,
];

/** Where each value sits in a StagedLine. */
export const L = {
  line: 0,
  order: 1,
  customer: 2,
  orderedAt: 3,
  day: 4,
  product: 5,
  sku: 6,
  quantity: 7,
  unitPrice: 8,
  name: 9,
  email: 10,
  company: 11,
  owner: 12,
  country: 13,
  attributes: 14,
  raw: 15,
} as const;

const COLUMNS = [
  'order_id',
  'customer_id',
  'ordered_at',
  'day',
  'product',
  'sku',
  'quantity',
  'unit_price',
  'name',
  'email',
  'company',
  'owner',
  'country',
  'attributes',
];
const NUMERIC = new Set(['day', 'quantity', 'unit_price']);
const ALL = ['line', ...COLUMNS, 'raw'].join(', ');

/** A line the store cannot hold (PostgreSQL: a NUL character in text), by its index in the batch. */
export interface RefusedLine {
  index: number;
  column: string;
  reason: string;
}

export interface LineStage {
  /** Stages the lines; returns those the store could not hold (the others are staged). */
  add(src: RowSource, raws: readonly string[] | undefined): Promise<RefusedLine[]>;
  /** Whether any order id does not start with C (then a leading C marks a cancellation). */
  hasOrdersNotStartingWithC(): Promise<boolean>;
  /** Lines in (order_id, line) order after the given one. */
  page(after: { orderId: string; line: number } | undefined, limit: number): Promise<StagedLine[]>;
  drop(): Promise<void>;
}

export async function createLineStage(store: Store, importId: number): Promise<LineStage> {
  const table = `pulse_transaction_lines_${importId}`;
  const columns = COLUMNS.map((c) => `${c} ${NUMERIC.has(c) ? 'double precision' : 'text'}`).join(', ');
  const ddl = (prefix: string, text = 'text') =>
    `CREATE ${prefix} TABLE ${table} (line integer not null, ${columns.replaceAll(' text', ` ${text}`)}, raw text)`;
  const row: Value[] = new Array(COLUMNS.length).fill(null);
  let indexed = false;
  if (store.sqlite) {
    const h = store.sqlite;
    h.exec(ddl('TEMP'));
    // Staged lines are written once and read once in order: a small cache is enough.
    h.pragma('temp.cache_size = -2048');
    const insert = h.prepare(`INSERT INTO temp.${table} (line, ${COLUMNS.join(', ')}, raw) VALUES (${['?', ...COLUMNS.map(() => '?'), '?'].join(', ')})`);
    const add = h.transaction((src: RowSource, raws: readonly string[] | undefined) => {
      for (let i = 0; i < src.length; i++) {
        src.read(i, row);
        insert.run(src.line(i), ...row, raws?.[i] ?? null);
      }
    });
    let sameOrder: ReturnType<typeof h.prepare> | undefined;
    let nextOrders: ReturnType<typeof h.prepare> | undefined;
    let first: ReturnType<typeof h.prepare> | undefined;
    const prepare = () => {
      if (indexed) return;
      h.exec(`CREATE INDEX temp.${table}_order ON ${table} (order_id, line)`);
      indexed = true;
      // Two index range scans: the rest of the current order, then the orders after it (a row-value
      // comparison would make SQLite sort the whole table for every page).
      sameOrder = h.prepare(`SELECT ${ALL} FROM temp.${table} WHERE order_id = ? AND line > ? ORDER BY line LIMIT ?`).raw(true);
      nextOrders = h.prepare(`SELECT ${ALL} FROM temp.${table} WHERE order_id > ? ORDER BY order_id, line LIMIT ?`).raw(true);
      first = h.prepare(`SELECT ${ALL} FROM temp.${table} ORDER BY order_id, line LIMIT ?`).raw(true);
    };
    return {
      async add(src, raws) {
        add(src, raws);
        return [];
      },
      async hasOrdersNotStartingWithC() {
        return h.prepare(`SELECT 1 FROM temp.${table} WHERE order_id NOT LIKE 'C%' LIMIT 1`).get() !== undefined;
      },
      async page(after, limit) {
        prepare();
        if (!after) return first!.all(limit) as StagedLine[];
        const rest = sameOrder!.all(after.orderId, after.line, limit) as StagedLine[];
        if (rest.length >= limit) return rest;
        return rest.concat(nextOrders!.all(after.orderId, limit - rest.length) as StagedLine[]);
      },
      async drop() {
        h.exec(`DROP TABLE IF EXISTS temp.${table}`);
      },
    };
  }
  const db = store.db as unknown as Kysely<any>;
  // Ids in byte order ("C"), as SQLite sorts them, whatever the database's collation.
  await sql.raw(ddl('UNLOGGED', 'text collate "C"')).execute(db);
  const names = ['line', ...COLUMNS, 'raw'];
  const types = ['integer', ...COLUMNS.map((c) => (NUMERIC.has(c) ? 'double precision' : 'text')), 'text'];
  return {
    async add(src, raws) {
      const columns: Value[][] = names.map(() => []);
      const refused: RefusedLine[] = [];
      for (let i = 0; i < src.length; i++) {
        src.read(i, row);
        // PostgreSQL text cannot hold U+0000: such a line is refused with its line number, the rest staged.
        const nul = row.findIndex((v) => typeof v === 'string' && v.includes('\u0000'));
        if (nul >= 0) {
          refused.push({ index: i, column: COLUMNS[nul]!, reason: 'holds a NUL character (U+0000), which PostgreSQL cannot store in text' });
          continue;
        }
        columns[0]!.push(src.line(i));
        for (let k = 0; k < COLUMNS.length; k++) columns[k + 1]!.push(row[k]!);
        columns[names.length - 1]!.push(raws?.[i]?.replaceAll('\u0000', '') ?? null);
      }
      // Whole columns as arrays: one round trip for the batch.
      const arrays = columns.map((c, k) => sql`${c}::${sql.raw(types[k]!)}[]`);
      if (columns[0]!.length > 0)
        await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.id(n)))}) select * from unnest(${sql.join(arrays)})`.execute(db);
      return refused;
    },
    async hasOrdersNotStartingWithC() {
      return (await db.selectFrom(table).select('line').where('order_id', 'not like', 'C%').limit(1).executeTakeFirst()) !== undefined;
    },
    async page(after, limit) {
      if (!indexed) await sql.raw(`CREATE INDEX ${table}_order ON ${table} (order_id, line)`).execute(db);
      indexed = true;
      let q = db.selectFrom(table).selectAll().orderBy('order_id').orderBy('line').limit(limit);
      if (after) q = q.where(sql<boolean>`(order_id, line) > (${after.orderId}, ${after.line})`);
      const rows = (await q.execute()) as Record<string, unknown>[];
      return rows.map((r) => ['line', ...COLUMNS, 'raw'].map((c) => (NUMERIC.has(c) || c === 'line' ? Number(r[c]) : r[c])) as StagedLine);
    },
    async drop() {
      await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
    },
  };
}

/** Items of these orders that this import did not write: gone from the order in the file. */
export async function deleteItemsNotIn(store: Store, orderIds: readonly string[], importId: number): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  if (orderIds.length === 0) return removed;
  if (store.sqlite) {
    const del = store.sqlite.prepare('DELETE FROM order_items WHERE order_id = ? AND (import_id IS NULL OR import_id <> ?)');
    store.sqlite.transaction(() => {
      for (const id of orderIds) {
        const n = del.run(id, importId).changes;
        if (n > 0) removed.set(id, n);
      }
    })();
    return removed;
  }
  // One statement for the whole page of orders: the ids each removed item belonged to come back.
  const r = await sql<{ order_id: string }>`delete from order_items where order_id = any(${orderIds}::text[])
    and (import_id is null or import_id <> ${importId}::integer) returning order_id`.execute(store.db);
  for (const { order_id } of r.rows) removed.set(order_id, (removed.get(order_id) ?? 0) + 1);
  return removed;
}
