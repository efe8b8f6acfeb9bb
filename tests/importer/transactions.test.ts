// `pulse import transactions`: one row per order line, as shops export them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile, type ImportOptions } from '../../src/importer/import-file.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => ctx.cleanup());

const run = (name: string, text: string, more: Partial<ImportOptions> = {}) => {
  const file = join(ctx.dir, name);
  writeFileSync(file, text);
  return importFile(ctx.store, { kind: 'transactions', input: file, timeZone: 'UTC', ...more });
};
const orders = () => ctx.store.db.selectFrom('orders').select(['order_id', 'customer_id', 'ordered_at', 'amount']).orderBy('order_id').execute();
const items = (orderId: string) =>
  ctx.store.db
    .selectFrom('order_items')
    .select(['product', 'quantity', 'unit_price', 'attributes'])
    .where('order_id', '=', orderId)
    .orderBy('product')
    .execute();

// The layout of UCI Online Retail: float customer ids, codes and descriptions, cancellations as C….
const UCI = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
  '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-12-01 08:26:00,2.55,17850.0,United Kingdom', // same product again
  '536366,22633,"HAND WARMER ""UNION JACK""",6,2010-12-01 08:28:00,1.85,13047.0,France',
  "536367,22745,POPPY'S PLAYHOUSE BEDROOM,6,2010-12-01 08:34:00,2.10,,United Kingdom", // no customer
  'C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,17850.0,United Kingdom', // a cancellation
  '536368,22960,JAM MAKING SET WITH JARS,6,2010-12-01 08:34:00,4.25,13047.0,France',
  '536365,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:26:00,7.65,17850.0,United Kingdom', // its order, further down
].join('\n');

