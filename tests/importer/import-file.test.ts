import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src/importer/import-file.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => ctx.cleanup());

const run = (kind: 'customers' | 'orders' | 'order-items' | 'feedback', name: string, text: string) => {
  const file = join(ctx.dir, name);
  writeFileSync(file, text);
  return importFile(ctx.store, { kind, input: file, timeZone: ctx.config.timeZone });
};

const CUSTOMERS = [
  '\uFEFFcustomer_id,name,email,company,owner,created_at,tier', // BOM + an extra column
  'C1,"Acme, Inc. ""HQ""",ann@acme.com,Acme,Maya Chen,2024-01-05,gold',
  '',
  'C2,"Bob ""Bobby""\nSmith",bob@bobco.io,Bobco,Tom Becker,20240107,', // record over two lines
  ',No Id,x@y.io,Z,Z,2024-01-01,', // line 6: missing id
  'C3,Bad Email,not-an-email,Q,Q,2024-01-01,', // line 7
  'C4,Bad Date,c4@x.io,Q,Q,2024-13-45,', // line 8
  'C1,Acme Changed,ann@acme.com,Acme,Maya Chen,2024-01-05,gold', // line 9: conflicting duplicate
  'C5,Plain,c5@x.io,Five Co,Maya Chen,2024-02-01T09:30:00+01:00,',
].join('\r\n');

const ORDERS = [
  'order_id,customer_id,ordered_at,amount',
  'O1,C1,2024-02-01,1234.50',
  'O2,C1,2024-02-01T10:00:00+02:00,"1,000.00"', // same day as O1: one purchase day
  'O3,C9,2024-02-02,5', // line 4: unknown customer
  'O4,C2,2024-02-03,-20', // refund
  'O5,C2,not-a-date,5', // line 6
  'O6,C2,2024-02-03,abc', // line 7
  'O1,C1,2024-02-01,1234.50', // identical duplicate: unchanged
  'O1,C1,2024-02-01,99', // line 9: conflicting duplicate
  'O7,C5,20240210,0', // zero amount: a purchase worth nothing
  ',C5,2024-02-11,3', // line 11: missing order id
].join('\n');

