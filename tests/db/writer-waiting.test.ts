// SQLite does not queue writers: an import that commits a batch and begins the next at once kept
// the write lock nearly all the time, and a /feedback in the bot got in only by chance (2.6-4 s
// at 1M). The bot's waiting write now says so beside the store, and the import lets it in between
// batches (src/db/writer-waiting.ts).
import { spawn } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, SERVING, type Store } from '../../src/db/store.ts';
import { letWaitingWritersIn, WaitingWriter } from '../../src/db/writer-waiting.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { repoRoot } from '../helpers/pulse-process.ts';
import { onPostgres } from '../helpers/test-database.ts';

let ctx: TestContext | undefined;
let bot: Store | undefined;
afterEach(async () => {
  await bot?.close();
  await ctx?.cleanup();
  bot = ctx = undefined;
});

/** Another process taking the write lock back to back for `ms` (tests/db/fixtures/hog-write-lock.ts). */
function hog(file: string, ms: number, mode: 'yield' | 'greedy'): Promise<{ ended: () => boolean; done: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/hog-write-lock.ts'), file, String(ms), mode], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let ended = false;
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => ((ended = true), resolve(code))));
  return new Promise((resolve) => child.stdout.once('data', () => resolve({ ended: () => ended, done })));
}

describe.skipIf(onPostgres)('GIVEN another process writing in back-to-back transactions, as a long import does', () => {
  it('WHEN the bot writes meanwhile THEN each write gets in between two of its transactions, long before it ends', async () => {
    ctx = await makeTestContext();
    bot = await openStore(ctx.config.databaseUrl, SERVING);
    const writer = await hog(ctx.config.databaseUrl, 6_000, 'yield');
    const landedWhileItRan: boolean[] = [];
    for (let k = 0; k < 5; k++) {
      await bot.db.insertInto('meta').values({ key: `bot-${k}`, value: 'x' }).execute();
      landedWhileItRan.push(!writer.ended());
    }
    expect(await writer.done).toBe(0);
    // With `greedy` (no hand-over) the bot's retries find the lock free only by chance: these land
    // after the 6 s, or fail at the 15 s deadline.
    expect(landedWhileItRan).toEqual([true, true, true, true, true]);
    const rows = await bot.db.selectFrom('meta').select('key').where('key', 'like', 'bot-%').execute();
    expect(rows).toHaveLength(5);
  });

  it('WHEN a waiting writer died and left its mark THEN the import pauses only a moment for it, and not at all once it is stale', async () => {
    ctx = await makeTestContext();
    const file = ctx.config.databaseUrl;
    await new WaitingWriter(file).mark();
    // A fresh mark holds the import back for a bounded pause, not until the mark goes …
    await letWaitingWritersIn(file);
    expect(existsSync(`${file}.writer-waiting`)).toBe(true);
    // … and a mark from a writer that stopped retrying long ago is ignored.
    const t0 = performance.now();
    await letWaitingWritersIn(file);
    const freshPause = performance.now() - t0;
    const past = new Date(Date.now() - 60_000);
    utimesSync(`${file}.writer-waiting`, past, past);
    const t1 = performance.now();
    await letWaitingWritersIn(file);
    // A stale mark costs one look, a fresh one the whole bounded pause (250 ms): a ratio, not a time limit.
    expect(performance.now() - t1).toBeLessThan(freshPause / 4);
  });

  it('WHEN marks and unmarks are asked for in a row THEN they land in that order, whatever the file system takes', async () => {
    ctx = await makeTestContext();
    const file = ctx.config.databaseUrl;
    const w = new WaitingWriter(file);
    void w.mark();
    void w.unmark();
    void w.mark();
    await w.unmark();
    expect(existsSync(`${file}.writer-waiting`)).toBe(false);
    await w.mark();
    expect(existsSync(`${file}.writer-waiting`)).toBe(true);
    await w.unmark();
    expect(existsSync(`${file}.writer-waiting`)).toBe(false);
  });
});
