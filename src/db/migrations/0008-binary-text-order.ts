// PostgreSQL compares and sorts text by the database's collation, SQLite by bytes. Under an ICU or
// glibc locale `'mu' <= term < 'mu' || U+10FFFF` also holds for 'müller', and ORDER BY ranks ids,
// owners and products in another order than SQLite, so the same data gave other answers. Every
// text column of the store compares in "C" (byte order of UTF-8, what SQLite does) whatever
// locale the database was created with; their indexes are rebuilt in that order, so the prefix
// search and the refresh's reads in id order stay index scans. SQLite: nothing to do.
import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

export const binaryTextOrder: Migration = {
  async up(db: Kysely<any>) {
    if (db.getExecutor().adapter instanceof SqliteAdapter) return;
    await alterTextColumnsToC(db);
  },
};

/** Every text column of the current schema's tables (kysely's bookkeeping aside) → COLLATE "C". */
export async function alterTextColumnsToC(db: Kysely<any>): Promise<void> {
  const cols = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.data_type = 'text'
      and c.collation_name is distinct from 'C' and c.table_name not like 'kysely\\_%'
    order by c.table_name, c.ordinal_position`.execute(db);
  const byTable = new Map<string, string[]>();
  for (const r of cols.rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
  // A referenced key and the columns that reference it change together: one statement per table,
  // with the foreign keys set aside meanwhile (a key of another collation cannot be checked).
  const fks = await sql<{ table_name: string; name: string; def: string }>`
    select cl.relname as table_name, con.conname as name, pg_get_constraintdef(con.oid) as def from pg_constraint con
    join pg_class cl on cl.oid = con.conrelid join pg_namespace ns on ns.oid = cl.relnamespace
    where con.contype = 'f' and ns.nspname = current_schema()`.execute(db);
  // Triggers naming a column (`before update of comment`) are set aside likewise.
  const triggers = await sql<{ table_name: string; name: string; def: string }>`
    select cl.relname as table_name, tg.tgname as name, pg_get_triggerdef(tg.oid) as def from pg_trigger tg
    join pg_class cl on cl.oid = tg.tgrelid join pg_namespace ns on ns.oid = cl.relnamespace
    where not tg.tgisinternal and ns.nspname = current_schema()`.execute(db);
  for (const fk of fks.rows) await sql`alter table ${sql.id(fk.table_name)} drop constraint ${sql.id(fk.name)}`.execute(db);
  for (const tg of triggers.rows) await sql`drop trigger ${sql.id(tg.name)} on ${sql.id(tg.table_name)}`.execute(db);
  for (const [table, columns] of byTable) {
    const changes = columns.map((c) => sql`alter column ${sql.id(c)} type text collate "C"`);
    await sql`alter table ${sql.id(table)} ${sql.join(changes)}`.execute(db);
  }
  for (const fk of fks.rows) await sql`alter table ${sql.id(fk.table_name)} add constraint ${sql.id(fk.name)} ${sql.raw(fk.def)}`.execute(db);
  for (const tg of triggers.rows) await sql.raw(tg.def).execute(db);
}
