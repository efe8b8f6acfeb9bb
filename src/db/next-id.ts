// Sequential ids without dialect-specific identity columns: max + 1, inserted with ON CONFLICT DO
// NOTHING and tried again when another process took the same number first.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function insertWithNextId(
  db: Kysely<Database>,
  table: 'imports' | 'model_runs',
  key: 'import_id' | 'run_id',
  values: (id: number) => Record<string, unknown>,
): Promise<number> {
  const anyDb = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (let attempt = 0; attempt < 20; attempt++) {
    const last = await anyDb.selectFrom(table).select(sql<number | null>`max(${sql.ref(key)})`.as('id')).executeTakeFirst();
    const id = Number(last?.id ?? 0) + 1;
    const r = await anyDb.insertInto(table).values(values(id)).onConflict((oc) => oc.column(key).doNothing()).executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) return id;
  }
  throw new Error(`could not allocate a new ${key}: too many concurrent writers`);
}
