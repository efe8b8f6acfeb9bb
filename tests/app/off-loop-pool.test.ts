// Work no rollup covers runs on the pool's worker threads (their own read-only connections), and
// answers exactly what the same command answers inline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOffLoopPool } from '../../src/app/off-loop-pool.ts';
import { createRegistry } from '../../src/commands/index.ts';
import type { Context } from '../../src/core/context.ts';
import type { OffLoopRunner } from '../../src/core/off-loop.ts';
import { localDay } from '../../src/core/time.ts';
import { buildDigest } from '../../src/reports/digest.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { consoleCall, makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let pool: OffLoopRunner;
let bot: Context;
beforeAll(async () => {
  ctx = await makeTestContext();
  await seedTestDemo(ctx, 400, 5);
  await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), 'UTC') });
  pool = startOffLoopPool(ctx, { workers: 1 });
  bot = { ...ctx, offLoop: pool };
});
afterAll(async () => {
  await pool?.close();
  await ctx?.cleanup();
});

describe('GIVEN the bot with an off-loop pool', () => {
  // Satisfaction of a segment is read from the rollups now; a risk threshold of its own still needs a scan.
  it('WHEN a command needs a scan (churn risk at another threshold) THEN a worker answers it, the same as inline', async () => {
    const registry = createRegistry();
    const before = pool.served;
    const viaPool = await registry.run('/churn-risk min:40', consoleCall(), bot);
    expect(pool.served).toBe(before + 1);
    const inline = await registry.run('/churn-risk min:40', consoleCall(), ctx);
    expect(viaPool).toEqual(inline);
    expect(viaPool.error).toBeUndefined();
  });

  it('WHEN a command reads only rollups THEN it is answered on the loop, without the pool', async () => {
    const before = pool.served;
    const reply = await createRegistry().run('/churn-risk owner:"Maya Chen"', consoleCall(), bot);
    expect(reply.error).toBeUndefined();
    expect(pool.served).toBe(before);
  });

  it('WHEN a digest needs a scan THEN it is built by a worker', async () => {
    const before = pool.served;
    // New at-risk entrants of one segment are not in the rollups.
    const req = { kind: 'at-risk' as const, segment: 'Loyal', platform: 'console' as const, scheduledFor: ctx.clock.now(), since: null, timeZone: 'UTC' };
    const viaPool = await buildDigest(bot, req);
    expect(pool.served).toBe(before + 1);
    expect(viaPool).toEqual(await buildDigest(ctx, req));
  });
});
