// `npm run bench [-- --customers N] [--lookups N] [--rounds N] [--rebuild]`: the product's performance
// figures on the synthetic generator (default 1,000,000 customers). Builds the CSV files and the store
// once (kept in bench/out/), then measures import, refresh stages, peak memory and write lock,
// start-up, /customer latency, every command's latency, the longest event-loop stall while commands
// run beside a refresh and an import, and 200 signed Slack requests at once. Prints a table and
// writes the JSON next to it. A benchmark, never a test: read medians and ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRegistry } from '../src/commands/index.ts';
import { loadConfig } from '../src/core/config.ts';
import { createLogger } from '../src/core/logger.ts';
import { localDay, systemClock } from '../src/core/time.ts';
import { openStore } from '../src/db/store.ts';
import { generateDemo } from '../src/demo/generate.ts';
import { csvSink } from '../src/demo/write-demo.ts';
import type { ImportSummary } from '../src/importer/import-file.ts';
import { benchCommands } from './commands.ts';
import { benchSlackMix } from './slack-mix.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000000' }, lookups: { type: 'string', default: '3000' }, rebuild: { type: 'boolean', default: false }, rounds: { type: 'string', default: '30' }, seed: { type: 'string', default: '42' } } });
const customers = Number(values.customers);
const lookups = Number(values.lookups);
const out = join(root, 'bench/out');
const csvDir = join(out, `demo-${customers}`);
const dbFile = join(out, `store-${customers}.sqlite`);
mkdirSync(out, { recursive: true });
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const results: Record<string, unknown> = { customers, machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, at: new Date().toISOString() };

/**
 * The same fixed work (a JS loop in a fresh process) timed before and after the run. The shared
 * machines these figures come from change speed by half from one hour to the next (0.69 s to
 * 1.05 s for this probe on one day): figures from runs with different probes are not comparable.
 */
function cpuProbeMs(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', 'let s = 0; for (let i = 0; i < 1e8; i++) s += i;']);
  return Math.round(performance.now() - t0);
}
const probeBefore = cpuProbeMs();

// 1. Synthetic CSV files (once).
const endDay = localDay(Date.now(), 'UTC');
if (values.rebuild || !existsSync(join(csvDir, 'orders.csv'))) {
  log(`generating ${customers} customers into ${csvDir}…`);
  const t0 = performance.now();
  const sink = csvSink(csvDir);
  const counts = await generateDemo({ customers, seed: Number(values.seed), endDay }, sink);
  await sink.close();
  results.generate = { ...counts, seconds: (performance.now() - t0) / 1000 };
}

// 2. Import into a fresh store (once per --rebuild), each file by `pulse import` in a process of
// its own, as people run it: its rows/s, and its peak resident memory (GNU time's %M when
// /usr/bin/time exists; the import's target is 256 MB whatever the file). The store as it was
// after its customers is kept (customers-N.sqlite), so that every run measures the orders import
// again (step 2a): the figure with a target is today's, not the one of the day the store was built.
const customersOnly = join(out, `customers-${customers}.sqlite`);
type ImportFigures = { rows: number; seconds: number; rowsPerSecond: number; rejected: number; peakRssMb: number | null };
const gnuTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0;
function runImport(kind: string, store: string): ImportFigures {
  log(`importing ${kind}…`);
  const importEnv = { ...process.env, DATABASE_URL: store, PULSE_LOG_LEVEL: 'warn', PULSE_TIMEZONE: 'UTC' };
  const args = [join(root, 'bin/pulse.mjs'), 'import', kind, join(csvDir, `${kind}.csv`), '--no-refresh', '--json', '--max-problems', '10'];
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, ...args], { env: importEnv, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, args, { env: importEnv, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`import ${kind} failed (${r.status}): ${r.stderr}`);
  const s = JSON.parse(r.stdout) as ImportSummary;
  const kb = /peak-rss-kb (\d+)/.exec(r.stderr ?? '');
  const peakRssMb = kb ? Math.round(Number(kb[1]) / 1024) : null;
  log(`  ${s.rowsRead} rows in ${s.seconds.toFixed(1)} s = ${s.rowsPerSecond} rows/s (${s.rejected} rejected)${peakRssMb === null ? '' : `, peak RSS ${peakRssMb} MB`}`);
  return { rows: s.rowsRead, seconds: round(s.seconds), rowsPerSecond: s.rowsPerSecond, rejected: s.rejected, peakRssMb };
}
// A store is its file, its log, and the files next to it named after it (derived insights, the refresh lock).
const removeStore = (f: string) => {
  for (const x of [f, `${f}-wal`, `${f}-shm`]) rmSync(x, { force: true });
  for (const x of readdirSync(dirname(f))) if (x.startsWith(`${basename(f)}.`)) rmSync(join(dirname(f), x), { force: true });
};
const imports: Record<string, ImportFigures> = {};
const built = values.rebuild || !existsSync(dbFile);
if (built) {
  removeStore(dbFile);
  for (const kind of ['customers', 'orders', 'order-items', 'feedback'] as const) {
    imports[kind] = runImport(kind, dbFile);
    if (kind === 'customers') copyFileSync(dbFile, customersOnly);
  }
}

