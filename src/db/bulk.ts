// Upsert by id for imports and the demo generator, one outcome per row, so a bad row never stops the
// good ones. SQLite uses prepared statements in batched transactions (≈1M rows/s); other dialects
// go through kysely row by row inside a transaction.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { searchTerms, searchText } from './search-terms.ts';
import type { Store } from './store.ts';

export type ImportKind = 'customers' | 'orders' | 'order-items' | 'feedback';

export type Outcome =
  | { kind: 'inserted' }
  | { kind: 'updated' }
  | { kind: 'unchanged' }
  /** Same id earlier in this import with other values: the first stands. */
  | { kind: 'conflict'; firstLine: number | null }
  /** The customer (or order) it refers to does not exist. */
  | { kind: 'missing-parent'; parent: 'customer' | 'order' };

export type Value = string | number | null;

// Shared outcome objects: an import of ten million rows should not allocate ten million of them.
const INSERTED: Outcome = Object.freeze({ kind: 'inserted' });
const UPDATED: Outcome = Object.freeze({ kind: 'updated' });
const UNCHANGED: Outcome = Object.freeze({ kind: 'unchanged' });

interface TableSpec {
  table: keyof Database;
  key: readonly string[];
  /** Data columns, compared to decide unchanged / updated / conflict. */
  columns: readonly string[];
  parent: 'customer' | 'order';
}

export const TABLES: Record<ImportKind, TableSpec> = {
  customers: { table: 'customers', key: ['customer_id'], columns: ['customer_id', 'name', 'email', 'company', 'owner', 'created_at', 'attributes'], parent: 'customer' },
  orders: { table: 'orders', key: ['order_id'], columns: ['order_id', 'customer_id', 'ordered_at', 'day', 'amount', 'attributes'], parent: 'customer' },
  'order-items': { table: 'order_items', key: ['order_id', 'product'], columns: ['order_id', 'product', 'quantity', 'unit_price', 'attributes'], parent: 'order' },
  feedback: {
    table: 'feedback',
    key: ['feedback_id'],
    columns: ['feedback_id', 'customer_id', 'scale', 'score', 'comment', 'author', 'platform', 'created_at', 'day', 'attributes'],
    parent: 'customer',
  },
};

/** A row as values in the order of `TABLES[kind].columns`. */
export type RowValues = Value[];

export interface BulkWriter {
  write(rows: readonly RowValues[], lines: readonly number[]): Promise<Outcome[]>;
}

export function createBulkWriter(store: Store, kind: ImportKind, importId: number): BulkWriter {
  return store.sqlite ? sqliteWriter(store, kind, importId) : kyselyWriter(store.db, kind, importId);
}

function sameValues(a: readonly Value[], b: readonly Value[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number' && Math.abs(x - y) < 1e-9) continue;
    return false;
  }
  return true;
}

function sqliteWriter(store: Store, kind: ImportKind, importId: number): BulkWriter {
  const h = store.sqlite!;
  const spec = TABLES[kind];
  const cols = [...spec.columns];
  const isCustomer = kind === 'customers';
  const allCols = isCustomer ? [...cols, 'search_text', 'import_id', 'import_line'] : [...cols, 'import_id', 'import_line'];
  const keyWhere = spec.key.map((k) => `${k} = ?`).join(' AND ');
  const insert = h.prepare(`INSERT INTO ${spec.table} (${allCols.join(', ')}) VALUES (${allCols.map(() => '?').join(', ')}) ON CONFLICT (${spec.key.join(', ')}) DO NOTHING`);
  const select = h.prepare(`SELECT ${cols.join(', ')}, import_id, import_line FROM ${spec.table} WHERE ${keyWhere}`).raw(true);
  const update = h.prepare(`UPDATE ${spec.table} SET ${allCols.map((c) => `${c} = ?`).join(', ')} WHERE ${keyWhere}`);
  // An unchanged row is still "seen in this import", so a later conflicting line in the same file
  // is recognised as a conflict rather than an update.
  const touch = h.prepare(`UPDATE ${spec.table} SET import_id = ?, import_line = ? WHERE ${keyWhere}`);
  const keyIdx = spec.key.map((k) => cols.indexOf(k));
  const deleteTerms = isCustomer ? h.prepare('DELETE FROM customer_terms WHERE customer_id = ?') : undefined;
  const insertTerm = isCustomer ? h.prepare('INSERT INTO customer_terms (term, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING') : undefined;

  const writeTerms = (row: RowValues, isNew: boolean) => {
    const c = customerShape(row);
    if (!isNew) deleteTerms!.run(c.customer_id);
    for (const t of searchTerms(c)) insertTerm!.run(t, c.customer_id);
  };

  // One parameter array reused for every row (filled in place).
  const full: Value[] = new Array(allCols.length).fill(null);
  const one = (row: RowValues, line: number): Outcome => {
    for (let i = 0; i < cols.length; i++) full[i] = row[i] ?? null;
    if (isCustomer) full[cols.length] = searchText(customerShape(row));
    full[allCols.length - 2] = importId;
    full[allCols.length - 1] = line;
    try {
      if (insert.run(full).changes === 1) {
        if (isCustomer) writeTerms(row, true);
        return INSERTED;
      }
      const existing = select.get(keyIdx.map((i) => row[i])) as Value[] | undefined;
      if (!existing) return UNCHANGED;
      if (sameValues(row, existing)) {
        if (existing[cols.length] !== importId) touch.run(importId, line, ...keyIdx.map((i) => row[i]));
        return UNCHANGED;
      }
      if (existing[cols.length] === importId) return { kind: 'conflict', firstLine: (existing[cols.length + 1] as number | null) ?? null };
      update.run([...full, ...keyIdx.map((i) => row[i])]);
      if (isCustomer) writeTerms(row, false);
      return UPDATED;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'missing-parent', parent: spec.parent };
      throw err;
    }
  };

  const batch = h.transaction((rows: readonly RowValues[], lines: readonly number[]) => rows.map((r, i) => one(r, lines[i]!)));
  return {
    async write(rows, lines) {
      return batch(rows, lines);
    },
  };
}

