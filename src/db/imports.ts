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

/**
 * The day (days since 1970-01-01, in the store's zone) of the newest order, or undefined with none.
 * Exact, and it reads every order's day (no index leads with it): seconds at ten million orders.
 * The result is kept in meta as the newest order day seen.
 */
export async function newestOrderDay(db: Kysely<Database>): Promise<number | undefined> {
  const r = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.max('day').as('day'))
    .executeTakeFirst();
  const day = r?.day === null || r?.day === undefined ? undefined : Number(r.day);
  if (day !== undefined)
    await db
      .insertInto('meta')
      .values({ key: NEWEST, value: String(day) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(day) }))
      .execute();
  return day;
}

const NEWEST = 'newest_order_day';

/** Imports note the newest order day they wrote, so the summary can tell a stale store without reading every order. */
export async function noteOrderDay(db: Kysely<Database>, day: number): Promise<void> {
  const known = await knownNewestOrderDay(db);
  if (known !== undefined && known >= day) return;
  await db
    .insertInto('meta')
    .values({ key: NEWEST, value: String(day) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(day) }))
    .execute();
}

/** The newest order day imports have noted (it may lag behind orders written otherwise, e.g. by the demo). */
export async function knownNewestOrderDay(db: Kysely<Database>): Promise<number | undefined> {
  const r = await db.selectFrom('meta').select('value').where('key', '=', NEWEST).executeTakeFirst();
  return r ? Number(r.value) : undefined;
}
