// Jobs the bot runs on its own clock. The nightly refresh runs in a child process: fitting a
// million customers takes a minute of CPU that must not stall slash commands on this event loop.
// Every replica schedules it; one runs it: the child waits for the store's refresh lock and skips
// when a refresh that started at or after the slot is done already (another replica's).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import cron from 'node-cron';
import type { Context } from '../core/context.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

export const NIGHTLY_REFRESH = '15 2 * * *';
// From src/app/ (sources) or dist/ (bundle).
const PULSE_BIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../bin/pulse.mjs' : '../bin/pulse.mjs', import.meta.url));

/** The scheduled instant a cron run belongs to: its minute (every replica computes the same one). */
export function slotOf(firedAt: Date): Date {
  return new Date(Math.floor(firedAt.getTime() / 60_000) * 60_000);
}

/**
 * `pulse refresh --unless-refreshed-since SLOT` in a child process with this process's
 * environment; resolves with its exit code (0 also when another replica had run it).
 */
export function refreshInChildProcess(ctx: Context, slot: Date): Promise<number> {
  return new Promise((resolve) => {
    // Through bin/pulse.mjs, which alone decides a refresh's V8 flags (it re-runs itself with them).
    const args = [PULSE_BIN, 'refresh', '--unless-refreshed-since', slot.toISOString()];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
    child.on('error', (err) => {
      ctx.log.error('nightly refresh could not start', { error: err });
      resolve(1);
    });
    child.on('exit', (code) => {
      if (code !== 0) ctx.log.error('nightly refresh failed; insights are from the previous run', { code });
      resolve(code ?? 1);
    });
  });
}

export function startScheduler(ctx: Context): Scheduler {
  let running: Promise<unknown> | undefined;
  const nightly = cron.schedule(
    NIGHTLY_REFRESH,
    async () => {
      running = refreshInChildProcess(ctx, slotOf(ctx.clock.now()));
      await running;
    },
    { name: 'nightly-refresh', timezone: ctx.config.timeZone, noOverlap: true },
  );
  return {
    async stop() {
      await nightly.stop();
      await running;
    },
  };
}
