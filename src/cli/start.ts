// `pulse start` / `npm start`: every adapter whose credentials are set, plus the schedulers; with
// none set, the console on the embedded store, seeded with demo data when it is empty.
import { consoleActor } from '../app/actors.ts';
import { createContext } from '../app/context.ts';
import { startOffLoopPool } from '../app/off-loop-pool.ts';
import { startScheduler } from '../app/scheduler.ts';
import { startBot } from '../adapters/bot.ts';
import { createConsoleAdapter } from '../adapters/console/console-adapter.ts';
import { createRegistry } from '../commands/index.ts';
import { discordConfigured, slackConfigured } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import { hasCustomers } from '../db/customers.ts';
import { SERVING } from '../db/store.ts';
import { DEFAULT_DEMO_CUSTOMERS, DEFAULT_DEMO_SEED, seedDemo } from '../demo/seed.ts';
import { parseCli } from './cli-args.ts';
import { refreshToday } from './refresh.ts';

export async function startCommand(args: string[]): Promise<number> {
  parseCli(args, {}, false);
  // The bot waits for another process's write lock asynchronously (a few ms inside SQLite at most):
  // its event loop keeps serving chat meanwhile.
  const base = await createContext({ store: SERVING });
  // better-sqlite3 answers synchronously: what a command cannot read from the rollups in a few
  // milliseconds runs on worker threads, so the event loop serving chat never waits on it.
  const offLoop = base.store.dialect === 'sqlite' ? startOffLoopPool(base, { workers: 2 }) : undefined;
  const ctx: Context = offLoop ? { ...base, offLoop } : base;
  const registry = createRegistry();
  const scheduler = startScheduler(ctx);
  const bot = await startBot(ctx, registry);
  const wantsChat = slackConfigured(ctx.config) || discordConfigured(ctx.config);
  try {
    if (wantsChat) {
      if (bot.adapters.length === 0) return 2;
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      ctx.log.info('stopping…');
      return 0;
    }
    if (!(await hasCustomers(ctx.store.db))) await seedEmptyStoreOnce(ctx);
    const prompt = createConsoleAdapter(ctx, registry, { actor: consoleActor() });
    await prompt.start();
    await prompt.done;
    return 0;
  } finally {
    await bot.stop();
    await scheduler.stop();
    await offLoop?.close();
    await ctx.store.close();
    if (wantsChat) ctx.log.info('stopped');
  }
}

/**
 * Fills an empty store with the demo data and fits the models — once, however many processes
 * start on it at the same time: they take the store's `seed` lock in turn, and whoever finds
 * customers once it holds the lock has nothing to do.
 */
export async function seedEmptyStoreOnce(ctx: Context): Promise<void> {
  let lock = await ctx.store.locks.tryLock('seed');
  if (!lock) {
    ctx.log.info(`Another process is adding demo data to the store at ${ctx.store.location}: waiting for it…`);
    lock = await ctx.store.locks.lock('seed');
  }
  try {
    if (await hasCustomers(ctx.store.db)) return;
    ctx.log.info(`The store at ${ctx.store.location} is empty: adding demo data (${DEFAULT_DEMO_CUSTOMERS} customers)…`);
    const counts = await seedDemo(ctx, DEFAULT_DEMO_CUSTOMERS, DEFAULT_DEMO_SEED);
    ctx.log.info(`Demo data ready: ${counts.customers} customers, ${counts.orders} orders. Fitting the models…`);
    await refreshToday(ctx);
  } finally {
    await lock.release();
  }
}
