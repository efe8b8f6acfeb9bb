// PostgreSQL: an order's customer is checked by the import writer, one join per batch, instead of by
// a foreign key. The key's trigger looked the customer up and locked it once per order — half the
// cost of importing orders (measured at 1M: ~4 µs of ~8 µs an order), and what held imports under
// 100k orders/s. The writer (bulk-postgres.ts, the only path that writes orders) finds orders of
// unknown customers set-wise and reports them with their lines, as the key's error did. Customers
// are never deleted and their ids never change (erasure blanks fields), so a checked order keeps its
// customer. SQLite keeps its key: there the check is a cheap lookup in the same B-tree code.
import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

export const ordersCustomerCheckedByWriter: Migration = {
  async up(db: Kysely<any>) {
    if (db.getExecutor().adapter instanceof SqliteAdapter) return;
    const keys = await sql<{ name: string }>`
      select con.conname as name from pg_constraint con
      join pg_class cl on cl.oid = con.conrelid join pg_namespace ns on ns.oid = cl.relnamespace
      join pg_class ref on ref.oid = con.confrelid
      where con.contype = 'f' and ns.nspname = current_schema() and cl.relname = 'orders' and ref.relname = 'customers'`.execute(db);
    for (const k of keys.rows) await sql`alter table orders drop constraint ${sql.id(k.name)}`.execute(db);
  },
};
