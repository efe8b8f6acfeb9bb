// Jobs the bot runs on its own clock: the nightly refresh (and, later, digests). node-cron fires in
// the configured zone; every job goes through the same code the CLI runs.
import cron from 'node-cron';
import type { Context } from '../core/context.ts';
import { refreshToday } from '../cli/refresh.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

export const NIGHTLY_REFRESH = '15 2 * * *';

export function startScheduler(ctx: Context): Scheduler {
  let running: Promise<unknown> | undefined;
  const nightly = cron.schedule(
    NIGHTLY_REFRESH,
    async () => {
      running = refreshToday(ctx);
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
