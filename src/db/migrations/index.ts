// Migrations as code, in the order they run. Each uses kysely's portable subset (SQLite and
// PostgreSQL). Never edit one that has shipped: add the next.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { coreTables } from './0001-core.ts';
import { insightTables } from './0002-insights.ts';
import { digestTables } from './0003-digests.ts';
import { reportTables } from './0004-reports.ts';
import { privacyAuditTables } from './0006-privacy-audit.ts';
import { alertTables } from './0009-alerts.ts';

export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_core': coreTables,
  '0002_insights': insightTables,
  '0003_digests': digestTables,
  '0004_reports': reportTables,
  '0006_privacy_audit': privacyAuditTables,
  '0009_alerts': alertTables,
});

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations };
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // Unordered: a store made while migrations were numbered in parallel (0004 and 0006 before 0005) still takes 0005.
  const migrator = new Migrator({ db, provider: new StaticProvider(), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const why = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${why}`);
  }
}
