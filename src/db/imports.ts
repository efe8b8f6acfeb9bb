// Bookkeeping of imports: one row per file, with its counts.
import type { Kysely } from 'kysely';
import { insertWithNextId } from './next-id.ts';
import type { Database } from './schema.ts';

export async function startImport(db: Kysely<Database>, kind: string, source: string, now: Date): Promise<number> {
  return insertWithNextId(db, 'imports', 'import_id', (import_id) => ({ import_id, kind, source, started_at: now.toISOString() }));
}

export async function finishImport(
  db: Kysely<Database>,
  importId: number,
  counts: { rowsRead: number; inserted: number; updated: number; unchanged: number; rejected: number },
  now: Date,
): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      finished_at: now.toISOString(),
      rows_read: counts.rowsRead,
      rows_inserted: counts.inserted,
      rows_updated: counts.updated,
      rows_unchanged: counts.unchanged,
      rows_rejected: counts.rejected,
    })
    .where('import_id', '=', importId)
    .execute();
}

/** The day (days since 1970-01-01, in the store's zone) of the newest order, or undefined with none. */
export async function newestOrderDay(db: Kysely<Database>): Promise<number | undefined> {
  const r = await db.selectFrom('orders').select((eb) => eb.fn.max('day').as('day')).executeTakeFirst();
  return r?.day === null || r?.day === undefined ? undefined : Number(r.day);
}