/**
 * 2a. The orders import again, into a copy of the store as it was after its customers, and 2b.
 * sqlite3's own .import of the same file into a bare table, for reference. Run after the refresh
 * (step 3) on a store built before: they write and delete gigabytes of scratch files, and a
 * refresh right after them read its store at a third of the speed while the machine's disk was
 * still busy with those writes (a cold refresh: 24.5 s instead of 17.2–18.5 s, 4.5 s of system
 * time in its read-ahead instead of ~0.4 s). A refresh just after an import of its own store
 * finds the imported pages cached instead.
 */
function measureImports(): void {
  if (!built) {
    if (!existsSync(customersOnly)) {
      removeStore(customersOnly);
      runImport('customers', customersOnly);
    }
    const scratch = join(out, `orders-import-${customers}.sqlite`);
    removeStore(scratch);
    copyFileSync(customersOnly, scratch);
    try {
      imports.orders = runImport('orders', scratch);
    } finally {
      removeStore(scratch);
    }
  }
  results.import = imports;

  const sqlite3 = spawnSync('sqlite3', ['--version']).status === 0;
  if (sqlite3) {
    const ref = join(out, 'reference.sqlite');
    rmSync(ref, { force: true });
    const t0 = performance.now();
    execFileSync('sqlite3', [ref], { input: `.mode csv\n.import ${join(csvDir, 'orders.csv')} orders\n` });
    const seconds = (performance.now() - t0) / 1000;
    const rows = Number(execFileSync('sqlite3', [ref, 'select count(*) from orders']).toString().trim());
    results.referenceSqliteImport = { rows, seconds: round(seconds), rowsPerSecond: Math.round(rows / seconds) };
    rmSync(ref, { force: true });
  } else {
    results.referenceSqliteImport = 'sqlite3 CLI not installed (apt-get install sqlite3 to compare)';
  }
}

