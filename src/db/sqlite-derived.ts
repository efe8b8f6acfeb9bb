// Which derived-data file (see derived-schema.ts) a SQLite connection reads. The store's `meta` names
// the live one; every connection attaches it as `derived`, and re-attaches when a refresh publishes
// a new one: `PRAGMA data_version` says cheaply when another connection has committed to the
// store, and only then is `meta` read again. Unqualified table names (`insights`, `report_groups`)
// resolve to the attached file, since the store itself holds no table of those names.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DERIVED_INDEXES, DERIVED_TABLES, DERIVED_VERSION } from './derived-schema.ts';
import { CACHED_BELOW_US, looksCached, probeTimes } from './page-warmup.ts';
import { perScoreRowsAsCounts } from './migrations/0011-satisfaction-histograms.ts';
import type { SqliteHandle } from './store.ts';

export const DERIVED_ALIAS = 'derived';
const META_KEY = 'derived_file';

/** `…/pulse.sqlite` + run 12 → `…/pulse.sqlite.insights-12`. */
export function derivedPath(storeFile: string, runId: number | string): string {
  return `${storeFile}.insights-${runId}`;
}

/**
 * Creates an empty derived file of the current version at `path` (its tables, no rows). With
 * `retired`, a derived file no longer read (DerivedAttachment.retiredFile) becomes it, emptied: see
 * takeOver. Otherwise, or when that file cannot be taken over, a new file.
 */
export function createDerivedFile(path: string, retired?: string): BetterSqlite3.Database {
  const taken = retired === undefined ? undefined : takeOver(retired, path);
  if (taken) return taken;
  rmSync(path, { force: true });
  const b = new BetterSqlite3(path);
  prepareBuilder(b);
  for (const ddl of DERIVED_TABLES) b.exec(ddl);
  b.pragma(`user_version = ${DERIVED_VERSION}`);
  return b;
}

function prepareBuilder(b: BetterSqlite3.Database): void {
  // Nobody reads it until it is published, and a crash leaves a file that is simply rebuilt.
  b.pragma('journal_mode = OFF');
  b.pragma('synchronous = OFF');
  b.pragma('cache_size = -32768');
}

/**
 * The retired file `from`, emptied and renamed `to`: its tables are dropped (their pages go to its
 * free list, and the file keeps its size) and the new rows are written over its pages. A
 * new file of 430 MB (1M insights) is that much memory the kernel finds anew for its page cache,
 * and on a VM whose host takes back the guest's free memory each fresh page cost ~10–25 µs: writing
 * 428 MB into a new file took 1.6–2.7 s of system time against 0.02 s over a cached file in place
 * (dd, here); a refresh's writer thread spent 1–2.5 s in the kernel. Dropping every table of 1M
 * insights takes ~0.2 s when they are cached (retiredFile takes only such a file). Zeroing the
 * freed pages as well (secure_delete) made the writer ~1.5 s slower at 1M: each page was then
 * written twice, and the second write waited for the first's. The pages the new rows do not reuse
 * (a file shrinks by at most a third: RETIRED_SIZE_LIMIT) keep old derived rows, as a deleted
 * file's disk blocks did. Who could still read it: a connection that attached it while it was
 * live re-attaches the live file before its next statement (DerivedAttachment.sync); one in the
 * middle of a read holds a lock on it, and the exclusive lock taken here is then refused, not
 * waited for. Undefined when it cannot be had at once, or it is not a database.
 */
