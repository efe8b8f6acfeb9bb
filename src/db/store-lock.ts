// Store-wide locks between processes: a refresh runs in one process at a time, an empty store is
// seeded once. PostgreSQL: a session advisory lock held on a connection of its own, keyed by the
// schema and the lock's name (two stores in two schemas of one database never block each other),
// released with that connection — a process that dies leaves no lock behind. SQLite: an exclusive
// transaction on a small file beside the store, which the operating system releases likewise.
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';

export type LockName = 'refresh' | 'seed';

export interface StoreLock {
  release(): Promise<void>;
}

export interface StoreLocks {
  /** The lock, or undefined at once when another process (or connection) holds it. */
  tryLock(name: LockName): Promise<StoreLock | undefined>;
  /** The lock, waiting as long as another holder keeps it. */
  lock(name: LockName): Promise<StoreLock>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function postgresLocks(pool: pg.Pool): StoreLocks {
  const take = async (name: LockName, wait: boolean): Promise<StoreLock | undefined> => {
    const client = await pool.connect();
    const key = 'hashtext(current_schema()), hashtext($1)';
    try {
      if (wait) await client.query(`select pg_advisory_lock(${key})`, [name]);
      else if (!(await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${key}) as ok`, [name])).rows[0]?.ok) {
        client.release();
        return undefined;
      }
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        try {
          await client.query(`select pg_advisory_unlock(${key})`, [name]);
          client.release();
        } catch (err) {
          // A broken connection is closed, not pooled; closing it ends the lock too.
          client.release(err as Error);
        }
      },
    };
  };
  return { tryLock: (name) => take(name, false), lock: async (name) => (await take(name, true))! };
}

export function sqliteLocks(storeFile: string): StoreLocks {
  const take = (name: LockName): StoreLock | undefined => {
    const h = new BetterSqlite3(`${storeFile}.${name}.lock`);
    try {
      h.pragma('busy_timeout = 0');
      h.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      h.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
      throw err;
    }
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        h.exec('COMMIT');
        h.close();
      },
    };
  };
  return {
    async tryLock(name) {
      return take(name);
    },
    async lock(name) {
      // better-sqlite3's own wait would block the event loop: poll instead.
      for (;;) {
        const l = take(name);
        if (l) return l;
        await pause(200);
      }
    },
  };
}
