// The refresh reads the answers of its satisfaction windows through the day index when they are a
// small share of the store's answers, and in one pass over the table when they are a large one
// (faster then: a page read per answer otherwise). Either way: exactly the answers in the days
// asked for, up to the watermark, in customer order.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { onPostgres, storeKind } from '../helpers/test-database.ts';
import { ANSWERS_TO_SLICE } from '../../src/db/sqlite-refresh-io.ts';
import type { RawWindowAnswer } from '../../src/db/refresh-io.ts';

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

async function seed(c: TestContext, days: (i: number) => number, count: number): Promise<void> {
  for (const [customer_id, name] of [['A', 'Ann'], ['B', 'Ben'], ['C', 'Cem']] as const) {
    await c.store.db.insertInto('customers').values({ customer_id, name, email: null, company: null, owner: null, created_at: null, attributes: null, search_text: name.toLowerCase(), import_id: null, import_line: null }).execute();
  }
  const rows = Array.from({ length: count }, (_, i) => ({
    feedback_id: `f${i}`, customer_id: 'CAB'[i % 3]!, scale: 'csat' as const, score: 1 + (i % 5), comment: i % 3 ? `slow delivery ${i % 7}` : null, author: null, platform: null,
    created_at: '2026-01-01T00:00:00Z', day: days(i), attributes: null, import_id: null, import_line: null,
  }));
  for (let i = 0; i < rows.length; i += 200) await c.store.db.insertInto('feedback').values(rows.slice(i, i + 200)).execute();
}

describe(`window answers on ${storeKind}`, () => {
  for (const [name, days] of [
    ['a few recent months of answers (most in the window)', (i: number) => 20_000 - (i % 120)],
    ['years of answers (a few in the window)', (i: number) => 20_000 - (i % 2_000)],
  ] as const) {
    it(`GIVEN ${name} THEN exactly the answers of the days asked for, up to the watermark`, async () => {
      ctx = await makeTestContext();
      await seed(ctx, days, 2_400);
      const reads = await ctx.store.refresh.reads();
      try {
        const watermark = 2_000; // the first 2,000 arrivals
        const got: RawWindowAnswer[] = [];
        await reads.readWindowAnswers(20_000 - 89, 20_000, watermark, (a) => got.push(a));
        const want = Array.from({ length: 2_400 }, (_, i) => i).filter((i) => i < watermark && days(i) >= 20_000 - 89);
        expect(got.map((a) => a.feedbackId).sort()).toEqual(want.map((i) => `f${i}`).sort());
        // in customer order (the refresh walks its customer list along them), though they arrived mixed
        const customers = got.map((a) => a.customerId);
        expect(customers).toEqual([...customers].sort());
        expect(new Set(customers)).toEqual(new Set(['A', 'B', 'C']));
        const one = got.find((a) => a.feedbackId === 'f4')!;
        expect(one).toMatchObject({ customerId: 'A', day: days(4), scale: 'csat', score: 5, hasComment: true, comment: 'slow delivery 4', terms: null });
      } finally {
        await reads.close();
      }
    });
  }
});

describe(`window answers beside other work on ${storeKind}`, () => {
  /** How many answers had arrived each time a task queued on the loop got to run, during one read of `count` answers taking ~`perAnswerMs` each. */
  async function turnsDuring(count: number, perAnswerMs: number): Promise<{ delivered: number; turns: number[] }> {
    ctx = await makeTestContext();
    await seed(ctx, (i) => 20_000 - (i % 60), count);
    const reads = await ctx.store.refresh.reads();
    try {
      let delivered = 0;
      const turns: number[] = [];
      let reading = true;
      const tick = () => {
        turns.push(delivered);
        if (reading) setImmediate(tick);
      };
      setImmediate(tick);
      await reads.readWindowAnswers(20_000 - 89, 20_000, count, () => {
        delivered++;
        // The refresh's tokenising and tallying take time per answer.
        const until = performance.now() + perAnswerMs;
        while (performance.now() < until);
      });
      reading = false;
      return { delivered, turns };
    } finally {
      await reads.close();
    }
  }

  it('GIVEN a long read THEN the event loop runs between its answers (the refresh scores meanwhile), and every answer still arrives once', async () => {
    const { delivered, turns } = await turnsDuring(ANSWERS_TO_SLICE + 1_000, 0.01);
    expect(delivered).toBe(ANSWERS_TO_SLICE + 1_000);
    // The loop turned in the middle of the read, not only before it began or after it ended.
    expect(turns.filter((n) => n > 0 && n < delivered).length).toBeGreaterThan(3);
  });

  it.skipIf(onPostgres)('GIVEN a short read (a small store, maybe refreshed beside a running bot) THEN it reads in one go, holding the connection for no one else', async () => {
    const { delivered, turns } = await turnsDuring(2_400, 0.01);
    expect(delivered).toBe(2_400);
    expect(turns.filter((n) => n > 0 && n < delivered)).toEqual([]);
  });
});
