// The digest scheduler in the bot process: one node-cron task each minute calling `tick`, and a
// catch-up tick at start (node-cron forgets runs missed while the process was down; the outbox does
// not). Each subscription's own cron expression and zone are read by `dueRuns`, so one task serves
// every zone and a new subscription needs no new task.
import cron from 'node-cron';
import type { Context } from '../core/context.ts';
import { defaultProcessId, tick, type TickDeps, type TickReport } from './tick.ts';

export interface DigestScheduler {
  /** The catch-up tick run at start (resolves when it is done; undefined if it failed). */
  readonly catchUp: Promise<TickReport | undefined>;
  stop(): Promise<void>;
}

export const DIGEST_TICK = '* * * * *';

export interface DigestSchedulerOptions {
  /** How often to tick, as a node-cron expression (tests use a six-field one: every second). */
  every?: string;
}

export function startDigestScheduler(ctx: Context, deps: TickDeps, opts: DigestSchedulerOptions = {}): DigestScheduler {
  const tickDeps: TickDeps = { ...deps, processId: deps.processId ?? defaultProcessId() };
  let running: Promise<TickReport | undefined> | undefined;
  let stopped = false;
  const runTick = (why: 'catch-up' | 'minute'): Promise<TickReport | undefined> => {
    // A tick still busy (a slow post, a rate limit being waited out) makes the next one unnecessary:
    // whatever falls due meanwhile is found by the tick after, as the newest due slot.
    if (running || stopped) return running ?? Promise.resolve(undefined);
    const p = tick(ctx, tickDeps, ctx.clock.now())
      .then((report) => {
        if (report.deliveries.length) ctx.log.info(`digest ${why} tick`, { deliveries: report.deliveries.map((d) => ({ subscription: d.subscriptionId, period: d.periodKey, result: d.result, late: d.late })) });
        return report;
      })
      .catch((err: unknown) => {
        ctx.log.error('digest tick failed', { why, error: err });
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    running = p;
    return p;
  };
  const catchUp = runTick('catch-up');
  const task = cron.schedule(opts.every ?? DIGEST_TICK, () => void runTick('minute'), { name: 'digest-tick', noOverlap: true });
  return {
    catchUp,
    async stop() {
      stopped = true;
      await task.stop();
      await task.destroy();
      await running;
    },
  };
}