describe('importFile', () => {
  it('GIVEN a hostile customers CSV THEN every good row lands and every bad one is named by line, field and reason', async () => {
    const s = await run('customers', 'customers.csv', CUSTOMERS);
    expect(s.fatal).toBeUndefined();
    expect(s.inserted).toBe(3);
    expect(s.rejected).toBe(4);
    expect(s.problems.map((p) => [p.line, p.field])).toEqual([
      [6, 'customer_id'],
      [7, 'email'],
      [8, 'created_at'],
      [9, 'customer_id'],
    ]);
    expect(s.problems[3]!.reason).toMatch(/first on line 2/);
    const rows = await ctx.store.db.selectFrom('customers').selectAll().orderBy('customer_id').execute();
    expect(rows.map((r) => r.customer_id)).toEqual(['C1', 'C2', 'C5']);
    expect(rows[0]!.name).toBe('Acme, Inc. "HQ"');
    expect(rows[0]!.attributes).toBe('{"tier":"gold"}');
    expect(rows[1]!.name).toBe('Bob "Bobby"\nSmith');
    expect(rows[2]!.created_at).toBe('2024-02-01T08:30:00.000Z');
  });

  it('GIVEN a hostile orders CSV THEN refunds, zero amounts and unknown customers are handled as the contract says', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const s = await run('orders', 'orders.csv', ORDERS);
    expect(s.inserted).toBe(4);
    expect(s.unchanged).toBe(1);
    expect(s.problems.map((p) => [p.line, p.field])).toEqual([
      [4, 'customer_id'],
      [6, 'ordered_at'],
      [7, 'amount'],
      [9, 'order_id'],
      [11, 'order_id'],
    ]);
    expect(s.problems[0]!.reason).toMatch(/unknown customer "C9"/);
    const orders = await ctx.store.db.selectFrom('orders').select(['order_id', 'amount', 'day']).orderBy('order_id').execute();
    expect(orders.map((o) => [o.order_id, o.amount])).toEqual([
      ['O1', 1234.5],
      ['O2', 1000],
      ['O4', -20],
      ['O7', 0],
    ]);
    expect(orders[0]!.day).toBe(orders[1]!.day);
  });

  it('GIVEN the worker-thread parser THEN the outcome is the same as parsing inline', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const file = join(ctx.dir, 'orders-w.csv');
    writeFileSync(file, ORDERS);
    const s = await importFile(ctx.store, { kind: 'orders', input: file, timeZone: 'UTC', worker: true, batchSize: 3 });
    expect(s.inserted).toBe(4);
    expect(s.unchanged).toBe(1);
    expect(s.problems.map((p) => [p.line, p.field])).toEqual([
      [4, 'customer_id'],
      [6, 'ordered_at'],
      [7, 'amount'],
      [9, 'order_id'],
      [11, 'order_id'],
    ]);
  });

  it('GIVEN the same file imported twice THEN the second import changes nothing', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    await run('orders', 'orders.csv', ORDERS);
    const before = await ctx.store.db.selectFrom('orders').selectAll().orderBy('order_id').execute();
    const again = await run('orders', 'orders.csv', ORDERS);
    expect(again.inserted).toBe(0);
    expect(again.updated).toBe(0);
    const after = await ctx.store.db.selectFrom('orders').selectAll().orderBy('order_id').execute();
    expect(after.map(({ import_id, import_line, ...r }) => r)).toEqual(before.map(({ import_id, import_line, ...r }) => r));
  });

  it('GIVEN a later file with a changed amount THEN the row is updated (upsert by id)', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    await run('orders', 'orders.csv', ORDERS);
    const s = await run('orders', 'fix.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2024-02-01,1300.00\n');
    expect(s.updated).toBe(1);
    const o1 = await ctx.store.db.selectFrom('orders').select('amount').where('order_id', '=', 'O1').executeTakeFirst();
    expect(o1!.amount).toBe(1300);
  });

  it('GIVEN a file without a required column THEN nothing is imported and the message names the column', async () => {
    const s = await run('orders', 'bad.csv', 'order_id,customer,when\nO1,C1,2024-01-01\n');
    expect(s.fatal).toMatch(/"ordered_at", "amount"/);
    expect(s.inserted).toBe(0);
  });

  it('GIVEN JSON Lines THEN rows import with numbers as numbers and bad lines named', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const s = await run(
      'orders',
      'orders.jsonl',
      [
        '{"order_id":"J1","customer_id":"C1","ordered_at":"2024-03-01","amount":19.5}',
        '',
        '{oops',
        '{"order_id":"J2","customer_id":"C2","ordered_at":"2024-03-02","amount":"x"}',
      ].join('\n'),
    );
    expect(s.inserted).toBe(1);
    expect(s.problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'row'],
      [4, 'amount'],
    ]);
  });

  it('GIVEN survey-style feedback without a scale column THEN the scale is inferred and out-of-range scores are rejected', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const s = await run(
      'feedback',
      'survey.csv',
      [
        'Customer ID,Rating,Comment,Submitted At',
        'C1,9,"Great, fast",2024-03-01T10:00:00Z',
        'C2,2,slow,2024-03-02',
        'C2,11,too high,2024-03-02',
        'C9,4,who,2024-03-02',
      ].join('\n'),
    );
    expect(s.inserted).toBe(2);
    expect(s.problems.map((p) => [p.line, p.field])).toEqual([
      [4, 'score'],
      [5, 'customer_id'],
    ]);
    const rows = await ctx.store.db.selectFrom('feedback').select(['customer_id', 'scale', 'score']).orderBy('customer_id').execute();
    expect(rows).toEqual([
      { customer_id: 'C1', scale: 'nps', score: 9 },
      { customer_id: 'C2', scale: 'csat', score: 2 },
    ]);
    const again = await run('feedback', 'survey.csv', ['Customer ID,Rating,Comment,Submitted At', 'C1,9,"Great, fast",2024-03-01T10:00:00Z'].join('\n'));
    expect(again.unchanged).toBe(1);
  });

  it('GIVEN order items for known and unknown orders THEN unknown orders are rejected rows', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    await run('orders', 'orders.csv', ORDERS);
    const s = await run(
      'order-items',
      'items.csv',
      'order_id,product,quantity,unit_price\nO1,Espresso Machine,1,349\nO1,Coffee Beans,2,24\nO404,Mug,1,5\nO2,Mug,0,5\n',
    );
    expect(s.inserted).toBe(2);
    expect(s.problems.map((p) => [p.line, p.field])).toEqual([
      [4, 'order_id'],
      [5, 'quantity'],
    ]);
  });

  it('GIVEN a missing file THEN the summary says so as a file-level problem', async () => {
    const s = await importFile(ctx.store, { kind: 'orders', input: join(ctx.dir, 'nope.csv'), timeZone: 'UTC' });
    expect(s.fatal).toMatch(/no such file/);
  });

  it('GIVEN two headers that mean the same column THEN nothing is imported and the message says which', async () => {
    const s = await run('customers', 'dup.csv', 'customer_id,Customer ID,name\nC1,C2,Ann\n');
    expect(s.fatal).toMatch(/two columns mean "customer_id"/);
  });

  it('GIVEN a survey export whose id column is the response id THEN it identifies the response, not the customer', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const s = await run('feedback', 'survey-ids.csv', 'customer_id,score,created_at,id\nC1,4,2024-03-01,R-77\n');
    expect(s.inserted).toBe(1);
    const row = await ctx.store.db.selectFrom('feedback').select(['feedback_id', 'customer_id']).executeTakeFirstOrThrow();
    expect(row).toEqual({ feedback_id: 'R-77', customer_id: 'C1' });
  });

  it('GIVEN a store whose days were counted in one zone WHEN importing under another THEN it refuses and says which zone', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const file = join(ctx.dir, 'later.csv');
    writeFileSync(file, 'order_id,customer_id,ordered_at,amount\nZ1,C1,2024-05-01T23:30:00Z,5\n');
    const s = await importFile(ctx.store, { kind: 'orders', input: file, timeZone: 'Asia/Shanghai' });
    expect(s.fatal).toMatch(/calendar days in UTC/);
    expect(s.inserted).toBe(0);
  });

  it('GIVEN more rejected rows than are listed THEN the list holds the first ones by line', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const file = join(ctx.dir, 'many.csv');
    // line 3: unknown customer (found when writing); line 4: bad amount (found when validating)
    writeFileSync(file, 'order_id,customer_id,ordered_at,amount\nM1,C1,2024-01-01,5\nM2,C404,2024-01-01,5\nM3,C1,2024-01-01,x\n');
    const s = await importFile(ctx.store, { kind: 'orders', input: file, timeZone: 'UTC', maxProblems: 1 });
    expect(s.rejected).toBe(2);
    expect(s.problems.map((p) => p.line)).toEqual([3]);
  });

  it('GIVEN hundreds of orders with repeats and an unknown customer among them THEN each row still gets its own outcome', async () => {
    await run('customers', 'customers.csv', CUSTOMERS);
    const rows = Array.from({ length: 300 }, (_, i) => `B${i},C1,2024-04-01,${i}`);
    rows[100] = 'B5,C1,2024-04-01,5'; // the same as line 7: unchanged
    rows[150] = 'B6,C1,2024-04-01,999'; // B6 again, other amount: the first stands
    rows[170] = 'B170,C404,2024-04-01,1'; // unknown customer
    rows[200] = 'B170,C1,2024-04-01,1'; // the same id, now with a customer: the first to land
    const s = await run('orders', 'many.csv', ['order_id,customer_id,ordered_at,amount', ...rows].join('\n'));
    expect({ inserted: s.inserted, unchanged: s.unchanged, rejected: s.rejected }).toEqual({ inserted: 298 - 1, unchanged: 1, rejected: 2 });
    expect(s.problems.map((p) => [p.line, p.code])).toEqual([
      [152, 'conflict'],
      [172, 'unknown-customer'],
    ]);
    const b170 = await ctx.store.db.selectFrom('orders').select(['customer_id', 'import_line']).where('order_id', '=', 'B170').executeTakeFirstOrThrow();
    expect(b170).toEqual({ customer_id: 'C1', import_line: 202 });
    const again = await run('orders', 'many.csv', ['order_id,customer_id,ordered_at,amount', ...rows].join('\n'));
    expect({ inserted: again.inserted, updated: again.updated, rejected: again.rejected }).toEqual({ inserted: 0, updated: 0, rejected: 2 });
  });
});