// 3. Full refresh in its own process, so its peak memory is its own. A store just built leaves
// gigabytes for the disk to write back; the kernel would throttle whoever writes next, here the
// refresh's derived file (56 s instead of 46 s measured once). Flushed first, so the figure is the
// refresh's own. REFRESH_RUNS runs, one after another: on a shared machine one run's time moves by
// seconds with the host's load, so the figure is their median (the stages are the median run's);
// memory and the write lock are the worst of them.
const REFRESH_RUNS = 3;
const env = { ...process.env, DATABASE_URL: dbFile, PULSE_LOG_LEVEL: 'warn' };
const refreshes: { wallSeconds: number; card: any }[] = [];
for (let run = 1; run <= REFRESH_RUNS; run++) {
  spawnSync('sync');
  log(`refreshing (fitting every model), run ${run} of ${REFRESH_RUNS}…`);
  const t0 = performance.now();
  const refresh = spawnSync(process.execPath, [join(root, 'bin/pulse.mjs'), 'refresh', '--json'], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (refresh.status !== 0) throw new Error(`refresh failed: ${refresh.stderr}`);
  refreshes.push({ wallSeconds: round((performance.now() - t0) / 1000), card: JSON.parse(refresh.stdout) });
}
const totals = refreshes.map((r) => r.card.timingsMs.total as number);
const { wallSeconds, card } = refreshes.find((r) => r.card.timingsMs.total === median(totals))!;
results.refresh = {
  runs: refreshes.map((r) => ({ totalMs: r.card.timingsMs.total, wallSeconds: r.wallSeconds, peakRssMb: r.card.peakRssMb })),
  medianTotalMs: median(totals),
  wallSeconds,
  stagesMs: card.timingsMs,
  peakRssMb: Math.max(...refreshes.map((r) => r.card.peakRssMb as number)),
  longestWriteLockMs: Math.max(...refreshes.map((r) => r.card.longestWriteLockMs as number)),
  churn: { auc: card.churn.auc, baselineAuc: card.churn.baselineAuc },
  bgnbd: card.bgnbd,
  clusters: card.clustering && { k: card.clustering.k, silhouette: card.clustering.silhouette },
};

measureImports();
spawnSync('sync'); // what the imports wrote, before the latencies below

// 4. Start-up to a first answer: a fresh process answering one piped command.
const lookupId = `C${String(Math.ceil(customers / 2)).padStart(Math.max(5, String(customers).length), '0')}`;
const starts: number[] = [];
for (let i = 0; i < 5; i++) {
  const s0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/pulse.mjs'), 'start'], { env, input: `/customer ${lookupId}\n`, encoding: 'utf8' });
  if (!r.stdout.includes(lookupId)) throw new Error(`start did not answer: ${r.stderr}`);
  starts.push(performance.now() - s0);
}
results.startupToFirstAnswerMs = { median: Math.round(median(starts)), runs: starts.map(Math.round), note: 'spawn → process exit after answering one /customer, incl. Node and the TypeScript loader' };

// 5. /customer latency in process: ids, names, companies, emails from the store.
const store = await openStore(dbFile);
const ctx = { store, config: loadConfig({ DATABASE_URL: dbFile, PULSE_LOG_LEVEL: 'silent' }), log: createLogger('silent'), clock: systemClock };
const registry = createRegistry();
const sample = await store.db.selectFrom('customers').select(['customer_id', 'name', 'email', 'company']).where('customer_id', 'in', Array.from({ length: 500 }, (_, i) => `C${String(1 + Math.floor(((i * 7919) % customers))).padStart(Math.max(5, String(customers).length), '0')}`)).execute();
const queries = sample.flatMap((c) => [c.customer_id, c.email ?? c.customer_id, c.name ?? c.customer_id, (c.company ?? '').split(' ').slice(0, 2).join(' ')]);
const call = { actor: { id: 'console:bench', role: 'admin' as const }, platform: 'console' as const };
for (let i = 0; i < 200; i++) await registry.run(`/customer ${queries[i % queries.length]}`, call, ctx);
const times: number[] = [];
const byKind: Record<string, number[]> = { id: [], email: [], name: [], company: [] };
for (let i = 0; i < lookups; i++) {
  const q = queries[i % queries.length]!;
  const s0 = performance.now();
  await registry.run(`/customer ${q}`, call, ctx);
  const ms = performance.now() - s0;
  times.push(ms);
  byKind[['id', 'email', 'name', 'company'][i % 4]!]!.push(ms);
}
await store.close();
results.customerLookupMs = { n: times.length, p50: round(quantile(times, 0.5), 2), p99: round(quantile(times, 0.99), 2), byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, { p50: round(quantile(v, 0.5), 2), p99: round(quantile(v, 0.99), 2) }])) };
results.storeSizeMb = Math.round(statSync(dbFile).size / 1e6);

// 6. Every command in process, then the event loop watched while commands (and /feedback writes)
// run beside a refresh and an orders import in other processes.
log('every command, then commands beside a refresh and an import…');
const commands = await benchCommands(dbFile, { rounds: Number(values.rounds), withRefresh: true, withImport: join(csvDir, 'orders.csv'), log: (m) => log(`  ${m}`) });
results.commands = commands.commands.map((c) => ({ ...c, p50: round(c.p50, 2), p99: round(c.p99, 2), max: round(c.max, 2) }));
results.eventLoop = { ...commands.eventLoop, maxMs: round(commands.eventLoop.maxMs), p99Ms: round(commands.eventLoop.p99Ms), meanMs: round(commands.eventLoop.meanMs, 2) };
results.refreshBesideCommands = commands.refresh;

// 7. 200 signed slash commands at once through the Slack HTTP endpoint (a tenth of them heavy).
log('200 signed Slack requests at once…');
results.slackMix = await benchSlackMix(dbFile, 200);

const file = join(out, `bench-${customers}.json`);
results.cpuProbeMs = { before: probeBefore, after: cpuProbeMs() };
writeFileSync(file, JSON.stringify(results, null, 2));
printTable(results);
process.stdout.write(`\nJSON: ${file}\n`);

