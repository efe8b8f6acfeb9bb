// Waiting for SQLite's write lock without blocking the event loop. better-sqlite3 is synchronous:
// its busy handler sleeps on the calling thread, so a bot whose write waits on a refresh or an
// import would stop answering chat for the wait. The bot's connection therefore waits only briefly
// inside SQLite (its busy_timeout) and then retries asynchronously, with backoff, up to a deadline;
// transactions take the store's write lock first (see beginWrite), so a statement inside one never
// finds the lock taken halfway through.
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, RawNode, SelectQueryNode, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { WaitingWriter } from './writer-waiting.ts';

export interface BusyRetry {
  /** Give up (and throw SQLite's error) after waiting this long in all. */
  deadlineMs: number;
  /** Waits between tries: doubling from the first to the last, which then repeats. */
  firstWaitMs: number;
  maxWaitMs: number;
}

export const DEFAULT_BUSY_RETRY: BusyRetry = Object.freeze({ deadlineMs: 15_000, firstWaitMs: 5, maxWaitMs: 100 });

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED');
}

/**
 * A deferred BEGIN and a write that changes nothing: the store's write lock, taken at once, on the
 * store alone. `BEGIN IMMEDIATE` would also take a write lock on every attached file, and the
 * derived-data file (sqlite-derived.ts, a rollback journal) cannot be committed while another
 * connection reads it: one long read of the insights by a worker thread made every commit of the
 * store — /feedback, an import, the refresh's publish — fail with SQLITE_BUSY.
 */
export const BEGIN_WRITE = ['BEGIN', 'UPDATE main.meta SET value = value WHERE 0'] as const;

/** Begins a write transaction on a raw better-sqlite3 handle (see BEGIN_WRITE); SQLite's error when the lock stays taken. */
export function beginWrite(h: { exec(sql: string): unknown }): void {
  h.exec(BEGIN_WRITE[0]);
  try {
    h.exec(BEGIN_WRITE[1]);
  } catch (err) {
    h.exec('ROLLBACK');
    throw err;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it does not fail on a busy store, waiting between tries; `waiting` (when given)
 * is told when the first try met the lock taken and when the write is through (or given up).
 */
export async function retryBusy<T>(fn: () => Promise<T>, policy: BusyRetry = DEFAULT_BUSY_RETRY, waiting?: WaitingWriter): Promise<T> {
  const started = performance.now();
  let wait = policy.firstWaitMs;
  try {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!isBusy(err) || performance.now() - started + wait > policy.deadlineMs) throw err;
        waiting?.mark();
        await sleep(wait);
        wait = Math.min(policy.maxWaitMs, wait * 2);
      }
    }
  } finally {
    waiting?.unmark();
  }
}

/**
 * kysely's SQLite dialect with statements retried on a busy store and transactions that take the
 * write lock first. kysely's own SQLite driver lends its one connection to one query or transaction
 * at a time, so a write waiting for another process's lock (an import's batch) would hold every read
 * of every command behind it for the wait. Here our writes still go one at a time, but a read needs
 * only that no transaction is open on the handle (it would join it) and no stream iterates: reads
 * answer while a /feedback waits for an import's batch. A transaction, once begun, has the handle
 * to itself until it ends.
 */
export class RetryingSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  readonly #policy: BusyRetry;
  readonly #waiting: WaitingWriter | undefined;
  /** `storeFile`: where a write that waits for the lock says so to an import (writer-waiting.ts). */
  constructor(config: { database: SqliteDatabase; storeFile?: string }, policy: BusyRetry = DEFAULT_BUSY_RETRY) {
    super(config);
    this.#database = config.database;
    this.#policy = policy;
    this.#waiting = config.storeFile === undefined ? undefined : new WaitingWriter(config.storeFile);
  }

  override createDriver(): Driver {
    return new SessionDriver(this.#database, this.#policy, this.#waiting);
  }
}

/** What the driver needs of better-sqlite3's Database. */
export type SqliteDatabase = Pick<BetterSqlite3.Database, 'prepare' | 'close'>;

/** Who has the handle: one transaction or one stream, from its start to its end. */
class HandleLock {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async take(): Promise<void> {
    // Checked again after every wake-up (several waiters wake at once), then taken in that turn.
    while (this.#held) await this.#held;
    this.takeNow();
  }

