// The import upsert through kysely, for PostgreSQL: the same rules as the SQLite path (bulk-rows.ts),
// one row at a time inside a transaction per batch.
import type { Kysely } from 'kysely';
import { CONTENT_ID, customerSearchText, customerTermsOf, decide, fillInsert, type Outcome, type RowSource, type TableSpec, type Value } from './bulk-rows.ts';
import type { Database } from './schema.ts';

export function kyselyWriter(
  db: Kysely<Database>,
  spec: TableSpec,
  importId: number,
  options: { insertOnly?: boolean },
): (src: RowSource) => Promise<Outcome[]> {
  const cols = spec.columns;
  const n = cols.length;
  const isCustomer = spec.table === 'customers';
  const parentTable = spec.parent === 'customer' ? 'customers' : 'orders';
  const parentKey = spec.parent === 'customer' ? 'customer_id' : 'order_id';
  const parentAt = cols.indexOf(parentKey);
  return (src) =>
    db.transaction().execute(async (trx: Kysely<any>) => {
      const keyed = <Q extends { where: (...a: any[]) => Q }>(q: Q, row: readonly Value[]): Q => {
        let out = q;
        spec.key.forEach((k, j) => (out = out.where(k, '=', row[spec.keyIndex[j]!])));
        return out;
      };
      const record = (values: readonly Value[], line: number) => {
        const r: Record<string, Value> = Object.fromEntries(cols.map((c, i) => [c, values[i] ?? null]));
        if (isCustomer) r.search_text = customerSearchText(values);
        r.import_id = importId;
        r.import_line = line;
        return r;
      };
      const terms = async (values: readonly Value[], isNew: boolean) => {
        if (!isNew) await trx.deleteFrom('customer_terms').where('customer_id', '=', values[0]).execute();
        const list = customerTermsOf(values);
        if (list.length)
          await trx
            .insertInto('customer_terms')
            .values(list.map((term) => ({ term, customer_id: values[0] })))
            .onConflict((oc) => oc.doNothing())
            .execute();
      };
      const select = async (row: readonly Value[]) => {
        const r = (await keyed(trx.selectFrom(spec.table).select([...cols, 'import_id', 'import_line']), row).executeTakeFirst()) as
          Record<string, Value> | undefined;
        return r && [...cols.map((c) => r[c] ?? null), r.import_id ?? null, r.import_line ?? null];
      };
      const upsert = async (row: Value[], line: number, flags: number): Promise<Outcome> => {
        if (parentAt >= 0 && !isCustomer) {
          const parent = await trx.selectFrom(parentTable).select(parentKey).where(parentKey, '=', row[parentAt]).executeTakeFirst();
          if (!parent) return { kind: 'missing-parent', parent: spec.parent };
        }
        const existing = await select(row);
        if (!existing) {
          const fresh = fillInsert(spec, row, flags, new Array(n));
          await trx.insertInto(spec.table).values(record(fresh, line)).execute();
          if (isCustomer) await terms(fresh, true);
          return { kind: 'inserted' };
        }
        if (options.insertOnly) return { kind: 'unchanged' };
        const d = decide(spec, row, flags, existing, importId);
        if (d.touch) await keyed(trx.updateTable(spec.table).set({ import_id: importId, import_line: line }), row).execute();
        if (d.merged) {
          await keyed(trx.updateTable(spec.table).set(record(d.merged, line)), row).execute();
          if (isCustomer) await terms(d.merged, false);
        }
        return d.outcome;
      };
      const out: Outcome[] = [];
      const row: Value[] = new Array(n).fill(null);
      for (let i = 0; i < src.length; i++) {
        src.read(i, row);
        const flags = src.flags(i);
        if (flags & CONTENT_ID) {
          // Identical rows without an id are separate answers: the k-th takes the k-th free identity.
          const base = row[0] as string;
          for (let k = 1; ; k++) {
            row[0] = k === 1 ? base : `${base}.${k}`;
            const existing = await select(row);
            if (!existing || existing[n] !== importId) break;
          }
        }
        out.push(await upsert(row, src.line(i), flags));
      }
      return out;
    });
}
