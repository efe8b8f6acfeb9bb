// Migrations as code, in the order they run. Each uses kysely's portable subset (SQLite and
// PostgreSQL). Never edit one that has shipped: add the next.
import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { coreTables } from './0001-core.ts';
import { insightTables } from './0002-insights.ts';
import { digestTables } from './0003-digests.ts';
import { reportTables } from './0004-reports.ts';
import { privacyAuditTables } from './0006-privacy-audit.ts';
import { alterTextColumnsToC, binaryTextOrder } from './0008-binary-text-order.ts';
import { alertTables } from './0009-alerts.ts';
import { ordersCustomerCheckedByWriter } from './0010-orders-customer-checked-by-writer.ts';
import { satisfactionHistograms } from './0011-satisfaction-histograms.ts';

export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_core': coreTables,
  '0002_insights': insightTables,
  '0003_digests': digestTables,
  '0004_reports': reportTables,
  '0006_privacy_audit': privacyAuditTables,
  '0008_binary_text_order': binaryTextOrder,
  '0009_alerts': alertTables,
  '0010_orders_customer_checked_by_writer': ordersCustomerCheckedByWriter,
  '0011_satisfaction_histograms': satisfactionHistograms,
});

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations };
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // kysely looks for its bookkeeping tables in every schema it can see: on PostgreSQL name the one
  // this connection works in (its search_path), or a store in one schema would take another
  // schema's migrations for its own.
  const onPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const schema = onPostgres ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
  // Unordered: a store made while migrations were numbered in parallel (0004 and 0006 before 0005) still takes 0005.
  const migrator = new Migrator({ db, provider: new StaticProvider(), allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const why = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${why}`);
  }
  // Text compares in "C" on PostgreSQL (0008): also the columns of a migration that ran after it — an
  // older store taking 0006 unordered, or any later migration — so no one has to remember to.
  if (schema && results?.some((r) => r.status === 'Success')) await alterTextColumnsToC(db);
}
