// Answers that do not depend on how the PostgreSQL database was created: on a database whose
// default collation is ICU en-US, `'mu' <= 'müller' < 'mu' || U+10FFFF` holds, so a prefix search
// written that way found 200 Müllers for `/customer mu` where SQLite found none. Every text column
// of the store compares in "C" (migration 0008): the search and every ORDER BY answer as on SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fixedClock } from '../../src/core/time.ts';
import { createBulkWriter, type RowValues } from '../../src/db/bulk.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { consoleCall, TEST_NOW } from '../helpers/context.ts';
import { adminQuery, onPostgres, pgTestUrl, withDatabase } from '../helpers/test-database.ts';

const database = `pulse_icu_${process.pid}_${Date.now()}`;
const dir = mkdtempSync(join(tmpdir(), 'pulse-icu-'));
let icu: Context;
let lite: Context;

const names = ['Müller GmbH', 'Anna Müller', 'Mustermann AG', 'Munro Ltd', 'Mu Lan', 'Mühlbauer KG', 'Zoë Mueller', 'Émile Murat', 'ÉCOLE MURALE', 'mu-tech'];

async function contextOn(url: string): Promise<Context> {
  const config = loadConfig({ DATABASE_URL: url, PULSE_LOG_LEVEL: 'silent' });
  const store: Store = await openStore(url);
  const rows: RowValues[] = names.map((name, i) => [`K${String(i).padStart(3, '0')}`, name, null, i % 2 ? name.split(' ')[0]! : null, i % 3 ? 'Maya Chen' : 'Émile Owner', '2026-01-01', null]);
  await createBulkWriter(store, 'customers', 1).write(rows, rows.map((_, i) => i + 2));
  return { store, config, log: createLogger('silent'), clock: fixedClock(TEST_NOW) };
}

beforeAll(async () => {
  if (!onPostgres) return;
  await adminQuery(`create database ${database} template template0 locale_provider icu icu_locale 'en-US'`);
  icu = await contextOn(withDatabase(pgTestUrl!, database));
  lite = await contextOn(join(dir, 'pulse.sqlite'));
});

afterAll(async () => {
  await icu?.store.close();
  await lite?.store.close();
  if (onPostgres) await adminQuery(`drop database if exists ${database}`);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!onPostgres)('PostgreSQL: a database created with ICU en-US collation', () => {
  it('GIVEN the database collation THEN its own comparison would put "müller" inside the prefix range of "mu" (why the store sets it aside)', async () => {
    const r = await sql<{ inside: boolean }>`select ('müller' >= 'mu' and 'müller' < 'mu' || chr(1114111)) as inside`.execute(icu.store.db);
    expect(r.rows[0]!.inside).toBe(true);
  });

  it('GIVEN customers named Müller, Mustermann, Mu Lan … WHEN `/customer mu` and other searches THEN the answer is the same as on SQLite', async () => {
    const registry = createRegistry();
    for (const query of ['/customer mu', '/customer mü', '/customer MU', '/customer müller', '/customer é', '/customer e', '/customer mu-tech']) {
      const [a, b] = [await registry.run(query, consoleCall(), icu), await registry.run(query, consoleCall(), lite)];
      expect(a, query).toEqual(b);
    }
    const mu = await registry.run('/customer mu', consoleCall(), icu);
    expect(JSON.stringify(mu)).not.toMatch(/Müller|Mühlbauer/);
    expect(JSON.stringify(mu)).toMatch(/Mustermann/);
  });

  it('THEN ids, names and owners sort in byte order, as SQLite sorts them', async () => {
    const order = async (c: Context) => (await c.store.db.selectFrom('customers').select(['name', 'owner']).orderBy('name').orderBy('customer_id').execute()).map((r) => `${r.name}|${r.owner}`);
    expect(await order(icu)).toEqual(await order(lite));
    expect((await order(icu))[0]).toMatch(/^Anna Müller/);
  });

  it('THEN every text column of the store compares in "C"', async () => {
    const cols = await sql<{ col: string; collation: string | null }>`
      select table_name || '.' || column_name as col, collation_name as collation from information_schema.columns
      where table_schema = current_schema() and data_type = 'text' and table_name not like 'kysely\\_%' order by 1`.execute(icu.store.db);
    expect(cols.rows.length).toBeGreaterThan(30);
    expect(cols.rows.filter((c) => c.collation !== 'C')).toEqual([]);
  });
});
