#!/usr/bin/env node
// The `pulse` command. Runs the bundle in dist/ when it is newer than every source file (fast
// start-up); otherwise runs the TypeScript sources through tsx's loader (always correct).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(join(root, 'dist/pulse.js')).mtimeMs >= newestSource(join(root, 'src'));
  } catch {
    return false;
  }
}

/**
 * The commands that compute insights over every customer (a refresh, and an import or a demo,
 * which refresh after loading) allocate hundreds of millions of short-lived objects. With V8's
 * default 16 MB semi-spaces a quarter of a 1M-customer refresh went to garbage collection; with
 * 64 MB ones the refresh took 34 s instead of 51 s on the same store, for ~110 MB more peak memory
 * (`npm run bench`). V8 also moves an allocation site to the old generation once most of its
 * objects outlive a scavenge; during the refresh's scoring that sent millions of short-lived
 * objects there, and the dead ones then kept the young objects they point to alive: every
 * scavenge copied ~27 MB (40–70 ms each instead of 2–5, `--trace-gc-nvp`), and scoring 1M
 * customers took 8–12 s instead of 5–7. These flags only take effect at start-up, so these commands
 * run in a child Node given them, unless semi-spaces were given already (NODE_OPTIONS or the
 * command line). An import or a demo that does not refresh keeps the defaults: an import stays
 * within its 256 MB (354 MB with them). The scheduler's nightly refresh starts through this file too.
 */
const args = process.argv.slice(2);
const YOUNG = /^--max[-_]semi[-_]space[-_]size\b/;
const REFRESH_FLAGS = ['--max-semi-space-size=64', '--no-allocation-site-pretenuring'];
const refreshes = args[0] === 'refresh' || ((args[0] === 'import' || args[0] === 'demo') && !args.includes('--no-refresh') && !args.some((a) => a === '--csv' || a.startsWith('--csv=')));
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => YOUNG.test(a.replace(/^["']/, '')));
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
if (process.env.PULSE_YOUNG_CHILD === '1') {
  // The re-run child: when the parent goes, even killed outright, its channel closes and this stops too.
  delete process.env.PULSE_YOUNG_CHILD;
  const stop = () => process.kill(process.pid, 'SIGTERM');
  process.channel?.unref();
  process.on('disconnect', stop);
  if (!process.connected) stop(); // gone before this line ran
} else if (refreshes && !given) {
  const child = spawn(process.execPath, [...REFRESH_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, PULSE_YOUNG_CHILD: '1' },
  });
  // Ctrl-C reaches both already; a kill by pid reaches only this one.
  const forward = (signal) => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  const [code, signal] = await new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`pulse: could not start ${process.execPath}: ${err.message}\n`);
      resolve([1, null]);
    });
    child.on('exit', (c, s) => resolve([c, s]));
  });
  for (const s of FORWARDED) process.off(s, forward);
  // Ended by a signal: end the same way (a stop that was asked for), or say which (a crash, without a second core dump).
  if (signal && (FORWARDED.includes(signal) || signal === 'SIGKILL')) process.kill(process.pid, signal);
  process.exit(code ?? 128 + (osConstants.signals[signal] ?? 0));
}

let main;
if (process.env.PULSE_FROM_SOURCE !== '1' && bundleIsFresh()) {
  ({ main } = await import('../dist/pulse.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(args);
