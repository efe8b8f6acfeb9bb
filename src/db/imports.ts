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
