import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerSuggestions, pagedStoreCustomers } from '../../../src/adapters/discord/customer-suggestions.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import type { CustomerRow } from '../../../src/db/schema.ts';
import { testContext, type TestContext } from './test-context.ts';

describe('CustomerSuggestions', () => {
  let t: TestContext;
  let customers: CustomerRow[];
  beforeAll(async () => {
    t = await testContext({ customers: 200 });
    customers = await sampleCustomers(t.ctx.store.db, 200);
  });
  afterAll(async () => t?.close());

  it('GIVEN no index yet THEN suggestions come from the store; after a refresh, from memory, with the same customer first', async () => {
    const s = new CustomerSuggestions(t.ctx);
    const c = customers[17]!;
    expect(s.ready).toBe(false);
    const fromStore = await s.suggest(c.customer_id);
    expect(fromStore[0]).toEqual({ customerId: c.customer_id, label: expect.stringContaining(c.customer_id) });
    await s.refresh();
    expect(s.ready).toBe(true);
    expect(s.size).toBe(200);
    expect((await s.suggest(c.customer_id))[0]).toEqual(fromStore[0]);
    expect(await s.suggest('  ')).toEqual([]);
  });

  it('GIVEN the store THEN customers are read page by page, each once, in id order', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of pagedStoreCustomers(7)(t.ctx)) {
      pages++;
      ids.push(...page.map((r) => r.customer_id));
    }
    expect(pages).toBe(Math.ceil(200 / 7));
    expect(ids).toEqual(customers.map((c) => c.customer_id));
  });

  it('GIVEN refreshes requested during a rebuild THEN one more rebuild runs and picks up new customers', async () => {
    let loads = 0;
    const rows = [{ customer_id: 'N1', name: 'Nova One', company: null, email: null }];
    const s = new CustomerSuggestions(t.ctx, async function* () {
      loads++;
      yield [...rows];
    });
    const first = s.refresh();
    rows.push({ customer_id: 'N2', name: 'Nova Two', company: null, email: null });
    void s.refresh();
    void s.refresh();
    await first;
    await new Promise((r) => setTimeout(r, 50));
    await s.refresh();
    expect(loads).toBe(3);
    expect((await s.suggest('nova')).map((x) => x.customerId)).toEqual(['N1', 'N2']);
  });
});
