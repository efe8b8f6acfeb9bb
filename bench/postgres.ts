// `npx tsx bench/postgres.ts --database postgres://… [--customers 1000000] [--demo 20000] [--skip-demo] [--skip-refresh] [--refresh-on postgres]
//    [--import 2]`
//
// PostgreSQL next to SQLite, on the same data and the same machine:
//  1. `pulse demo --customers N` (default 20,000) into a fresh SQLite file and a fresh PostgreSQL
//     schema: the whole command (seeding + refresh) and the seeding alone (target: PostgreSQL ≤ 2×).
//  2. A full refresh at 1M customers: the store `npm run bench` built (bench/out/store-N.sqlite, read
//     only) is copied into a working SQLite file and, with sqlite3 and psql `\copy`, into a schema
//     of the PostgreSQL database; each store is refreshed twice and the second (steady state, with
//     the previous run's insights, as every nightly refresh) is compared (target: ≤ 1.5×).
//  3. With --import R: `pulse import orders bench/out/demo-N/orders.csv --no-refresh` R times into a
//     schema holding only the 1M customers (copied from the loaded schema; its orders emptied
//     before each run): rows/s of each run and their median (target ≥ 100,000).
// `--refresh-on none --skip-demo` only loads the store. Needs the sqlite3 and psql command-line tools. scripts/pg-test-server.sh starts a server; for
// durable settings start it with PULSE_PG_OPTIONS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on".
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../src/db/store.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    customers: { type: 'string', default: '1000000' },
    demo: { type: 'string', default: '20000' },
    'skip-demo': { type: 'boolean', default: false },
    'skip-refresh': { type: 'boolean', default: false },
    /** Runs of the orders import (bench/out/demo-N/orders.csv into a schema holding only the customers). */
    import: { type: 'string', default: '0' },
    'reload': { type: 'boolean', default: false },
    /** The 1M refresh on one store only (the other's figure from an earlier run: each takes minutes of both cores). */
    'refresh-on': { type: 'string', default: 'sqlite,postgres' },
  },
});
if (!values.database) throw new Error('--database postgres://… is required (scripts/pg-test-server.sh start prints one)');
const root = resolve(import.meta.dirname, '..');
const out = join(root, 'bench/out/postgres');
mkdirSync(out, { recursive: true });
const log = (msg: string) => process.stderr.write(`[bench:postgres] ${msg}\n`);
const results: Record<string, unknown> = { at: new Date().toISOString(), database: values.database.replace(/\/\/[^@/]*@/, '//***@') };

const withSchema = (url: string, schema: string) => {
  // Percent-encoded by hand: URLSearchParams writes a space as `+`, which libpq (psql) keeps as is.
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
};
async function admin(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: values.database });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}
/** Whether the schema holds a loaded copy of the store (its orders). */
async function loaded(schema: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: values.database });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_tables where schemaname = $1 and tablename = $2', [schema, 'orders']);
    if (r.rowCount === 0) return false;
    return (await c.query(`select exists (select 1 from ${schema}.orders) as some`)).rows[0].some === true;
  } finally {
    await c.end();
  }
}
function pulse(args: string[], url: string): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/pulse.mjs'), ...args], { env: { ...process.env, DATABASE_URL: url, PULSE_LOG_LEVEL: 'warn' }, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`pulse ${args.join(' ')} failed: ${r.stderr}`);
  return { seconds: round((performance.now() - t0) / 1000), stdout: r.stdout };
}
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

