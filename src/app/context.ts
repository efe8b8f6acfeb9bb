// Builds the one Context from the environment: config, logger, clock, store.
import { loadConfig, type Config } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { systemClock, type Clock } from '../core/time.ts';
import { openStore, type StoreOptions } from '../db/store.ts';

export async function createContext(overrides: { config?: Config; log?: Logger; clock?: Clock; store?: StoreOptions } = {}): Promise<Context> {
  const config = overrides.config ?? loadConfig();
  const log = overrides.log ?? createLogger(config.logLevel);
  const store = await openStore(config.databaseUrl, { log, ...overrides.store });
  return { store, config, log, clock: overrides.clock ?? systemClock };
}
