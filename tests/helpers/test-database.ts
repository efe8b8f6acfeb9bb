// Where a test's store lives: a SQLite file in the test's folder or — when PULSE_TEST_DATABASE_URL
// names a PostgreSQL database — a fresh schema of its own in that database (the connection's
// search_path points at it, so child processes given the URL land there too). `npm test` with the
// variable set runs every store test on PostgreSQL; scripts/pg-test-server.sh starts a server.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

/** The PostgreSQL database the tests run on, when asked for. */
export const pgTestUrl: string | undefined = process.env.PULSE_TEST_DATABASE_URL?.trim() || undefined;
export const onPostgres = pgTestUrl !== undefined;
/** Which store this pass runs on, for test names. */
export const storeKind = onPostgres ? 'PostgreSQL' : 'SQLite';

export interface TestDatabase {
  /** What DATABASE_URL is set to. */
  url: string;
  /** Removes the schema (PostgreSQL); the caller removes the folder. */
  drop(): Promise<void>;
}

/** Runs one statement as the test database's owner (schemas, databases). */
export async function adminQuery(text: string, url = pgTestUrl): Promise<pg.QueryResult> {
  if (!url) throw new Error('adminQuery needs PULSE_TEST_DATABASE_URL');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** `url` with its connections' search_path set to `schema`. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  const before = u.searchParams.get('options');
  u.searchParams.delete('options');
  // Percent-encoded by hand: URLSearchParams writes a space as `+`, which libpq (psql) keeps as is.
  const options = `options=${encodeURIComponent(`${before ? before + ' ' : ''}-c search_path=${schema}`)}`;
  return `${u.toString()}${u.search ? '&' : '?'}${options}`;
}

/** `url` naming another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A store for one test context: `file` in `dir` on SQLite, else a fresh schema. */
export async function testDatabase(dir: string, file = 'pulse.sqlite'): Promise<TestDatabase> {
  if (!pgTestUrl) return { url: join(dir, file), async drop() {} };
  const schema = `pulse_t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  await adminQuery(`create schema ${schema}`);
  return {
    url: withSchema(pgTestUrl, schema),
    async drop() {
      await adminQuery(`drop schema if exists ${schema} cascade`);
    },
  };
}