  /** Takes it when it is free, in this turn; throws when it is not (a bug: the caller must know). */
  takeNow(): void {
    if (this.#held) throw new Error('handle lock taken twice');
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  give(): void {
    const release = this.#release;
    this.#held = this.#release = undefined;
    release?.();
  }

  /** Resolves when nobody holds the handle (at once when nobody does). */
  async free(): Promise<void> {
    while (this.#held) await this.#held;
  }
}

/** One kysely "connection": a view of the one handle, which holds the lock while in a transaction. */
class Session implements DatabaseConnection {
  inTransaction = false;
  constructor(readonly driver: SessionDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Inside a transaction the lock is already held (beginTransaction): a busy error there is final.
    const { db, policy, writers, handle, waiting } = this.driver;
    if (this.inTransaction) return run<R>(db, query);
    if (isRead(query)) {
      // A read needs no write lock: it runs when no transaction or stream has the handle (it would
      // become part of the transaction; an open iterator keeps better-sqlite3 busy), even while
      // writes wait their turn.
      return retryBusy(async () => {
        await handle.free();
        return run<R>(db, query);
      }, policy);
    }
    // Writes go one at a time per handle, as with kysely's own driver (so a write waiting for
    // another process's lock never lets a second one of ours start a competing attempt).
    await writers.take();
    try {
      return await retryBusy(async () => run<R>(db, query), policy, waiting);
    } finally {
      writers.give();
    }
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('Sqlite driver only supports streaming of select queries');
    // An open iterator keeps better-sqlite3's handle busy: nothing else may run until it ends.
    const own = !this.inTransaction;
    if (own) {
      await this.driver.writers.take();
      await this.driver.handle.take();
    }
    try {
      for (const row of this.driver.db.prepare(query.sql).iterate(query.parameters as unknown[])) yield { rows: [row as R] };
    } finally {
      if (own) {
        this.driver.handle.give();
        this.driver.writers.give();
      }
    }
  }
}

/** A statement that only reads: a select, or raw SQL that starts as one. */
function isRead(query: CompiledQuery): boolean {
  return SelectQueryNode.is(query.query) || (RawNode.is(query.query) && /^\s*select\b/i.test(query.sql));
}

const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;

function run<R>(db: SqliteDatabase, query: CompiledQuery): QueryResult<R> {
  const stmt = db.prepare(query.sql);
  const parameters = query.parameters as unknown[];
  if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

class SessionDriver implements Driver {
  /** Held by a transaction (from its first try to begin until it ends), a write, or a stream. */
  readonly writers = new HandleLock();
  /** Held while a transaction is open or a stream iterates: reads wait for it. */
  readonly handle = new HandleLock();
  constructor(
    readonly db: SqliteDatabase,
    readonly policy: BusyRetry,
    readonly waiting: WaitingWriter | undefined,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Session(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const session = connection as Session;
    // Our writes go one at a time; the handle is held from the moment the store's write lock is.
    await this.writers.take();
    try {
      await retryBusy(async () => {
        run(this.db, CompiledQuery.raw(BEGIN_WRITE[0]));
        try {
          run(this.db, CompiledQuery.raw(BEGIN_WRITE[1]));
        } catch (err) {
          run(this.db, CompiledQuery.raw('rollback'));
          if (isBusy(err)) throw err;
          // A store not migrated yet has no meta table (and no derived file attached): the plain way.
          run(this.db, CompiledQuery.raw('begin immediate'));
        }
      }, this.policy, this.waiting);
    } catch (err) {
      this.writers.give();
      throw err;
    }
    // Taken in the same turn as BEGIN (no read slips in): only holders of the writers' turn take it.
    this.handle.takeNow();
    session.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as Session, 'commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as Session, 'rollback');
  }

  async #end(session: Session, how: 'commit' | 'rollback'): Promise<void> {
    try {
      run(this.db, CompiledQuery.raw(how));
    } finally {
      session.inTransaction = false;
      this.handle.give();
      this.writers.give();
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // A transaction kysely gave up on without ending it cannot keep the handle.
    const session = connection as Session;
    if (session.inTransaction) await this.rollbackTransaction(session).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    // A waiting mark still being written or removed lands before the store is gone.
    await this.waiting?.settled();
    this.db.close();
  }
}