function printTable(r: Record<string, any>) {
  const rows: [string, string, string][] = [];
  const imp = r.import as Record<string, any> | undefined;
  if (imp) {
    for (const [k, v] of Object.entries(imp)) {
      const memory = v.peakRssMb === null ? '' : `; peak RSS ${v.peakRssMb} MB`;
      const figure = `${v.rowsPerSecond.toLocaleString('en-US')} rows/s (${v.rows.toLocaleString('en-US')} rows, ${v.seconds} s${memory})`;
      rows.push([`import ${k}`, figure, k === 'orders' ? '≥ 300,000 rows/s; ≤ 256 MB' : '≤ 256 MB']);
    }
  }
  if (typeof r.referenceSqliteImport === 'object') rows.push(['  reference: sqlite3 .import orders', `${r.referenceSqliteImport.rowsPerSecond.toLocaleString('en-US')} rows/s`, 'bare table, no validation']);
  const st = r.refresh.stagesMs as Record<string, number>;
  const runs = r.refresh.runs as { totalMs: number }[];
  rows.push([`refresh, median of ${runs.length} runs`, `${(r.refresh.medianTotalMs / 1000).toFixed(2)} s (runs: ${runs.map((x) => (x.totalMs / 1000).toFixed(2)).join(', ')} s)`, '≤ 20 s']);
  for (const [k, v] of Object.entries(st)) if (k !== 'total') rows.push([`  median run: ${k.trim()}`, `${(v / 1000).toFixed(2)} s`, k.includes('bg/nbd fit') ? '≤ 1.5 s' : k === 'clusters' ? '≤ 1.5 s (k-means)' : '']);
  rows.push(['refresh peak memory (worst run)', `${r.refresh.peakRssMb} MB`, '≤ 1,536 MB']);
  rows.push(['start-up to first answer', `${r.startupToFirstAnswerMs.median} ms (median of 5)`, '≤ 1,000 ms to ready']);
  rows.push(['/customer in process', `p50 ${r.customerLookupMs.p50} ms, p99 ${r.customerLookupMs.p99} ms (${r.customerLookupMs.n} lookups)`, 'p99 ≤ 10 ms']);
  rows.push(['refresh: longest write lock (worst run)', `${r.refresh.longestWriteLockMs} ms`, '≤ 250 ms']);
  for (const c of r.commands as { command: string; p50: number; p99: number; offLoop: boolean }[]) {
    rows.push([`  ${c.command}`, `p50 ${c.p50} ms, p99 ${c.p99} ms${c.offLoop ? ' (worker thread)' : ''}`, c.offLoop ? 'off the event loop' : 'p99 ≤ 50 ms']);
  }
  const el = r.eventLoop as { maxMs: number; p99Ms: number; seconds: number; alongside: string[] };
  rows.push(['longest event-loop stall', `${el.maxMs} ms (p99 ${el.p99Ms} ms over ${Math.round(el.seconds)} s, beside ${el.alongside.join(' and ')})`, '≤ 100 ms']);
  if (r.refreshBesideCommands) rows.push(['  refresh beside commands', `${round(r.refreshBesideCommands.seconds)} s, longest write lock ${r.refreshBesideCommands.longestWriteLockMs} ms`, '']);
  const sm = r.slackMix as { requests: number; ackedWithin3s: number; ack: { p99: number }; answer: { p50: number; p99: number } };
  rows.push(['Slack: signed requests at once', `${sm.ackedWithin3s}/${sm.requests} acked in 3 s (ack p99 ${sm.ack.p99} ms; answers p50 ${sm.answer.p50} ms, p99 ${sm.answer.p99} ms)`, 'all acked in 3 s; answers p99 ≤ 1,000 ms']);
  const w = [Math.max(...rows.map((x) => x[0].length)), Math.max(...rows.map((x) => x[1].length))];
  process.stdout.write(`\nPulse benchmark — ${r.customers.toLocaleString('en-US')} customers, ${r.machine.cpus} cores, Node ${r.machine.node}\n`);
  if (r.cpuProbeMs) process.stdout.write(`CPU probe (a fixed loop in a fresh process; compare runs only at similar probes): ${r.cpuProbeMs.before} ms before, ${r.cpuProbeMs.after} ms after\n`);
  process.stdout.write('\n');
  for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w[0]!)}  ${b.padEnd(w[1]!)}  ${c}\n`);
}

function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
function median(v: number[]): number {
  return quantile(v, 0.5);
}
function round(v: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}