// 1. pulse demo on both stores.
if (!values['skip-demo']) {
  const n = values.demo;
  const file = join(out, `demo-${n}.sqlite`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  await admin(`drop schema if exists pulse_bench_demo cascade; create schema pulse_bench_demo`);
  const pgUrl = withSchema(values.database, 'pulse_bench_demo');
  const demo: Record<string, unknown> = {};
  for (const [name, url] of [['sqlite', file], ['postgres', pgUrl]] as const) {
    log(`pulse demo --customers ${n} on ${name}…`);
    const seed = pulse(['demo', '--customers', n, '--json', '--no-refresh'], url);
    const refreshed = pulse(['refresh', '--json'], url);
    demo[name] = { seedSeconds: round(JSON.parse(seed.stdout).seconds), commandSeconds: round(seed.seconds + refreshed.seconds), refreshSeconds: refreshed.seconds };
    log(`  ${JSON.stringify(demo[name])}`);
  }
  const s = demo.sqlite as { commandSeconds: number; seedSeconds: number };
  const p = demo.postgres as { commandSeconds: number; seedSeconds: number };
  demo.ratio = { command: round(p.commandSeconds / s.commandSeconds, 2), seed: round(p.seedSeconds / s.seedSeconds, 2), target: '≤ 2' };
  results.demo = demo;
  rmSync(file, { force: true });
}

// 2. A full refresh at 1M on both stores.
if (!values['skip-refresh']) {
  const n = values.customers;
  const source = [join(root, `bench/out/store-${n}.sqlite`), join(root, `../main/bench/out/store-${n}.sqlite`)].find((f) => existsSync(f));
  if (!source) throw new Error(`no bench/out/store-${n}.sqlite: run npm run bench -- --customers ${n} first`);
  const work = join(out, `refresh-${n}.sqlite`);
  const schema = `pulse_bench_${n}`;
  const pgUrl = withSchema(values.database, schema);
  // The schema lives in the server: a new server (scripts/pg-test-server.sh) needs the load again.
  if (values.reload || !existsSync(work) || !(await loaded(schema))) {
    log(`copying ${source} → ${work}…`);
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
    copyFileSync(source, work);
    log(`loading it into PostgreSQL schema ${schema} (sqlite3 → psql \\copy)…`);
    await admin(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    const store = await openStore(pgUrl);
    await store.close();
    const t0 = performance.now();
    const tables: [string, string][] = [
      ['customers', 'customer_id, name, email, company, owner, created_at, attributes, search_text, import_id, import_line'],
      ['customer_terms', 'term, customer_id'],
      ['orders', 'order_id, customer_id, ordered_at, day, amount, attributes, import_id, import_line'],
      ['order_items', 'order_id, product, quantity, unit_price, attributes, import_id, import_line'],
      ['feedback', 'feedback_id, customer_id, scale, score, comment, author, platform, created_at, day, attributes, import_id, import_line'],
    ];
    for (const [table, cols] of tables) {
      const t = performance.now();
      // Rows in arrival order (rowid / key order), so feedback keeps its arrival numbers' order.
      const script = `sqlite3 -csv ${JSON.stringify(work)} ${JSON.stringify(`select ${cols} from ${table}`)} | psql ${JSON.stringify(pgUrl)} -q -c ${JSON.stringify(`\\copy ${table} (${cols}) from stdin with (format csv)`)}`;
      execFileSync('bash', ['-o', 'pipefail', '-c', script], { stdio: ['ignore', 'inherit', 'inherit'] });
      log(`  ${table}: ${round((performance.now() - t) / 1000)} s`);
    }
    execFileSync('psql', [pgUrl, '-q', '-c', 'vacuum analyze'], { stdio: 'inherit' });
    results.load = { seconds: round((performance.now() - t0) / 1000), how: 'sqlite3 -csv | psql \\copy, then VACUUM ANALYZE (not the importer)' };
  }
  const refresh: Record<string, unknown> = {};
  const on = new Set(values['refresh-on'].split(','));
  for (const [name, url] of [['sqlite', work], ['postgres', pgUrl]] as const) {
    if (!on.has(name)) continue;
    log(`refresh on ${name} (twice; the second is measured)…`);
    const first = pulse(['refresh', '--json'], url);
    const second = pulse(['refresh', '--json'], url);
    const card = JSON.parse(second.stdout);
    refresh[name] = { firstSeconds: first.seconds, wallSeconds: second.seconds, totalMs: card.timingsMs.total, peakRssMb: card.peakRssMb, longestWriteLockMs: card.longestWriteLockMs, stagesMs: card.timingsMs };
    log(`  first ${first.seconds} s, second ${second.seconds} s (card total ${card.timingsMs.total} ms)`);
  }
  const s = refresh.sqlite as { wallSeconds: number } | undefined;
  const p = refresh.postgres as { wallSeconds: number } | undefined;
  if (s && p) refresh.ratio = { wall: round(p.wallSeconds / s.wallSeconds, 2), target: '≤ 1.5' };
  results.refresh = refresh;
}

// 3. The orders import into a schema that has the customers.
const importRuns = Number(values.import);
if (importRuns > 0) {
  const n = values.customers;
  const csv = [join(root, `bench/out/demo-${n}/orders.csv`), join(root, `../main/bench/out/demo-${n}/orders.csv`)].find((f) => existsSync(f));
  if (!csv) throw new Error(`no bench/out/demo-${n}/orders.csv: run npm run bench -- --customers ${n} first`);
  const source = `pulse_bench_${n}`;
  if (!(await loaded(source))) throw new Error(`schema ${source} is not loaded: run with --refresh-on none first`);
  const schema = `pulse_bench_import_${n}`;
  const url = withSchema(values.database, schema);
  log(`schema ${schema}: the customers of ${source}, no orders…`);
  await admin(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  await (await openStore(url)).close();
  await admin(`set search_path = ${schema}; insert into customers select * from ${source}.customers;
    insert into customer_terms select * from ${source}.customer_terms`);
  await admin(`vacuum analyze ${schema}.customers`);
  const runs: { rowsPerSecond: number; seconds: number; inserted: number }[] = [];
  for (let r = 0; r < importRuns; r++) {
    await admin(`truncate ${schema}.orders, ${schema}.order_items`);
    await admin('checkpoint');
    log(`pulse import orders ${csv} --no-refresh (run ${r + 1} of ${importRuns})…`);
    const s = JSON.parse(pulse(['import', 'orders', csv, '--no-refresh', '--json'], url).stdout);
    runs.push({ rowsPerSecond: Math.round(s.rowsPerSecond), seconds: round(s.seconds), inserted: s.inserted });
    log(`  ${JSON.stringify(runs.at(-1))}`);
  }
  const sorted = runs.map((x) => x.rowsPerSecond).sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  results.ordersImport = { runs, medianRowsPerSecond: median, target: '≥ 100,000' };
}

const file = join(out, `bench-postgres-${Date.now()}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
log(`written to ${file}`);
