// Jobs the bot runs on its own clock. The nightly refresh runs in a child process: fitting a
// million customers takes a minute of CPU that must not stall slash commands on this event loop.
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

/** `pulse refresh` in a child process with this process's environment; resolves with its exit code. */
export function refreshInChildProcess(ctx: Context): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PULSE_BIN, 'refresh'], { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
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
      running = refreshInChildProcess(ctx);
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
