// Every answer equal on both stores: one generated data set written into a SQLite file and into a
// PostgreSQL schema, refreshed as of the same day, then every command — every report, each with
// its filters, a search, a card, the model card, digest previews — asked of both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fixedClock, localDay } from '../../src/core/time.ts';
import { openStore } from '../../src/db/store.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { consoleCall, makeTestContext, rep, seedTestDemo, type TestContext } from '../helpers/context.ts';
import { onPostgres } from '../helpers/test-database.ts';

const NOW = '2026-11-23T10:00:00Z';
const dir = mkdtempSync(join(tmpdir(), 'pulse-same-'));
let pg: TestContext;
let lite: Context;
const registry = createRegistry();
let product = '';

async function prepare(ctx: Context): Promise<void> {
  await seedTestDemo(ctx, 700, 13);
  const today = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
  await refresh({ ...ctx, clock: fixedClock('2026-11-09T10:00:00Z') }, { asOfDay: today - 14 });
  await refresh(ctx, { asOfDay: today });
  // Feedback after the refresh: added to the stored figures at read time.
  for (const text of ['/feedback C00003 1 late delivery and a damaged box', '/feedback C00004 nps 2 "support never answered"', '/feedback C00005 5 great service']) {
    expect((await registry.run(text, consoleCall(), ctx)).error).toBeUndefined();
  }
}

beforeAll(async () => {
  if (!onPostgres) return;
  pg = await makeTestContext({}, NOW);
  const url = join(dir, 'pulse.sqlite');
  lite = { store: await openStore(url), config: loadConfig({ DATABASE_URL: url, PULSE_LOG_LEVEL: 'silent' }), log: createLogger('silent'), clock: fixedClock(NOW) };
  await prepare(pg);
  await prepare(lite);
  const rule = await lite.store.db.selectFrom('basket_rules').select('antecedent').where('antecedent', 'not like', '% + %').orderBy('lift', 'desc').limit(1).executeTakeFirst();
  product = rule?.antecedent ?? 'none';
}, 300_000);

afterAll(async () => {
  await pg?.cleanup();
  await lite?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What legitimately differs between two refreshes: how long they took, and how much memory. */
function comparable(reply: unknown): unknown {
  return JSON.parse(JSON.stringify(reply), (key, value) => (['timingsMs', 'peakRssMb', 'longestWriteLockMs'].includes(key) ? undefined : value));
}

const admin = consoleCall();
const asRep = consoleCall(rep);

describe.skipIf(!onPostgres)('every command answers the same on SQLite and on PostgreSQL', () => {
  it('GIVEN the stores THEN they hold the same rows', async () => {
    for (const table of ['customers', 'orders', 'order_items', 'feedback', 'insights', 'lifecycle_transitions', 'basket_rules'] as const) {
      const n = async (c: Context) => Number((await c.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      expect(await n(pg), table).toBe(await n(lite));
    }
  });

  it.each([
    ['/customer C00007', admin],
    ['/customer C00131', admin],
    ['/segment', admin],
    ['/segment Champions', admin],
    ['/segment "At Risk"', admin],
    ['/segment clusters', admin],
    ['/churn-risk', admin],
    ['/churn-risk mine', asRep],
    ['/churn-risk owner:"Maya Chen" limit:20', admin],
    ['/churn-risk segment:"At Risk"', admin],
    ['/value', admin],
    ['/value mine', asRep],
    ['/value owner:"Tom Becker" limit:25', admin],
    ['/lifecycle', admin],
    ['/lifecycle at-risk', admin],
    ['/lifecycle customer:C00007', admin],
    ['/satisfaction', admin],
    ['/satisfaction 30d', admin],
    ['/satisfaction 90d owner:"Maya Chen"', admin],
    ['/satisfaction week segment:Champions', admin],
    ['/pulse model', admin],
    ['/digest preview at-risk', admin],
    ['/digest preview satisfaction', admin],
    ['/help', admin],
  ])('WHEN %s THEN the replies are equal', async (text, call) => {
    const [a, b] = [await registry.run(text, call, pg), await registry.run(text, call, lite)];
    expect(a.error).toBeUndefined();
    expect(comparable(a)).toEqual(comparable(b));
  });

  it('WHEN searching by a name, a prefix of it, a company word and nothing that exists THEN the replies are equal', async () => {
    const c = await lite.store.db.selectFrom('customers').select(['name', 'company']).where('customer_id', '=', 'C00010').executeTakeFirstOrThrow();
    const first = (c.name ?? 'x').split(' ')[0]!;
    const queries = [first, first.slice(0, 2).toLowerCase(), (c.company ?? 'x').split(' ')[0]!, c.name ?? 'x', 'zzzqqq'];
    for (const q of queries) {
      const [a, b] = [await registry.run(`/customer ${q}`, admin, pg), await registry.run(`/customer ${q}`, admin, lite)];
      expect(comparable(a), q).toEqual(comparable(b));
    }
  });

  it('WHEN /basket for the product with the strongest rule THEN the replies are equal', async () => {
    const text = `/basket "${product}"`;
    const [a, b] = [await registry.run(text, admin, pg), await registry.run(text, admin, lite)];
    expect(a.error).toBeUndefined();
    expect(comparable(a)).toEqual(comparable(b));
  });
});
