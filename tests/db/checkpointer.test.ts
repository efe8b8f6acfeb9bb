// A SQLite connection copies the write-ahead log back into the database on the thread that
// commits, once the log is past 1,000 pages. Beside an import the log is always that long, so
// every /feedback the bot logged stopped its event loop to copy it (strace: pread/pwrite/fsync for
// 27–100+ ms after a one-row commit). The bot's connection leaves that to a thread of its own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/db/checkpointer.ts';
import { openStore, SERVING, type Store } from '../../src/db/store.ts';
import { localDay } from '../../src/core/time.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';
import { repoRoot } from '../helpers/pulse-process.ts';
import { onPostgres } from '../helpers/test-database.ts';

let ctx: TestContext | undefined;
let bot: Store | undefined;
afterEach(async () => {
  await bot?.close();
  await ctx?.cleanup();
  bot = ctx = undefined;
});

/** Another connection (an import) leaves ~3,000 new pages in the log, not yet in the database file. */
function longLog(file: string): void {
  const other = new BetterSqlite3(file);
  other.pragma('wal_autocheckpoint = 0');
  other.exec('CREATE TABLE IF NOT EXISTS filler (x BLOB)');
  const insert = other.prepare('INSERT INTO filler (x) VALUES (randomblob(3500))');
  other.transaction(() => {
    for (let i = 0; i < 3_000; i++) insert.run();
  })();
  other.close();
}

const size = (file: string) => statSync(file).size;

async function grownPast(file: string, bytes: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (size(file) <= bytes && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(size(file)).toBeGreaterThan(bytes);
}

describe.skipIf(onPostgres)('GIVEN a write-ahead log thousands of pages long, as an import leaves it', () => {
  it('WHEN the bot commits one row THEN its commit copies nothing back, and its checkpointer thread does soon after', async () => {
    ctx = await makeTestContext();
    const file = ctx.config.databaseUrl;
    bot = await openStore(file, { ...SERVING, checkpointEveryMs: 3_600_000 });
    longLog(file);
    const before = size(file);
    await bot.db.insertInto('meta').values({ key: 'bot-write', value: 'x' }).execute();
    expect(size(file)).toBe(before);

    const checkpointer = startCheckpointer(file, { everyMs: 50 });
    try {
      // The file grows page by page while the thread copies: wait until all of it is in.
      await grownPast(file, before + 3_000 * 3_500);
    } finally {
      await checkpointer.close();
    }
  });

  it('WHEN the bot has the store open THEN its own checkpointer thread copies the log back, with no write of its own', async () => {
    ctx = await makeTestContext();
    const file = ctx.config.databaseUrl;
    bot = await openStore(file, { ...SERVING, checkpointEveryMs: 50 });
    const before = size(file);
    longLog(file);
    await grownPast(file, before + 3_000 * 3_500);
  });

  it('WHEN a connection opened the default way commits one row THEN it copies the log back itself, on its own thread (what the bot no longer does)', async () => {
    ctx = await makeTestContext();
    const file = ctx.config.databaseUrl;
    longLog(file);
    const before = size(file);
    await ctx.store.db.insertInto('meta').values({ key: 'cli-write', value: 'x' }).execute();
    expect(size(file)).toBeGreaterThan(before + 3_000 * 3_500);
  });

  it('WHEN the bot itself refreshes (the demo seeded at first start) THEN its connection still leaves checkpoints to the thread', async () => {
    ctx = await makeTestContext();
    bot = await openStore(ctx.config.databaseUrl, SERVING);
    const botCtx = { ...ctx, store: bot };
    await seedTestDemo(botCtx, 120);
    await refresh(botCtx, { asOfDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) });
    expect(bot.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  });

  it('WHEN a process opens the store as the bot does and never closes it THEN its checkpointer thread does not keep it alive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-open-'));
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/open-serving.ts'), join(dir, 'p.sqlite')], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
      expect(out).toBe('opened');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

