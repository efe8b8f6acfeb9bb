// A Context on a temporary store (SQLite, or PostgreSQL with PULSE_TEST_DATABASE_URL) seeded with the demo generator, configured for Discord.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '../../../src/demo/seed.ts';
import { loadConfig } from '../../../src/core/config.ts';
import type { Context } from '../../../src/core/context.ts';
import { createLogger, type LogLevel } from '../../../src/core/logger.ts';
import { fixedClock } from '../../../src/core/time.ts';
import { openStore } from '../../../src/db/store.ts';
import { testDatabase } from '../../helpers/test-database.ts';
import { APP_ID } from './fake-discord.ts';

export const NOW = '2025-03-10T12:00:00Z';

export interface TestContext {
  ctx: Context;
  /** Log lines written so far (level `debug` and up when `logLevel` says so). */
  logs: string[];
  close(): Promise<void>;
}

export async function testContext(options: { apiUrl?: string; customers?: number; seed?: number; logLevel?: LogLevel; env?: Record<string, string> } = {}): Promise<TestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-discord-'));
  const database = await testDatabase(dir);
  const config = loadConfig({
    DATABASE_URL: database.url,
    DISCORD_TOKEN: 'test-token',
    DISCORD_APPLICATION_ID: APP_ID,
    ...(options.apiUrl ? { DISCORD_API_URL: options.apiUrl } : {}),
    PULSE_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logs: string[] = [];
  const ctx: Context = { store: await openStore(database.url), config, log: createLogger(options.logLevel ?? 'warn', (l) => logs.push(l)), clock: fixedClock(NOW) };
  if ((options.customers ?? 0) > 0) await seedDemo(ctx, options.customers!, options.seed ?? 7);
  return {
    ctx,
    logs,
    async close() {
      await ctx.store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
