// Amounts in the store's currency, and "N days ago" counted from the insights' as-of day (a store
// refreshed as of a past day reads as of that day, never as of the wall clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import { formatMoney } from '../../src/core/format.ts';
import { formatDay, localDay } from '../../src/core/time.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { consoleCall, makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let asOf: number;
beforeAll(async () => {
  ctx = await makeTestContext({ PULSE_CURRENCY: 'gbp' });
  await seedTestDemo(ctx, 300, 11);
  asOf = localDay(ctx.clock.now().getTime(), 'UTC') - 200;
  await refresh(ctx, { asOfDay: asOf });
});
afterAll(async () => ctx?.cleanup());

describe('GIVEN PULSE_CURRENCY', () => {
  it('THEN amounts read in that currency, with its symbol and minor units', async () => {
    expect(formatMoney(1234.5, 'GBP')).toBe('£1,234.50');
    expect(formatMoney(-12, 'EUR')).toBe('−€12.00');
    expect(formatMoney(1234.5, 'JPY')).toBe('¥1,235');
    expect(formatMoney(478_950, 'USD')).toBe('$479K');
    const reply = await createRegistry().run('/value', consoleCall(), ctx);
    const cells = reply.tables![0]!.rows.map((r) => r[2]);
    expect(cells.every((c) => c!.startsWith('£'))).toBe(true);
    expect(JSON.stringify(reply)).not.toContain('$');
  });

  it('WHEN it is not a currency THEN the configuration is refused, naming the variable', () => {
    expect(() => loadConfig({ PULSE_CURRENCY: 'POUNDS' })).toThrow(/PULSE_CURRENCY: not an ISO 4217 currency code/);
  });
});

describe('GIVEN insights as of a day 200 days ago', () => {
  it('THEN the customer card counts days ago from that day', async () => {
    const row = await ctx.store.db.selectFrom('orders').select(['customer_id', ctx.store.db.fn.max('day').as('last')]).where('day', '<=', asOf).where('amount', '>=', 0).groupBy('customer_id').orderBy('customer_id').executeTakeFirstOrThrow();
    const reply = await createRegistry().run(`/customer ${row.customer_id}`, consoleCall(), ctx);
    const last = reply.fields!.find((f) => f.label === 'Last order')!.value;
    const lastDay = Number(row.last);
    expect(last).toBe(`${formatDay(lastDay)} (${asOf - lastDay === 0 ? 'today' : asOf - lastDay === 1 ? 'yesterday' : `${(asOf - lastDay).toLocaleString('en-US')} days ago`})`);
  });

  it('THEN /satisfaction periods end on that day', async () => {
    const reply = await createRegistry().run('/satisfaction week', consoleCall(), ctx);
    const monday = asOf - ((asOf + 3) % 7);
    expect(reply.title).toContain(`this week (from ${formatDay(monday)})`);
  });
});
