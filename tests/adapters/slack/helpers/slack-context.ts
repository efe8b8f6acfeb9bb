// A Context for Slack tests: a temp store (SQLite, or PostgreSQL with PULSE_TEST_DATABASE_URL) (optionally with demo data), Slack settings pointing
// at the stand-in, a pinned clock and a silent logger.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../../src/core/config.ts';
import type { Context } from '../../../../src/core/context.ts';
import { createLogger, type Logger } from '../../../../src/core/logger.ts';
import { fixedClock, localDay, type Clock } from '../../../../src/core/time.ts';
import { openStore } from '../../../../src/db/store.ts';
import { generateDemo } from '../../../../src/demo/generate.ts';
import { storeSink } from '../../../../src/demo/write-demo.ts';
import { testDatabase } from '../../../helpers/test-database.ts';

export const SIGNING_SECRET = 'test-signing-secret-8f14e45fceea167a';
export const BOT_TOKEN = 'xoxb-test-token';
export const NOW = '2026-06-01T09:00:00Z';

export interface SlackTestContext extends Context {
  dir: string;
  cleanup(): Promise<void>;
}

export async function slackTestContext(opts: { apiUrl: string; customers?: number; seed?: number; env?: Record<string, string>; log?: Logger; clock?: Clock }): Promise<SlackTestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-slack-'));
  const database = await testDatabase(dir);
  const config = loadConfig({
    DATABASE_URL: database.url,
    PULSE_LOG_LEVEL: 'silent',
    PORT: '0',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: opts.apiUrl,
    PULSE_ADMINS: 'slack:UADMIN',
    ...opts.env,
  });
  const store = await openStore(config.databaseUrl);
  const ctx: SlackTestContext = {
    store,
    config,
    log: opts.log ?? createLogger('silent'),
    clock: opts.clock ?? fixedClock(NOW),
    dir,
    async cleanup() {
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.customers) {
    const sink = await storeSink(store, ctx.clock.now());
    await generateDemo({ customers: opts.customers, seed: opts.seed ?? 11, endDay: localDay(ctx.clock.now().getTime(), config.timeZone) }, sink);
    await sink.close();
  }
  return ctx;
}

/** Short Web API retries so a test never waits on the default half-hour policy. */
export const FAST_RETRY = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20, randomize: false };

/** A logger that keeps what it is told, for asserting that failures are logged. */
export function memoryLogger(): Logger & { lines: { level: string; msg: string; data?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => void lines.push({ level, msg, ...(data ? { data } : {}) });
  return { lines, debug: () => undefined, info: at('info'), warn: at('warn'), error: at('error') };
}