function customerShape(row: RowValues) {
  return { customer_id: String(row[0]), name: (row[1] as string | null) ?? null, email: (row[2] as string | null) ?? null, company: (row[3] as string | null) ?? null };
}

function kyselyWriter(db: Kysely<Database>, kind: ImportKind, importId: number): BulkWriter {
  const spec = TABLES[kind];
  const cols = [...spec.columns];
  const isCustomer = kind === 'customers';
  const parentTable = spec.parent === 'customer' ? 'customers' : 'orders';
  const parentKey = spec.parent === 'customer' ? 'customer_id' : 'order_id';
  return {
    async write(rows, lines) {
      return db.transaction().execute(async (trx: Kysely<any>) => {
        const out: Outcome[] = [];
        for (let r = 0; r < rows.length; r++) {
          const row = rows[r]!;
          const line = lines[r]!;
          const record: Record<string, Value> = Object.fromEntries(cols.map((c, i) => [c, row[i] ?? null]));
          if (isCustomer) record.search_text = searchText(customerShape(row));
          record.import_id = importId;
          record.import_line = line;
          let where = trx.selectFrom(spec.table).select([...cols, 'import_id', 'import_line']);
          for (const k of spec.key) where = where.where(k, '=', record[k]);
          const existing = (await where.executeTakeFirst()) as Record<string, Value> | undefined;
          if (!isCustomer) {
            const parent = await trx.selectFrom(parentTable).select(parentKey).where(parentKey, '=', record[parentKey]).executeTakeFirst();
            if (!parent) {
              out.push({ kind: 'missing-parent', parent: spec.parent });
              continue;
            }
          }
          if (!existing) {
            await trx.insertInto(spec.table).values(record).execute();
            out.push({ kind: 'inserted' });
          } else if (sameValues(row, cols.map((c) => existing[c] ?? null))) {
            if (existing.import_id !== importId) {
              let touch = trx.updateTable(spec.table).set({ import_id: importId, import_line: line });
              for (const k of spec.key) touch = touch.where(k, '=', record[k]);
              await touch.execute();
            }
            out.push({ kind: 'unchanged' });
            continue;
          } else if (existing.import_id === importId) {
            out.push({ kind: 'conflict', firstLine: (existing.import_line as number | null) ?? null });
            continue;
          } else {
            let upd = trx.updateTable(spec.table).set(record);
            for (const k of spec.key) upd = upd.where(k, '=', record[k]);
            await upd.execute();
            out.push({ kind: 'updated' });
          }
          if (isCustomer) {
            const c = customerShape(row);
            await trx.deleteFrom('customer_terms').where('customer_id', '=', c.customer_id).execute();
            const terms = searchTerms(c);
            if (terms.length) await trx.insertInto('customer_terms').values(terms.map((term) => ({ term, customer_id: c.customer_id }))).onConflict((oc) => oc.doNothing()).execute();
          }
        }
        return out;
      });
    },
  };
}
