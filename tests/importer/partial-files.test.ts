// A file updates only the columns it has; an empty cell in a column it has clears that field.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCustomers } from '../../src/db/customers.ts';
import { importFile, type ImportOptions } from '../../src/importer/import-file.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => ctx.cleanup());

const run = (kind: ImportOptions['kind'], name: string, text: string) => {
  const file = join(ctx.dir, name);
  writeFileSync(file, text);
  return importFile(ctx.store, { kind, input: file, timeZone: 'UTC' });
};
const customer = (id: string) => ctx.store.db.selectFrom('customers').selectAll().where('customer_id', '=', id).executeTakeFirstOrThrow();

const FULL = [
  'customer_id,name,email,company,owner,created_at,tier,region',
  'C1,Ann Lee,ann@acme.com,Acme,Maya Chen,2024-01-05,gold,EU',
  'C2,Bob Ray,bob@bob.io,Bobco,Tom Becker,2024-02-01,silver,US',
].join('\n');

describe('partial files', () => {
  it('GIVEN a customer_id,owner file THEN owners change and every other field stays', async () => {
    await run('customers', 'full.csv', FULL);
    const before = await customer('C1');
    const s = await run('customers', 'owners.csv', 'customer_id,owner\nC1,Sofia Rossi\nC2,Tom Becker\n');
    expect(s).toMatchObject({ updated: 1, unchanged: 1, rejected: 0 });
    const after = await customer('C1');
    expect(after.owner).toBe('Sofia Rossi');
    expect({ ...after, owner: before.owner, import_id: 0, import_line: 0 }).toEqual({ ...before, import_id: 0, import_line: 0 });
    expect(after.attributes).toBe('{"tier":"gold","region":"EU"}');
  });

  it('GIVEN an empty cell in a column the file has THEN that field is cleared, and only that one', async () => {
    await run('customers', 'full.csv', FULL);
    const s = await run('customers', 'clear.csv', 'customer_id,email,company\nC1,,Acme\n');
    expect(s.updated).toBe(1);
    const c = await customer('C1');
    expect(c).toMatchObject({ email: null, company: 'Acme', name: 'Ann Lee', owner: 'Maya Chen' });
  });

  it('GIVEN a file with some extra columns THEN they merge into the attributes; an empty one removes its key', async () => {
    await run('customers', 'full.csv', FULL);
    await run('customers', 'attrs.csv', 'customer_id,tier,plan\nC1,,pro\n');
    expect((await customer('C1')).attributes).toBe('{"region":"EU","plan":"pro"}');
    expect((await customer('C2')).attributes).toBe('{"tier":"silver","region":"US"}');
  });

  it('GIVEN a renamed customer THEN search finds the new name and not the old one', async () => {
    await run('customers', 'full.csv', FULL);
    await run('customers', 'rename.csv', 'customer_id,name\nC1,Annabel Price\n');
    expect((await findCustomers(ctx.store.db, 'annabel')).matches.map((m) => m.customer.customer_id)).toEqual(['C1']);
    expect((await findCustomers(ctx.store.db, 'Lee')).matches).toEqual([]);
    expect((await findCustomers(ctx.store.db, 'acme')).matches.map((m) => m.customer.customer_id)).toEqual(['C1']);
  });

  it('GIVEN a new customer in a partial file THEN it is created with the columns there are', async () => {
    const s = await run('customers', 'owners.csv', 'customer_id,owner\nC9,Maya Chen\n');
    expect(s.inserted).toBe(1);
    expect(await customer('C9')).toMatchObject({ name: null, email: null, owner: 'Maya Chen', attributes: null });
  });

  it('GIVEN order items without prices THEN quantities update and prices stay; new items get price 0 and quantity 1', async () => {
    await run('customers', 'full.csv', FULL);
    await run('orders', 'o.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2024-03-01,30\n');
    await run('order-items', 'i.csv', 'order_id,product,quantity,unit_price\nO1,Mug,2,15\n');
    const s = await run('order-items', 'q.csv', 'order_id,product,quantity\nO1,Mug,3\n');
    expect(s.updated).toBe(1);
    await run('order-items', 'new.csv', 'order_id,product\nO1,Spoon\n');
    const items = await ctx.store.db.selectFrom('order_items').select(['product', 'quantity', 'unit_price']).orderBy('product').execute();
    expect(items).toEqual([
      { product: 'Mug', quantity: 3, unit_price: 15 },
      { product: 'Spoon', quantity: 1, unit_price: 0 },
    ]);
  });

  it('GIVEN the same partial file twice THEN the second import changes nothing', async () => {
    await run('customers', 'full.csv', FULL);
    await run('customers', 'owners.csv', 'customer_id,owner\nC1,Sofia Rossi\n');
    const again = await run('customers', 'owners.csv', 'customer_id,owner\nC1,Sofia Rossi\n');
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
  });
});
