// The core tables: customers, orders, order items, feedback, users, imports, meta.
import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

const DOUBLE = 'double precision' as const;

export const coreTables: Migration = {
  async up(db: Kysely<any>) {
    // Small, keyed rows (orders, items, search words) are clustered on their key in SQLite:
    // one B-tree less per insert, ~30% faster imports. PostgreSQL has no such option and needs none.
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    const clustered = <T extends { modifyEnd(m: ReturnType<typeof sql>): T }>(t: T): T => (sqlite ? t.modifyEnd(sql`without rowid`) : t);
    await db.schema
      .createTable('customers')
      .addColumn('customer_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('email', 'text')
      .addColumn('company', 'text')
      .addColumn('owner', 'text')
      .addColumn('created_at', 'text')
      .addColumn('attributes', 'text')
      .addColumn('search_text', 'text', (c) => c.notNull())
      .addColumn('import_id', 'integer')
      .addColumn('import_line', 'integer')
      .execute();
    await db.schema.createIndex('customers_email').on('customers').column('email').execute();
    await db.schema.createIndex('customers_owner').on('customers').column('owner').execute();

    // The search index: one row per (word, customer). Kept by the bulk writer (no foreign key: a
    // check per word would triple the cost of importing customers); clustered on the key in SQLite.
    await clustered(
      db.schema
        .createTable('customer_terms')
        .addColumn('term', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('customer_terms_pk', ['term', 'customer_id']),
    ).execute();
    await db.schema.createIndex('customer_terms_customer').on('customer_terms').column('customer_id').execute();

    await clustered(
      db.schema
      .createTable('orders')
      .addColumn('order_id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.customer_id'))
      .addColumn('ordered_at', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('amount', DOUBLE, (c) => c.notNull())
      .addColumn('attributes', 'text')
      .addColumn('import_id', 'integer')
      .addColumn('import_line', 'integer'),
    ).execute();
    // Covering index: per-customer histories (day, amount) are read without touching the table.
    await db.schema.createIndex('orders_customer_day').on('orders').columns(['customer_id', 'day', 'amount']).execute();

    await clustered(
      db.schema
      .createTable('order_items')
      .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
      .addColumn('product', 'text', (c) => c.notNull())
      .addColumn('quantity', DOUBLE, (c) => c.notNull())
      .addColumn('unit_price', DOUBLE, (c) => c.notNull())
      .addColumn('attributes', 'text')
      .addColumn('import_id', 'integer')
      .addColumn('import_line', 'integer')
      .addPrimaryKeyConstraint('order_items_pk', ['order_id', 'product']),
    ).execute();
    await db.schema.createIndex('order_items_product').on('order_items').column('product').execute();

    await db.schema
      .createTable('feedback')
      .addColumn('feedback_id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.customer_id'))
      .addColumn('scale', 'text', (c) => c.notNull())
      .addColumn('score', 'integer', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('author', 'text')
      .addColumn('platform', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('attributes', 'text')
      .addColumn('import_id', 'integer')
      .addColumn('import_line', 'integer')
      .execute();
    await db.schema.createIndex('feedback_customer_day').on('feedback').columns(['customer_id', 'day']).execute();
    await db.schema.createIndex('feedback_day').on('feedback').column('day').execute();

    await db.schema
      .createTable('users')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('email', 'text')
      .addColumn('role', 'text', (c) => c.notNull().defaultTo('rep'))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('imports')
      .addColumn('import_id', 'integer', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_inserted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_updated', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_unchanged', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_rejected', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