function takeOver(from: string, to: string): BetterSqlite3.Database | undefined {
  // Renamed first: SQLite writes to no file renamed since it was opened (SQLITE_READONLY_DBMOVED).
  // A connection still reading it reads it by its handle, unchanged until it is locked.
  try {
    rmSync(to, { force: true });
    renameSync(from, to);
  } catch {
    return undefined;
  }
  let b: BetterSqlite3.Database | undefined;
  try {
    b = new BetterSqlite3(to, { fileMustExist: true, timeout: 0 });
    prepareBuilder(b);
    b.exec('BEGIN EXCLUSIVE');
    const tables = b.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    for (const table of tables) b.exec(`DROP TABLE "${table.replaceAll('"', '""')}"`);
    for (const ddl of DERIVED_TABLES) b.exec(ddl);
    b.pragma(`user_version = ${DERIVED_VERSION}`);
    b.exec('COMMIT');
    // From here it is built as a new file is, waiting as long for a lock.
    b.pragma(`busy_timeout = ${BUILDER_BUSY_TIMEOUT_MS}`);
    return b;
  } catch {
    // Unlinked, not emptied: a reader still on it goes on reading it as it was.
    b?.close();
    rmSync(to, { force: true });
    return undefined;
  }
}

/**
 * Probes of a retired file (of PROBES_PER_PLAN) that may be slow with it still taken for cached: a
 * slow one is as likely a thread that lost its core (the tests, running in parallel, saw two).
 */
const RETIRED_SLOW_PROBES = 2;

/** better-sqlite3's default: what a new file's builder waits for a lock. */
const BUILDER_BUSY_TIMEOUT_MS = 5_000;

/**
 * A retired file larger than the live one by more than this is not taken over (a new file is made):
 * a file taken over keeps its size, and one from before a store shrank would stay that large.
 */
const RETIRED_SIZE_LIMIT = 1.5;

/**
 * Builds the insights' indexes. SQLite sorts each index's entries in runs as large as the page
 * cache, then merges them: with the file's 32 MiB cache each run outgrew the core's 2 MiB L2 cache,
 * and the four indexes of 1M insights took 3.8–5.6 s; with 1 MiB runs (merged through a temporary
 * file) 2.8–3.9 s, alternating the two in the sqlite3 CLI. The cache goes back afterwards.
 */
export function indexDerivedFile(b: BetterSqlite3.Database): void {
  const cache = b.pragma('cache_size', { simple: true }) as number;
  b.pragma(`cache_size = -${INDEX_SORT_KIB}`);
  b.pragma(`threads = ${INDEX_SORT_THREADS}`);
  try {
    for (const ddl of DERIVED_INDEXES) b.exec(ddl);
  } finally {
    b.pragma('threads = 0');
    b.pragma(`cache_size = ${cache}`);
  }
}

/** The page cache, and so the sort runs, while the insights are indexed (see indexDerivedFile). */
const INDEX_SORT_KIB = 1024;
/**
 * Helper threads SQLite's sorter may sort runs on while the builder's thread reads the next: the
 * refresh's main thread mostly waits for the index by then. The four indexes of 1M insights took
 * 1.70–1.96 s instead of 2.30–2.32 s in the sqlite3 CLI, for 0.3–0.5 s more CPU.
 */
const INDEX_SORT_THREADS = 1;

export class DerivedAttachment {
  readonly #h: SqliteHandle;
  readonly #storeFile: string;
  #attached: string | undefined;
  #dataVersion = -1;
  /** False until the store is migrated (its `meta` may not exist before). */
  #ready = false;
  /** `PRAGMA main.data_version`, prepared once: asked before every statement, so it must be cheap. */
  #dataVersionQuery: BetterSqlite3.Statement | undefined;

  constructor(handle: SqliteHandle, storeFile: string) {
    this.#h = handle;
    this.#storeFile = storeFile;
  }

  /** The live file's name, from the store. */
  liveName(): string | undefined {
    return this.#h.prepare('SELECT value FROM main.meta WHERE key = ?').pluck().get(META_KEY) as string | undefined;
  }

