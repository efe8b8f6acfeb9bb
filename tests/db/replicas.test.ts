// Several Pulse processes on one store — what replicas behind a load balancer do. Every case runs
// on the store this pass uses (SQLite, or PostgreSQL with PULSE_TEST_DATABASE_URL): one refresh at
// a time (the second waits and says so), the nightly refresh once across replicas, one demo seed
// for two first starts, each digest posted once by three processes ticking the same instant, and
// one feedback row for one submission received twice.
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { localDay } from '../../src/core/time.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { subscribe } from '../digests/helpers/digests.ts';
import { makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';
import { runPulse } from '../helpers/pulse-process.ts';
import { storeKind } from '../helpers/test-database.ts';

let ctx: TestContext | undefined;
const others: Store[] = [];
afterEach(async () => {
  for (const s of others.splice(0)) await s.close();
  await ctx?.cleanup();
  ctx = undefined;
});

/** A second process's view of the same store: its own connections, the same configuration. */
async function replica(c: TestContext): Promise<Context> {
  const store = await openStore(c.config.databaseUrl);
  others.push(store);
  return { store, config: c.config, log: createLogger('silent'), clock: c.clock };
}

const count = async (c: Context, table: 'customers' | 'model_runs' | 'feedback' | 'imports', where?: [string, string]) => {
  let q = c.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (where) q = q.where(where[0] as never, '=', where[1] as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe(`replicas on one store (${storeKind})`, () => {
  it('GIVEN two refreshes started at once on one store THEN both finish, one after the other, and the second says it waited', async () => {
    ctx = await makeTestContext();
    await seedTestDemo(ctx, 300, 5);
    const other = await replica(ctx);
    const day = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
    const told: string[] = [];
    const [a, b] = await Promise.all([refresh(ctx, { asOfDay: day, onWait: (m) => told.push(`a: ${m}`) }), refresh(other, { asOfDay: day, onWait: (m) => told.push(`b: ${m}`) })]);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/Another refresh is running on this store: waiting/);
    const waited = [a, b].filter((card) => card.timingsMs['wait for another refresh'] !== undefined);
    expect(waited).toHaveLength(1);
    expect(new Set([a.runId, b.runId]).size).toBe(2);
    const runs = await ctx.store.db.selectFrom('model_runs').select(['run_id', 'status']).orderBy('run_id').execute();
    expect(runs.map((r) => r.status)).toEqual(['done', 'done']);
    // The one that waited started after the other had finished.
    const [first, second] = await ctx.store.db.selectFrom('model_runs').select(['started_at', 'finished_at']).orderBy('run_id').execute();
    expect(second!.started_at >= first!.finished_at!).toBe(true);
  });

  it('GIVEN three bots whose nightly refresh fires in the same slot THEN one refresh runs and the other two say it already ran', async () => {
    ctx = await makeTestContext();
    await seedTestDemo(ctx, 300, 5);
    const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const env = { DATABASE_URL: ctx.config.databaseUrl };
    const runs = await Promise.all([0, 1, 2].map(() => runPulse(['refresh', '--unless-refreshed-since', slot], env)));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const skipped = runs.filter((r) => /^Skipped: refresh #\d+, started at .*, already covers the one scheduled for/m.test(r.stdout));
    expect(skipped).toHaveLength(2);
    expect(runs.filter((r) => /Model card/i.test(r.stdout))).toHaveLength(1);
    expect(await count(ctx, 'model_runs')).toBe(1);
    // A manual refresh is not a scheduled one: it runs.
    const manual = await runPulse(['refresh', '--json'], env);
    expect(manual.status, manual.stderr).toBe(0);
    expect(await count(ctx, 'model_runs', ['status', 'done'])).toBe(2);
  });

  it('GIVEN two `pulse start` on one empty store at once THEN the demo data are written once and both answer', async () => {
    ctx = await makeTestContext();
    const env = { DATABASE_URL: ctx.config.databaseUrl };
    const [a, b] = await Promise.all([runPulse(['start'], env, '/customer C00007\n'), runPulse(['start'], env, '/customer C00007\n')]);
    for (const r of [a, b]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Customer id\s+C00007/);
    }
    expect([a, b].filter((r) => /is empty: adding demo data/.test(r.stderr))).toHaveLength(1);
    expect(await count(ctx, 'customers')).toBe(2000);
    expect(await count(ctx, 'imports', ['kind', 'demo'])).toBe(1);
    expect(await count(ctx, 'model_runs', ['status', 'done'])).toBe(1);
  }, 180_000);

  it('GIVEN three processes ticking the same instant THEN every digest is posted exactly once', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    await seedTestDemo(ctx, 300, 5);
    await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) });
    for (let i = 0; i < 4; i++) {
      await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', channel: `c${i}`, kind: i % 2 ? 'satisfaction' : 'at-risk' });
    }
    const env = { DATABASE_URL: ctx.config.databaseUrl, PULSE_LOG_LEVEL: 'warn' };
    const tick = () => runPulse(['digest', 'tick', '--now', '2026-11-02T08:00:00Z', '--json'], env);
    const runs = await Promise.all([tick(), tick(), tick()]);
    const posted: string[] = [];
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { deliveries: { subscriptionId: number; result: string }[] };
      for (const d of report.deliveries) if (d.result === 'posted') posted.push(`#${d.subscriptionId}`);
    }
    expect(posted.sort()).toEqual(['#1', '#2', '#3', '#4']);
    // Each process printed only what it posted itself: four digests in all.
    expect(runs.map((r) => (r.stderr.match(/── digest → console:/g) ?? []).length).reduce((x, y) => x + y, 0)).toBe(4);
    const again = await tick();
    expect(JSON.parse(again.stdout).deliveries).toEqual([]);
  });

  it('GIVEN one feedback submission received by two replicas at once THEN it is stored once', async () => {
    ctx = await makeTestContext();
    await seedTestDemo(ctx, 50, 5);
    const other = await replica(ctx);
    const registry = createRegistry();
    const call = { actor: { id: 'slack:U1', name: 'Sam Agent', role: 'rep' as const }, platform: 'slack' as const, channel: 'slack:C1' };
    const before = await count(ctx, 'feedback');
    const text = '/feedback C00007 2 "late again, third time"';
    // Eight copies at once (a retry storm), alternating between the two replicas.
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => registry.run(text, call, i % 2 ? other : ctx!)));
    for (const r of replies) expect(r.error).toBeUndefined();
    expect(await count(ctx, 'feedback')).toBe(before + 1);
  });
});
