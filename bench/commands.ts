// Every command's latency in process, the way the bot runs them (the registry, the store, the
// off-loop pool for what the rollups do not hold), and the longest the event loop stalled while a
// mixed load of commands ran — optionally with a refresh and an import in other processes.
//   npx tsx bench/commands.ts --store FILE [--rounds 30] [--with-refresh] [--with-import CSV] [--json]
// A benchmark, never a test: these machines are shared; read medians and ratios.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startOffLoopPool } from '../src/app/off-loop-pool.ts';
import { createRegistry } from '../src/commands/index.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Actor, Context } from '../src/core/context.ts';
import { createLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/time.ts';
import { openStore, SERVING } from '../src/db/store.ts';

export interface CommandFigure {
  command: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
  /** Answered on a worker thread (off the event loop). */
  offLoop: boolean;
}

export interface CommandBench {
  commands: CommandFigure[];
  /** The longest event-loop stall and its p99 while the mixed load ran, in ms. */
  eventLoop: {
    maxMs: number;
    p99Ms: number;
    meanMs: number;
    seconds: number;
    alongside: string[];
    /** The five slowest commands of the mixed load (wall time, awaits included: a long one is not necessarily a stall). */
    slowest: { command: string; ms: number; atSecond: number }[];
    /**
     * Every stall over 50 ms: when, how long, the command in flight, and how much of it the event
     * loop's thread spent on the CPU (Linux; to 10 ms) — a stall with little CPU is this thread
     * waiting (descheduled, or blocked in a synchronous call), not working.
     */
    stalls: Stall[];
  };
  refresh?: { seconds: number; longestWriteLockMs: number | null; exitCode: number | null };
}

const root = resolve(import.meta.dirname, '..');

export interface Stall {
  atSecond: number;
  ms: number;
  command: string;
  cpuMs: number | null;
}

/** The event loop's thread's CPU time so far in ms (Linux, to the 10 ms tick), else null. */
function loopThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Watches the loop with a 10 ms timer; a tick late by over `overMs` is a stall, kept with what was in flight. */
function watchStalls(t0: number, inFlight: () => string, overMs = 50): { stop(): Stall[] } {
  const stalls: Stall[] = [];
  let last = performance.now();
  let cpu = loopThreadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpuNow = loopThreadCpuMs();
    const late = now - last - 10;
    if (late > overMs) stalls.push({ atSecond: Math.round((last - t0) / 100) / 10, ms: Math.round(late), command: inFlight(), cpuMs: cpu === null || cpuNow === null ? null : Math.round(cpuNow - cpu) });
    last = now;
    cpu = cpuNow;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return stalls;
    },
  };
}

