// A real store — a SQLite file in a temp folder, or a fresh PostgreSQL schema when
// PULSE_TEST_DATABASE_URL is set (test-database.ts) — a pinned clock and a silent logger.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/config.ts';
import type { Actor, Context, Invocation } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fixedClock, localDay } from '../../src/core/time.ts';
import { openStore } from '../../src/db/store.ts';
import { generateDemo } from '../../src/demo/generate.ts';
import { storeSink } from '../../src/demo/write-demo.ts';
import { testDatabase } from './test-database.ts';

export const TEST_NOW = '2026-11-23T10:00:00Z';

export interface TestContext extends Context {
  dir: string;
  cleanup(): Promise<void>;
}

export async function makeTestContext(env: Record<string, string> = {}, now = TEST_NOW): Promise<TestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-test-'));
  const database = await testDatabase(dir);
  const config = loadConfig({ DATABASE_URL: database.url, PULSE_LOG_LEVEL: 'silent', ...env });
  const store = await openStore(config.databaseUrl);
  const ctx: TestContext = {
    store,
    config,
    log: createLogger('silent'),
    clock: fixedClock(now),
    dir,
    async cleanup() {
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return ctx;
}

export async function seedTestDemo(ctx: Context, customers = 300, seed = 7) {
  const sink = await storeSink(ctx.store, ctx.clock.now());
  const counts = await generateDemo({ customers, seed, endDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) }, sink);
  await sink.close();
  return counts;
}

export const admin: Actor = { id: 'console:test', name: 'Test Admin', role: 'admin' };
export const rep: Actor = { id: 'console:rep', name: 'Maya Chen', email: 'maya.chen@pulse.example', role: 'rep' };

export function consoleCall(actor: Actor = admin): Invocation {
  return { actor, platform: 'console' };
}
