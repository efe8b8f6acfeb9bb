// `pulse start` / `npm start`: every adapter whose credentials are set, plus the scheduler; with
// none set, the console on the embedded store, seeded with demo data when it is empty.
import { consoleActor } from '../app/actors.ts';
import { createContext } from '../app/context.ts';
import { startOffLoopPool } from '../app/off-loop-pool.ts';
import { startScheduler } from '../app/scheduler.ts';
import { runConsole } from '../adapters/console/console-adapter.ts';
import { createRegistry } from '../commands/index.ts';
import { discordConfigured, slackConfigured } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import type { Registry } from '../core/registry.ts';
import { hasCustomers } from '../db/customers.ts';
import { createPosters } from '../digests/posters.ts';
import { startDigestScheduler } from '../digests/scheduler.ts';
import { DEFAULT_DEMO_CUSTOMERS, DEFAULT_DEMO_SEED, seedDemo } from '../demo/seed.ts';
import { parseCli } from './cli-args.ts';
import { refreshToday } from './refresh.ts';

interface Running {
  name: string;
  stop(): Promise<void>;
}

/** The chat adapters this configuration asks for, each started; a failing one is logged and skipped. */
async function startChatAdapters(ctx: Context, registry: Registry): Promise<Running[]> {
  const running: Running[] = [];
  const starters: [string, boolean, () => Promise<{ stop(): Promise<void> }>][] = [
    // Loaded only when configured: Bolt and discord.js take longer to load than the console needs to start.
    ['slack', slackConfigured(ctx.config), async () => (await import('../adapters/slack/slack-adapter.ts')).startSlack(ctx, registry)],
    ['discord', discordConfigured(ctx.config), async () => (await import('../adapters/discord/discord-adapter.ts')).startDiscord(ctx, registry)],
  ];
  for (const [name, wanted, start] of starters) {
    if (!wanted) continue;
    try {
      running.push({ name, ...(await start()) });
      ctx.log.info(`${name} adapter started`);
    } catch (err) {
      ctx.log.error(`${name} adapter failed to start`, { error: err });
    }
  }
  return running;
}

export async function startCommand(args: string[]): Promise<number> {
  parseCli(args, {}, false);
  const base = await createContext();
  // better-sqlite3 answers synchronously: what a command cannot read from the rollups in a few
  // milliseconds runs on worker threads, so the event loop serving chat never waits on it.
  const offLoop = base.store.dialect === 'sqlite' ? startOffLoopPool(base, { workers: 2 }) : undefined;
  const ctx: Context = offLoop ? { ...base, offLoop } : base;
  const registry = createRegistry();
  const scheduler = startScheduler(ctx);
  const digests = startDigestScheduler(ctx, { poster: await createPosters(ctx) });
  try {
    const wantsChat = slackConfigured(ctx.config) || discordConfigured(ctx.config);
    if (wantsChat) {
      const adapters = await startChatAdapters(ctx, registry);
      if (adapters.length === 0) return 2;
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      ctx.log.info('stopping…');
      for (const a of adapters) await a.stop().catch((err) => ctx.log.error(`${a.name} did not stop cleanly`, { error: err }));
      return 0;
    }
    if (!(await hasCustomers(ctx.store.db))) await seedEmptyStoreOnce(ctx);
    await runConsole(ctx, registry, { actor: consoleActor() });
    return 0;
  } finally {
    await digests.stop();
    await scheduler.stop();
    await offLoop?.close();
    await ctx.store.close();
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