export async function benchCommands(dbFile: string, opts: { rounds?: number; withRefresh?: boolean; withImport?: string; log?: (m: string) => void } = {}): Promise<CommandBench> {
  const rounds = opts.rounds ?? 30;
  const log = opts.log ?? (() => undefined);
  const config = loadConfig({ DATABASE_URL: dbFile, PULSE_LOG_LEVEL: 'silent' });
  // As the bot opens it: a writer meeting the refresh's lock waits asynchronously.
  const store = await openStore(dbFile, SERVING);
  const base: Context = { store, config, log: createLogger('silent'), clock: systemClock };
  const pool = startOffLoopPool(base, { workers: 2 });
  const ctx: Context = { ...base, offLoop: pool };
  const registry = createRegistry();
  try {
    // The owners, segments and a few customers of this store, so every command finds something.
    const owners = (await store.db.selectFrom('customers').select('owner').distinct().where('owner', 'is not', null).limit(3).execute()).map((r) => r.owner!);
    const customers = (await store.db.selectFrom('customers').select('customer_id').orderBy('customer_id').limit(3).execute()).map((r) => r.customer_id);
    const products = (await store.db.selectFrom('basket_rules').select('antecedent').distinct().limit(2).execute()).map((r) => r.antecedent);
    const admin: Actor = { id: 'console:bench', name: 'Bench Admin', role: 'admin' };
    const rep: Actor = { id: 'console:rep', name: owners[0] ?? 'Nobody', role: 'rep' };
    const o = owners[0] ?? 'Nobody';
    const cases: [string, Actor][] = [
      ['/customer ' + (customers[0] ?? 'C1'), admin],
      ['/segment', admin],
      ['/segment champions', admin],
      ['/segment clusters', admin],
      ['/value', admin],
      ['/value mine', rep],
      [`/value owner:"${o}" limit:50`, admin],
      ['/churn-risk', admin],
      ['/churn-risk mine', rep],
      [`/churn-risk owner:"${o}" segment:"at risk"`, admin],
      ['/churn-risk limit:50', admin],
      ['/lifecycle', admin],
      ['/lifecycle at-risk', admin],
      [`/lifecycle customer:${customers[1] ?? 'C1'}`, admin],
      ['/satisfaction', admin],
      ['/satisfaction 7d', admin],
      ['/satisfaction 90d', admin],
      ['/satisfaction week', admin],
      [`/satisfaction owner:"${o}"`, admin],
      ...(products.length ? [[`/basket "${products[0]}"`, admin] as [string, Actor]] : []),
      ['/digest preview at-risk', admin],
      ['/digest preview satisfaction', admin],
      [`/digest preview at-risk owner:"${o}"`, admin],
      ['/pulse model', admin],
      ['/help', admin],
      ['/satisfaction segment:"At Risk"', admin],
      [`/satisfaction 90d owner:"${o}" segment:loyal`, admin],
      // Filters no rollup holds: answered off the loop (their latency is the worker's).
      ['/churn-risk min:75', admin],
      [`/churn-risk owner:"${o}" min:70 sort:overdue`, admin],
    ];
    const figures: CommandFigure[] = [];
    for (const [text, actor] of cases) {
      const call = { actor, platform: 'console' as const };
      const before = pool.served;
      const first = await registry.run(text, call, ctx);
      if (first.error) throw new Error(`${text}: ${first.error.message}`);
      const offLoop = pool.served > before;
      const n = offLoop ? Math.max(3, Math.round(rounds / 10)) : rounds;
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await registry.run(text, call, ctx);
        times.push(performance.now() - t0);
      }
      const f = { command: text, n, p50: q(times, 0.5), p99: q(times, 0.99), max: Math.max(...times), offLoop };
      figures.push(f);
      log(`${text.padEnd(50)} p50 ${f.p50.toFixed(2)} ms  p99 ${f.p99.toFixed(2)} ms${offLoop ? '  (off the loop)' : ''}`);
    }

    // The mixed load: every command in turn, as fast as they answer, while the loop is watched.
    const alongside: string[] = [];
    const children: ChildProcess[] = [];
    let refresh: CommandBench['refresh'];
    let refreshDone: Promise<void> | undefined;
    if (opts.withRefresh) {
      alongside.push('a refresh in another process');
      const t0 = performance.now();
      const child = spawn(process.execPath, [join(root, 'bin/pulse.mjs'), 'refresh', '--json'], { env: { ...process.env, DATABASE_URL: dbFile, PULSE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      refreshDone = new Promise((resolve) =>
        child.on('exit', (code) => {
          let lock: number | null = null;
          try {
            lock = (JSON.parse(out) as { longestWriteLockMs?: number }).longestWriteLockMs ?? null;
          } catch {
            lock = null;
          }
          refresh = { seconds: (performance.now() - t0) / 1000, longestWriteLockMs: lock, exitCode: code };
          resolve();
        }),
      );
    }
    if (opts.withImport) {
      alongside.push(`an import of ${opts.withImport}`);
      children.push(spawn(process.execPath, [join(root, 'bin/pulse.mjs'), 'import', 'orders', opts.withImport, '--no-refresh'], { env: { ...process.env, DATABASE_URL: dbFile, PULSE_LOG_LEVEL: 'warn' }, stdio: 'ignore' }));
    }
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t0 = performance.now();
    const minSeconds = 20;
    let i = 0;
    const slowest: { command: string; ms: number; atSecond: number }[] = [];
    let inFlight = '';
    const watch = watchStalls(t0, () => inFlight);
    // Feedback is logged too: a write that must get the lock while the refresh writes.
    while ((performance.now() - t0) / 1000 < minSeconds || (refreshDone && refresh === undefined)) {
      const [text, actor] = i % 7 === 6 ? ([`/feedback ${customers[0]} 4 bench`, admin] as [string, Actor]) : cases[i % cases.length]!;
      const c0 = performance.now();
      inFlight = text;
      await registry.run(text, { actor, platform: 'console' }, ctx);
      inFlight = '(between commands)';
      slowest.push({ command: text, ms: performance.now() - c0, atSecond: (c0 - t0) / 1000 });
      slowest.sort((a, b) => b.ms - a.ms).splice(5);
      i++;
      await new Promise((r) => setImmediate(r));
    }
    h.disable();
    const stalls = watch.stop();
    for (const c of children) if (c.exitCode === null) c.kill();
    await refreshDone;
    return {
      commands: figures,
      eventLoop: { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, meanMs: h.mean / 1e6, seconds: (performance.now() - t0) / 1000, alongside, slowest, stalls },
      ...(refresh ? { refresh } : {}),
    };
  } finally {
    await pool.close();
    await store.close();
  }
}

function q(v: number[], p: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { store: { type: 'string' }, rounds: { type: 'string', default: '30' }, 'with-refresh': { type: 'boolean', default: false }, 'with-import': { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (!values.store) throw new Error('--store FILE');
  const r = await benchCommands(values.store, { rounds: Number(values.rounds), withRefresh: values['with-refresh'], ...(values['with-import'] ? { withImport: values['with-import'] } : {}), log: (m) => process.stderr.write(m + '\n') });
  process.stdout.write(values.json ? JSON.stringify(r, null, 2) + '\n' : `event loop: max ${r.eventLoop.maxMs.toFixed(1)} ms, p99 ${r.eventLoop.p99Ms.toFixed(1)} ms over ${r.eventLoop.seconds.toFixed(0)} s (${r.eventLoop.alongside.join(', ') || 'commands only'})\nslowest: ${r.eventLoop.slowest.map((x) => `${x.command} ${x.ms.toFixed(0)} ms at ${x.atSecond.toFixed(0)} s`).join('; ')}\nstalls over 50 ms: ${r.eventLoop.stalls.map((x) => `${x.ms} ms at ${x.atSecond} s (${x.command}; ${x.cpuMs ?? '?'} ms on the CPU)`).join('; ') || 'none'}\n${r.refresh ? `refresh alongside: ${r.refresh.seconds.toFixed(1)} s, longest write lock ${r.refresh.longestWriteLockMs} ms\n` : ''}`);
}
