// Opens the store named by DATABASE_URL: a SQLite file (default) or PostgreSQL (postgres://…).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Logger } from '../core/logger.ts';
import { CHECKPOINT_EVERY_MS, startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { PostgresHandle } from './postgres-copy.ts';
import type { RefreshIO } from './refresh-io.ts';
import type { Database } from './schema.ts';
import { DerivedAttachment } from './sqlite-derived.ts';
import { sqliteRefreshIO } from './sqlite-refresh-io.ts';
import { RetryingSqliteDialect } from './sqlite-retry.ts';
import { sqliteLocks, type StoreLocks } from './store-lock.ts';

/** The subset of better-sqlite3 that the bulk paths use (kysely's own idea of hiding a driver). */
export interface SqliteHandle {
  readonly inTransaction: boolean;
  prepare(sql: string): BetterSqlite3.Statement;
  transaction<F extends (...args: any[]) => any>(fn: F): BetterSqlite3.Transaction<F>;
  exec(sql: string): unknown;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /** Set for SQLite: the synchronous handle that bulk import and refresh use for speed. */
  readonly sqlite: SqliteHandle | undefined;
  /** Set for PostgreSQL: clients of the pool for `COPY`, which kysely's connections do not expose. */
  readonly postgres: PostgresHandle | undefined;
  /** What the refresh reads and writes, in this backend's fastest way. */
  readonly refresh: RefreshIO;
  /** Store-wide locks between processes (one refresh at a time, one demo seed). */
  readonly locks: StoreLocks;
  /** The feedback column that numbers rows by arrival (`rowid` in SQLite, an identity column in PostgreSQL). */
  readonly feedbackSeq: 'rowid' | 'seq';
  /** Where the data lives, without credentials (for logs and the model card). */
  readonly location: string;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export interface StoreOptions {
  /** Bring the schema up to date (default true). */
  migrate?: boolean;
  /** A read-only connection (worker threads that only read). */
  readonly?: boolean;
  /**
   * How long a statement waits for another process's write lock inside SQLite — blocking its
   * thread — before the async retry takes over (default 5 s; the bot uses a few ms, see sqlite-retry.ts).
   */
  busyTimeoutMs?: number;
  /**
   * This connection never copies the write-ahead log back into the database itself (SQLite does
   * that on the committing thread); a thread of its own does (checkpointer.ts). For the bot.
   */
  checkpointOffLoop?: boolean;
  /** How often that thread checkpoints (default CHECKPOINT_EVERY_MS). */
  checkpointEveryMs?: number;
  /** SQLite's page cache for this connection, in MiB (default 64). A connection that only scans needs little. */
  cacheMiB?: number;
  /** Where the store's own troubles go (the checkpointer thread's). */
  log?: Pick<Logger, 'warn'>;
}

/** The serving bot's busy timeout: a few ms inside SQLite, then the async retry (its event loop keeps serving). */
const SERVING_BUSY_TIMEOUT_MS = 3;

/** How the serving bot opens the store: nothing on its event loop waits inside SQLite. */
export const SERVING: StoreOptions = Object.freeze({ busyTimeoutMs: SERVING_BUSY_TIMEOUT_MS, checkpointOffLoop: true });

export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const readonly = options.readonly === true;
  if (isPostgresUrl(url)) {
    const store = await openPostgres(url);
    if (options.migrate !== false && !readonly) await migrateToLatest(store.db);
    return store;
  }
  const { store, derived, checkpointOffLoop } = openSqlite(url, readonly, options.busyTimeoutMs ?? 5_000, options.cacheMiB ?? 64);
  try {
    if (options.migrate !== false && !readonly) await migrateToLatest(store.db);
    if (readonly) derived.sync(true);
    else derived.ensureLive();
    if (options.checkpointOffLoop === true && !readonly) checkpointOffLoop(options.checkpointEveryMs ?? CHECKPOINT_EVERY_MS, options.log);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(
  url: string,
  readonly: boolean,
  busyTimeoutMs: number,
  cacheMiB: number,
): { store: Store; derived: DerivedAttachment; checkpointOffLoop: (everyMs: number, log: Pick<Logger, 'warn'> | undefined) => void } {
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  if (file === ':memory:') throw new Error('A SQLite store is a file (its derived data lives in files beside it): set DATABASE_URL to a path.');
  if (!readonly) mkdirSync(dirname(file), { recursive: true });
  const handle = new BetterSqlite3(file, { readonly });
  const derived = new DerivedAttachment(handle, file);
  if (!readonly) handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('foreign_keys = ON');
  handle.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
  handle.pragma(`cache_size = -${Math.max(1, Math.round(cacheMiB * 1024))}`);
  let checkpointer: Checkpointer | undefined;
  const checkpointOffLoop = (everyMs: number, log: Pick<Logger, 'warn'> | undefined) => {
    handle.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(file, {
      everyMs,
      log,
      // Without its thread, this connection checkpoints by itself again rather than let the log grow.
      onStopped: () => {
        checkpointer = undefined;
        if (handle.open) handle.pragma('wal_autocheckpoint = 1000');
      },
    });
  };
  // kysely prepares every query anew; caching prepared statements by SQL text halves the cost of
  // a lookup. A statement that is mid-iteration (a streamed read) is never handed out twice.
  const statements = new Map<string, BetterSqlite3.Statement>();
  const cachingHandle = new Proxy(handle, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (text: string) => {
          // A refresh elsewhere may have published new derived data: attach it before reading.
          derived.sync();
          let stmt = statements.get(text);
          if (!stmt || stmt.busy) {
            stmt = target.prepare(text);
            if (statements.size < 1000) statements.set(text, stmt);
          }
          return stmt;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const db = new Kysely<Database>({ dialect: new RetryingSqliteDialect({ database: cachingHandle, ...(readonly ? {} : { storeFile: file }) }) });
  const store: Store = {
    db,
    dialect: 'sqlite',
    sqlite: handle,
    postgres: undefined,
    refresh: sqliteRefreshIO(handle, file, derived),
    locks: sqliteLocks(file),
    feedbackSeq: 'rowid',
    location: file,
    async close() {
      await checkpointer?.close();
      await db.destroy();
    },
  };
  return { store, derived, checkpointOffLoop };
}

async function openPostgres(url: string): Promise<Store> {
  const [{ default: pg }, { default: Cursor }, { PostgresDialect }, { postgresRefreshIO }, { postgresLocks }] = await Promise.all([
    import('pg'),
    import('pg-cursor'),
    import('kysely'),
    import('./postgres-refresh-io.ts'),
    import('./store-lock.ts'),
  ]);
  // BIGINT and NUMERIC come back as strings by default; our counts and amounts fit in a double.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  pg.types.setTypeParser(1700, (v: string) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // The cursor lets the refresh stream millions of rows instead of loading them at once.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  const safe = url.replace(/\/\/[^@/]*@/, '//***@');
  return {
    db,
    dialect: 'postgres',
    sqlite: undefined,
    postgres: pool,
    refresh: postgresRefreshIO(db, pool),
    locks: postgresLocks(pool),
    feedbackSeq: 'seq',
    location: safe,
    async close() {
      await db.destroy();
    },
  };
}
