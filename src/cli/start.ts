// `pulse start` / `npm start`: every adapter whose credentials are set; with none, the console on
// the embedded store, seeded with demo data when it is empty.
import { consoleActor } from '../app/actors.ts';
import { createContext } from '../app/context.ts';
import { startScheduler } from '../app/scheduler.ts';
import { runConsole } from '../adapters/console/console-adapter.ts';
import { createRegistry } from '../commands/index.ts';
import { discordConfigured, slackConfigured } from '../core/config.ts';
import { countCustomers } from '../db/customers.ts';
import { DEFAULT_DEMO_CUSTOMERS, DEFAULT_DEMO_SEED, seedDemo } from './demo.ts';
import { parseCli } from './main.ts';
import { refreshToday } from './refresh.ts';

export async function startCommand(args: string[]): Promise<number> {
  parseCli(args, {}, false);
  const ctx = await createContext();
  const registry = createRegistry();
  try {
    if (slackConfigured(ctx.config) || discordConfigured(ctx.config)) {
      ctx.log.error('Slack and Discord adapters are not built yet; starting the console instead.');
    }
    if ((await countCustomers(ctx.store.db)) === 0) {
      ctx.log.info(`The store at ${ctx.store.location} is empty: adding demo data (${DEFAULT_DEMO_CUSTOMERS} customers)…`);
      const counts = await seedDemo(ctx, DEFAULT_DEMO_CUSTOMERS, DEFAULT_DEMO_SEED);
      ctx.log.info(`Demo data ready: ${counts.customers} customers, ${counts.orders} orders. Fitting the models…`);
      await refreshToday(ctx);
    }
    const scheduler = startScheduler(ctx);
    try {
      await runConsole(ctx, registry, { actor: consoleActor() });
    } finally {
      await scheduler.stop();
    }
    return 0;
  } finally {
    await ctx.store.close();
  }
}
