// The page-cache warm-up beside a large store's snapshot read: each thread reads the far part of a
// range the snapshot reads (the counts show which rows it walked), a failure comes back as words
// instead of failing the refresh it only speeds up, and stopping ends threads still reading.
import { writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/core/threads.ts';
import { localDay } from '../../src/core/time.ts';
import { snapshotWarmups, warmPages } from '../../src/db/page-warmup.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';
import { onPostgres } from '../helpers/test-database.ts';

let ctx: TestContext;
let file: string;
let derived: string;

describe.skipIf(onPostgres)('GIVEN a SQLite store after a refresh', () => {
  beforeAll(async () => {
    ctx = await makeTestContext();
    await seedTestDemo(ctx, 300);
    await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) });
    file = ctx.config.databaseUrl;
    derived = join(ctx.dir, ctx.store.sqlite!.prepare("SELECT value FROM meta WHERE key = 'derived_file'").pluck().get() as string);
  });
  afterAll(async () => ctx?.cleanup());

  it('WHEN the snapshot is warmed THEN each thread walks the far part of its range', async () => {
    const h = ctx.store.sqlite!;
    const ids = h.prepare('SELECT customer_id FROM customers ORDER BY customer_id').pluck().all() as string[];
    const n = h.prepare('SELECT max(rowid) FROM customers').pluck().get() as number;
    const at = (fraction: number) => ids[Math.floor(n * fraction)]!;
    const count = (sql: string, ...args: unknown[]) => h.prepare(sql).pluck().get(...args) as number;
    const { done, stop } = warmPages(snapshotWarmups(file, derived));
    const counts = await done;
    await stop();
    expect(counts).toEqual([
      [count('SELECT count(*) FROM orders WHERE customer_id >= ? AND customer_id < ?', at(1 / 3), at(2 / 3))],
      [count('SELECT count(*) FROM orders WHERE customer_id >= ?', at(2 / 3))],
      [
        count('SELECT count(owner) FROM customers WHERE rowid > ?', Math.floor(n / 4)),
        count('SELECT count(*) FROM feedback WHERE customer_id >= ?', at(0.4)),
        count('SELECT count(churn_risk) FROM insights WHERE customer_id >= ?', at(0.4)),
      ],
    ]);
    // Each range is a real part of the whole, not nothing and not everything.
    const orders = count('SELECT count(*) FROM orders');
    expect(counts[1]![0]).toBeGreaterThan(0);
    expect((counts[0] as number[])[0]! + (counts[1] as number[])[0]!).toBeLessThan(orders);
  });

  it.skipIf(process.platform !== 'linux')('WHEN a helper thread lowers its priority THEN it runs at nice 19, and the rest of the process keeps its own', async () => {
    const before = getPriority();
    const worker = startWorker(new URL('./fixtures/lowered-thread.ts', import.meta.url), 'lowered-thread', {}, import.meta.url);
    const seen = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(seen).toBe(19);
    expect(getPriority()).toBe(before);
  });

  it('WHEN a warm-up cannot read THEN it says why and the others still finish', async () => {
    const notAStore = join(ctx.dir, 'not-a-store.sqlite');
    writeFileSync(notAStore, 'this is not a database');
    const { done, stop } = warmPages([{ file: notAStore, reads: ['SELECT count(*) FROM orders'] }, { file, reads: ['SELECT count(*) FROM customers'] }]);
    const [failed, counted] = await done;
    await stop();
    expect(failed).toMatch(/not a database/);
    expect(counted).toEqual([300]);
  });

  it('WHEN the warm-up is stopped at once THEN its threads end and it settles', async () => {
    const { done, stop } = warmPages(snapshotWarmups(file, derived));
    await stop();
    const settled = await done;
    expect(settled).toHaveLength(3);
  });
});