describe('transactions', () => {
  it('GIVEN a UCI Online Retail style file THEN lines become customers, orders (Σ quantity × price) and items (quantities summed)', async () => {
    const s = await run('retail.csv', UCI);
    expect(s.rejected).toBe(1);
    expect(s.rejectedByReason.map((g) => [g.label, g.lines])).toEqual([['customer_id is missing', [6]]]);
    expect(s.transactions).toEqual({ orders: { inserted: 4, updated: 0, unchanged: 0 }, items: 6, customersCreated: 2, refunds: 1 });
    expect(s.columnsRenamed).toContainEqual({ column: 'InvoiceNo', as: 'order_id' });
    expect(await orders()).toEqual([
      { order_id: '536365', customer_id: '17850', ordered_at: '2010-12-01T08:26:00.000Z', amount: 56.04 }, // 6 × 2.55 + 6 × 3.39 + 2 × 2.55 + 2 × 7.65
      { order_id: '536366', customer_id: '13047', ordered_at: '2010-12-01T08:28:00.000Z', amount: 11.1 },
      { order_id: '536368', customer_id: '13047', ordered_at: '2010-12-01T08:34:00.000Z', amount: 25.5 },
      { order_id: 'C536379', customer_id: '17850', ordered_at: '2010-12-01T09:41:00.000Z', amount: -27.5 },
    ]);
    expect(await items('536365')).toEqual([
      { product: 'SET 7 BABUSHKA NESTING BOXES', quantity: 2, unit_price: 7.65, attributes: '{"sku":"22752"}' },
      { product: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 8, unit_price: 2.55, attributes: '{"sku":"85123A"}' },
      { product: 'WHITE METAL LANTERN', quantity: 6, unit_price: 3.39, attributes: '{"sku":"71053"}' },
    ]);
    expect((await items('536366'))[0]!.product).toBe('HAND WARMER "UNION JACK"');
    const c = await ctx.store.db.selectFrom('customers').selectAll().where('customer_id', '=', '13047').executeTakeFirstOrThrow();
    expect(c.attributes).toBe('{"country":"France"}');
  });

  it('GIVEN the same file again THEN nothing changes', async () => {
    await run('retail.csv', UCI);
    const before = { orders: await orders(), items: await items('536365') };
    const s = await run('retail.csv', UCI);
    expect(s.transactions).toEqual({ orders: { inserted: 0, updated: 0, unchanged: 4 }, items: 6, customersCreated: 0, refunds: 1 });
    expect({ orders: await orders(), items: await items('536365') }).toEqual(before);
  });

  it('GIVEN a later export where an order lost a line THEN the order and its items follow the new file', async () => {
    await run('retail.csv', UCI);
    const s = await run(
      'fixed.csv',
      UCI.split('\n')
        .filter((l) => !l.includes('BABUSHKA'))
        .join('\n'),
    );
    expect(s.transactions!.orders).toEqual({ inserted: 0, updated: 1, unchanged: 3 });
    expect((await items('536365')).map((i) => i.product)).toEqual(['WHITE HANGING HEART T-LIGHT HOLDER', 'WHITE METAL LANTERN']);
    expect((await orders())[0]!.amount).toBeCloseTo(8 * 2.55 + 6 * 3.39, 9);
  });

  it("GIVEN a Shopify orders export THEN Name is the order, Email the customer, and the order's later lines take its first line's fields", async () => {
    const shopify = [
      'Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Company,Billing Country,Total',
      '#1001,Ann@Example.com,paid,2024-05-14 10:22:35 -0400,2,Linen Shirt - M,45.00,LS-M,Ann Lee,Acme,US,110.00',
      '#1001,,,,1,Canvas Tote,20.00,CT-1,,,,',
      '#1002,bob@example.com,paid,2024-05-15 08:00:00 -0400,1,Canvas Tote,20.00,CT-1,Bob Ray,,CA,20.00',
    ].join('\n');
    const s = await run('orders_export.csv', shopify);
    expect(s.rejected).toBe(0);
    expect(await orders()).toEqual([
      { order_id: '#1001', customer_id: 'ann@example.com', ordered_at: '2024-05-14T14:22:35.000Z', amount: 110 },
      { order_id: '#1002', customer_id: 'bob@example.com', ordered_at: '2024-05-15T12:00:00.000Z', amount: 20 },
    ]);
    const ann = await ctx.store.db.selectFrom('customers').selectAll().where('customer_id', '=', 'ann@example.com').executeTakeFirstOrThrow();
    expect(ann).toMatchObject({ name: 'Ann Lee', email: 'ann@example.com', company: 'Acme', attributes: '{"country":"US"}' });
    const order = await ctx.store.db.selectFrom('orders').select('attributes').where('order_id', '=', '#1001').executeTakeFirstOrThrow();
    expect(JSON.parse(order.attributes!)).toEqual({ financial_status: 'paid', total: '110.00' });
  });

  it('GIVEN an existing customer THEN a transactions file leaves their details as they are', async () => {
    writeFileSync(join(ctx.dir, 'c.csv'), 'customer_id,name,owner\n17850,Ann Lee,Maya Chen\n');
    await importFile(ctx.store, { kind: 'customers', input: join(ctx.dir, 'c.csv'), timeZone: 'UTC' });
    const s = await run('retail.csv', UCI);
    expect(s.transactions!.customersCreated).toBe(1);
    const c = await ctx.store.db.selectFrom('customers').selectAll().where('customer_id', '=', '17850').executeTakeFirstOrThrow();
    expect(c).toMatchObject({ name: 'Ann Lee', owner: 'Maya Chen', attributes: null });
  });

  it('GIVEN a line naming another customer than its order THEN that line is refused, named by its line', async () => {
    const s = await run(
      'mixed.csv',
      ['order_id,customer_id,ordered_at,product,quantity,unit_price', 'A1,C1,2024-01-01,Mug,1,5', 'A1,C2,2024-01-01,Cup,1,3'].join('\n'),
    );
    expect(s.problems).toEqual([
      { line: 3, field: 'customer_id', code: 'order-customer-mismatch', reason: 'order "A1" belongs to customer "C1" (line 2); this line names "C2"' },
    ]);
    expect((await orders()).map((o) => o.amount)).toEqual([5]);
  });

  it('GIVEN order ids that all start with C THEN the C is part of the id, not a cancellation', async () => {
    const s = await run(
      'c-ids.csv',
      ['order_id,customer_id,ordered_at,product,quantity,unit_price', 'C100,K1,2024-01-01,Mug,1,5', 'C101,K1,2024-01-02,Mug,2,5'].join('\n'),
    );
    expect(s.transactions!.refunds).toBe(0);
    expect((await orders()).map((o) => o.amount)).toEqual([5, 10]);
  });

  it('GIVEN a line total instead of a unit price, and US dates THEN the price is the total over the quantity', async () => {
    const s = await run(
      'sales.csv',
      [
        'Order ID,Order Date,Customer ID,Customer Name,Product Name,Sales,Quantity',
        'CA-1,11/28/2016,CG-125,Claire Gute,Bookcase,261.96,2',
        'CA-1,11/28/2016,CG-125,Claire Gute,Chair,731.94,3',
        'CA-2,6/12/2016,DV-135,Darrin Van,Labels,14.62,2',
      ].join('\n'),
    );
    expect(s).toMatchObject({ rejected: 0, dateFormat: 'mdy (read from the dates)' });
    expect(await orders()).toEqual([
      { order_id: 'CA-1', customer_id: 'CG-125', ordered_at: '2016-11-28', amount: 993.9 },
      { order_id: 'CA-2', customer_id: 'DV-135', ordered_at: '2016-06-12', amount: 14.62 },
    ]);
    expect(await items('CA-1')).toEqual([
      { product: 'Bookcase', quantity: 2, unit_price: 130.98, attributes: null },
      { product: 'Chair', quantity: 3, unit_price: 243.98, attributes: null },
    ]);
  });
});
