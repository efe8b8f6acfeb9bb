// Waiting for SQLite's write lock without blocking the event loop. better-sqlite3 is synchronous:
// its busy handler sleeps on the calling thread, so a bot whose write waits on a refresh or an
// import would stop answering chat for the wait. The bot's connection therefore waits only briefly
// inside SQLite (its busy_timeout) and then retries asynchronously, with backoff, up to a deadline;
// transactions take the store's write lock first (see beginWrite), so a statement inside one never
// finds the lock taken halfway through.
import { SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings, CompiledQuery } from 'kysely';

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

/** Runs `fn` until it does not fail on a busy store, waiting between tries; `onWait` hears about each wait. */
export async function retryBusy<T>(fn: () => Promise<T>, policy: BusyRetry = DEFAULT_BUSY_RETRY): Promise<T> {
  const started = performance.now();
  let wait = policy.firstWaitMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusy(err) || performance.now() - started + wait > policy.deadlineMs) throw err;
      await sleep(wait);
      wait = Math.min(policy.maxWaitMs, wait * 2);
    }
  }
}

/** kysely's SQLite dialect with statements retried on a busy store and transactions that take the write lock first. */
export class RetryingSqliteDialect extends SqliteDialect {
  readonly #policy: BusyRetry;
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0], policy: BusyRetry = DEFAULT_BUSY_RETRY) {
    super(config);
    this.#policy = policy;
  }

  override createDriver(): Driver {
    return new RetryingDriver(super.createDriver(), this.#policy);
  }
}

class RetryingDriver implements Driver {
  readonly #inner: Driver;
  readonly #policy: BusyRetry;
  readonly #inTransaction = new WeakSet<DatabaseConnection>();

  constructor(inner: Driver, policy: BusyRetry) {
    this.#inner = inner;
    this.#policy = policy;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#inner.acquireConnection();
    const inTransaction = this.#inTransaction;
    const policy = this.#policy;
    return {
      executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        // Inside a transaction the lock is already held (beginTransaction): a busy error there is final.
        return inTransaction.has(connection) ? connection.executeQuery<R>(query) : retryBusy(() => connection.executeQuery<R>(query), policy);
      },
      streamQuery<R>(query: CompiledQuery, chunkSize?: number) {
        return connection.streamQuery<R>(query, chunkSize);
      },
      // The same wrapper object must be recognised by begin/commit below.
      [WRAPPED]: connection,
    } as DatabaseConnection & { [WRAPPED]: DatabaseConnection };
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    const inner = unwrap(connection);
    await retryBusy(async () => {
      await inner.executeQuery(CompiledQuery.raw(BEGIN_WRITE[0]));
      try {
        await inner.executeQuery(CompiledQuery.raw(BEGIN_WRITE[1]));
      } catch (err) {
        await inner.executeQuery(CompiledQuery.raw('rollback'));
        if (isBusy(err)) throw err;
        // A store not migrated yet has no meta table (and no derived file attached): the plain way.
        await inner.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    }, this.#policy);
    this.#inTransaction.add(inner);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const inner = unwrap(connection);
    try {
      await inner.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      this.#inTransaction.delete(inner);
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const inner = unwrap(connection);
    try {
      await inner.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.#inTransaction.delete(inner);
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

const WRAPPED = Symbol('wrapped connection');

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return (connection as DatabaseConnection & { [WRAPPED]?: DatabaseConnection })[WRAPPED] ?? connection;
}
