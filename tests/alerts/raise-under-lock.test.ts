// Raising alerts on SQLite takes prepared statements in one transaction; when another process
// holds the write lock past the bot's few-ms wait, the same alerts go through the retrying kysely
// path instead — raised once, with their raise message queued once, and the event loop free.
import { afterEach, describe, expect, it } from 'vitest';
import { raiseAlerts, type NewAlert } from '../../src/db/alerts.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { holdWriteLock } from '../helpers/hold-write-lock.ts';
import { onPostgres } from '../helpers/test-database.ts';

let ctx: TestContext | undefined;
let bot: Store | undefined;
afterEach(async () => {
  await bot?.close();
  await ctx?.cleanup();
  bot = ctx = undefined;
});

const alert = (customerId: string, kind: NewAlert['kind'], at: string): NewAlert => ({
  customer_id: customerId,
  kind,
  owner: 'Maya Chen',
  owner_key: 'maya chen',
  raised_at: at,
  raised_by: 'refresh #2',
  run_id: 2,
  as_of_day: 20_790,
  last_purchase_day: 20_700,
  churn_risk: 71,
  previous_risk: 52,
  value_at_risk: 420,
  worth: 1_300,
  feedback_id: null,
  details: '{"threshold":60}',
});

// SQLite's write lock, held by another process; PostgreSQL's row-level races are tested with the replicas.
describe.skipIf(onPostgres)('raising alerts', () => {
  it('GIVEN another process holding the write lock WHEN alerts are raised THEN they wait for it and land once, each with one raise message', async () => {
    ctx = await makeTestContext();
    bot = await openStore(ctx.config.databaseUrl, { busyTimeoutMs: 5 });
    const at = '2026-06-01T09:00:00.000Z';
    const batch = [alert('C1', 'slipping', at), alert('C2', 'silent', at), alert('C1', 'slipping', at)];
    const { done } = await holdWriteLock(ctx.config.databaseUrl, 500);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const raised = await raiseAlerts(bot, batch, at);
    clearInterval(timer);
    await done;
    expect(ticks, 'the event loop kept turning while the lock was held').toBeGreaterThan(5);
    expect(raised.map((a) => [a.customer_id, a.kind, a.episode, a.state])).toEqual([
      ['C1', 'slipping', 1, 'open'],
      ['C2', 'silent', 1, 'open'],
    ]);
    const deliveries = await bot.db.selectFrom('alert_deliveries').select(['delivery_key', 'alert_id', 'status']).orderBy('delivery_key').execute();
    expect(deliveries).toEqual(raised.map((a) => ({ delivery_key: `${a.alert_id}:raise`, alert_id: a.alert_id, status: 'pending' })));

    // Free lock, fast path: the open episodes stop a second alert; another customer gets one.
    const again = await raiseAlerts(bot, [alert('C1', 'slipping', at), alert('C3', 'silent', at)], at);
    expect(again.map((a) => [a.customer_id, a.alert_id])).toEqual([['C3', Math.max(...raised.map((a) => a.alert_id)) + 1]]);
    expect(await bot.db.selectFrom('alerts').select('alert_id').execute()).toHaveLength(3);
    expect(await bot.db.selectFrom('alert_deliveries').select('delivery_key').execute()).toHaveLength(3);
  });
});