  /**
   * Attaches the live file if another connection published a new one since the last look (cheap:
   * one pragma). Not inside a transaction, nor while a statement reading it is open: then later.
   */
  sync(force = false): void {
    const h = this.#h as SqliteHandle & { inTransaction: boolean };
    if (force) this.#ready = true;
    if (!this.#ready || h.inTransaction) return;
    this.#dataVersionQuery ??= this.#h.prepare('PRAGMA main.data_version').pluck();
    const version = this.#dataVersionQuery.get() as number;
    if (!force && version === this.#dataVersion && this.#attached !== undefined) return;
    this.#dataVersion = version;
    const name = this.liveName();
    if (!name || name === this.#attached) return;
    const path = join(dirname(this.#storeFile), name);
    if (!existsSync(path)) return;
    try {
      if (this.#attached !== undefined) h.exec(`DETACH DATABASE ${DERIVED_ALIAS}`);
      h.prepare(`ATTACH DATABASE ? AS ${DERIVED_ALIAS}`).run(path);
      this.#attached = name;
    } catch {
      // A statement still reads the old file: it stays attached (or none yet); try again next time.
      this.#dataVersion = -1;
    }
  }

  /**
   * Before the first refresh, or after an upgrade: a derived file of the current version made live —
   * the live file of version 1 converted (copyFromVersion1), else an empty one holding the insights
   * of the previous schema when a migration kept them (a file of an unknown version is not read).
   */
  ensureLive(): void {
    this.#ready = true;
    const name = this.liveName();
    const live = name ? join(dirname(this.#storeFile), name) : undefined;
    const version = live ? this.#versionOf(live) : undefined;
    if (version === DERIVED_VERSION) return;
    const path = derivedPath(this.#storeFile, `init-${process.pid}-${Date.now()}`);
    try {
      this.#build(path, version === 1 ? live : undefined);
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    }
    // Two processes opening at once, or a refresh publishing meanwhile: the name is only written
    // over the one this started from; otherwise the other stands and this file is removed.
    const set = this.#h.prepare('INSERT INTO main.meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE main.meta.value = ?');
    set.run(META_KEY, basename(path), name ?? '');
    if (this.liveName() !== basename(path)) rmSync(path, { force: true });
    else if (this.#h.prepare("SELECT count(*) FROM main.sqlite_master WHERE type = 'table' AND name = 'insights_v3'").pluck().get()) this.#h.exec('DROP TABLE insights_v3');
    this.sync(true);
  }

  /**
   * A new derived file at `path`: the version-1 file `v1` converted when it can be read (a refresh
   * may have removed it meanwhile: then, as for a file of an unknown version, an empty one), and
   * the insights of the previous schema when a migration kept them.
   */
  #build(path: string, v1: string | undefined): void {
    let b = createDerivedFile(path);
    try {
      if (v1 !== undefined && existsSync(v1)) {
        try {
          copyFromVersion1(b, v1);
        } catch {
          b.close();
          b = createDerivedFile(path);
        }
      }
      const hasOld = this.#h.prepare("SELECT count(*) FROM main.sqlite_master WHERE type = 'table' AND name = 'insights_v3'").pluck().get() as number;
      if (hasOld) {
        b.prepare('ATTACH DATABASE ? AS store').run(this.#storeFile);
        b.exec(`INSERT INTO insights SELECT customer_id, run_id, as_of_day, NULL, orders, purchase_days, revenue, first_day, last_day, usual_gap_days,
          days_overdue, recency_score, frequency_score, monetary_score, segment, cluster_id, cluster_name, p_alive, expected_purchases_90d,
          expected_spend, clv_12m, churn_risk, churn_drivers, value_at_risk, lifecycle_stage, lifecycle_reason, stage_since_day,
          (SELECT max(t.run_id) FROM store.lifecycle_transitions t WHERE t.customer_id = i.customer_id AND t.to_stage = i.lifecycle_stage)
          FROM store.insights_v3 i ORDER BY customer_id`);
        b.exec('DETACH DATABASE store');
      }
      indexDerivedFile(b);
    } finally {
      b.close();
    }
  }

  /** Makes `name` the live file (inside the caller's transaction on the store). */
  publish(name: string): void {
    this.#h.prepare('INSERT INTO main.meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(META_KEY, name);
  }

  /**
   * A derived file a refresh published before the one live now (the oldest, when there are
   * several), for a new one to take over (createDerivedFile): only when its pages look cached
   * (probed as the page warm-up does; a small file counts as cached) — dropping its tables reads
   * every page, and from a cold cache that would cost more than a new file — and when it is not
   * much larger than the live file (RETIRED_SIZE_LIMIT). `cachedBelowUs`: see CACHED_BELOW_US.
   */
  retiredFile(cachedBelowUs = CACHED_BELOW_US): string | undefined {
    const live = this.liveName();
    const dir = dirname(this.#storeFile);
    let oldest: { run: number; name: string } | undefined;
    for (const { name, suffix } of this.#derivedFiles()) {
      if (name === live || !/^\d+$/.test(suffix)) continue;
      const run = Number(suffix);
      if (!oldest || run < oldest.run) oldest = { run, name };
    }
    if (!oldest || !live) return undefined;
    const path = join(dir, oldest.name);
    try {
      const size = statSync(path).size;
      if (size > RETIRED_SIZE_LIMIT * statSync(join(dir, live)).size) return undefined;
      const probes = probeTimes([{ file: path, from: 0, to: size }]);
      return probes.length === 0 || looksCached(probes, cachedBelowUs, RETIRED_SLOW_PROBES) ? path : undefined;
    } catch {
      return undefined; // gone meanwhile
    }
  }

  /**
   * Deletes derived files other than these (a reader still on one keeps reading it until it
   * re-attaches), and files a refresh of an earlier run was building when it was killed: only one
   * refresh runs at a time, so a half-built file of a run before `runId` will never be finished.
   */
  removeAllBut(keep: readonly string[], runId: number): void {
    const dir = dirname(this.#storeFile);
    for (const { name, suffix } of this.#derivedFiles()) {
      if (keep.includes(name)) continue;
      const building = /^(\d+)\.building(-journal)?$/.exec(suffix);
      if (building ? Number(building[1]) < runId : !name.includes('.building')) rmSync(join(dir, name), { force: true });
    }
  }

  /** The derived files beside the store (`pulse.sqlite.insights-SUFFIX`), by name and suffix. */
  #derivedFiles(): { name: string; suffix: string }[] {
    const prefix = `${basename(this.#storeFile)}.insights-`;
    return readdirSync(dirname(this.#storeFile))
      .filter((name) => name.startsWith(prefix))
      .map((name) => ({ name, suffix: name.slice(prefix.length) }));
  }

  /** The derived file's version; undefined when there is no such file. */
  #versionOf(path: string): number | undefined {
    if (!existsSync(path)) return undefined;
    const b = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    try {
      return b.pragma('user_version', { simple: true }) as number;
    } finally {
      b.close();
    }
  }
}

/**
 * The live file of version 1 copied into `b` (new, empty): every table as it was but the daily
 * satisfaction rollups, which were a row per score (migration 0011 converts PostgreSQL's the same
 * way). The store's figures then stay readable from the first start after an upgrade, not only
 * after the next refresh.
 */
function copyFromVersion1(b: BetterSqlite3.Database, path: string): void {
  b.prepare('ATTACH DATABASE ? AS v1').run(path);
  try {
    // Removed since it was looked at (a refresh cleaning up), SQLite would have made an empty file.
    if (b.pragma('v1.user_version', { simple: true }) !== 1) throw new Error(`${path} is no longer a derived file of version 1`);
    // No transaction: the file has no journal, and one that fails half-way is thrown away.
    for (const table of ['insights', 'report_groups', 'report_lists', 'report_entrants', 'report_term_windows', 'report_terms', 'report_detractors']) {
      b.exec(`INSERT INTO main.${table} SELECT * FROM v1.${table}`);
    }
    b.exec(`INSERT INTO main.report_satisfaction (run_id, scope, key, day, csat, nps)
      SELECT run_id, scope, key, day, ${perScoreRowsAsCounts('csat')}, ${perScoreRowsAsCounts('nps')}
      FROM v1.report_satisfaction GROUP BY run_id, scope, key, day`);
  } finally {
    b.exec('DETACH DATABASE v1');
  }
}
