// Imports write whole batches at once (PostgreSQL: a batch's columns in one statement): a row the
// database refuses is rejected with its line while every other row of its batch lands, and two
// imports of one file at the same time leave each row stored once.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile, type ImportOptions } from '../../src/importer/import-file.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { onPostgres, storeKind } from '../helpers/test-database.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => ctx.cleanup());

const put = (name: string, text: string) => {
  const file = join(ctx.dir, name);
  writeFileSync(file, text);
  return file;
};
const run = (kind: ImportOptions['kind'], file: string) => importFile(ctx.store, { kind, input: file, timeZone: 'UTC' });
const count = async (table: 'customers' | 'orders' | 'order_items') =>
  Number((await ctx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

const CUSTOMERS = 3_000;
const customersCsv = () => ['customer_id,name', ...Array.from({ length: CUSTOMERS }, (_, i) => `C${i},Customer ${i}`)].join('\n') + '\n';
const ordersCsv = (n: number, nulAt = -1) =>
  [
    'order_id,customer_id,ordered_at,amount,channel',
    ...Array.from({ length: n }, (_, i) => `O${i}${i === nulAt ? '\u0000x' : ''},C${i % CUSTOMERS},2024-0${1 + (i % 9)}-1${i % 10},${(i % 97) + 0.5},web`),
  ].join('\n') + '\n';

// SQLite stores U+0000 in text; PostgreSQL refuses it, and only there is it a rejected row.
describe.skipIf(!onPostgres)('PostgreSQL: a row it refuses', () => {
  it('GIVEN an orders file with a NUL character in one row THEN that row is rejected with its line and field, and the other 4,999 land', async () => {
    await run('customers', put('c.csv', customersCsv()));
    const s = await run('orders', put('o.csv', ordersCsv(5_000, 2_345)));
    expect(s.fatal).toBeUndefined();
    expect(s.inserted).toBe(4_999);
    expect(s.rejected).toBe(1);
    expect(s.problems).toEqual([expect.objectContaining({ line: 2_347, field: 'order_id', code: 'refused', reason: expect.stringContaining('NUL') })]);
    expect(await count('orders')).toBe(4_999);
  });

  it('GIVEN a customers file with a NUL in a name THEN that customer is rejected with its line and the rest are searchable', async () => {
    const csv = customersCsv().replace('\nC17,Customer 17\n', '\nC17,Cust\u0000omer 17\n');
    const s = await run('customers', put('c.csv', csv));
    expect(s.inserted).toBe(CUSTOMERS - 1);
    expect(s.problems).toEqual([expect.objectContaining({ line: 19, field: 'name', code: 'refused' })]);
    const terms = await ctx.store.db.selectFrom('customer_terms').select('customer_id').where('customer_id', '=', 'C18').execute();
    expect(terms.length).toBeGreaterThan(0);
  });

  it('GIVEN a transactions file with a NUL in one line THEN that line is rejected with its number and the other orders land', async () => {
    const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
    for (let i = 0; i < 200; i++) lines.push(`${1000 + i},P${i % 7},Thing ${i},2,2024-02-0${1 + (i % 9)} 10:00,1.5,${500 + (i % 40)},France`);
    lines[101] = lines[101]!.replace('France', 'Fr\u0000ance');
    const s = await run('transactions', put('t.csv', lines.join('\n') + '\n'));
    expect(s.fatal).toBeUndefined();
    expect(s.problems).toEqual([expect.objectContaining({ line: 102, code: 'refused' })]);
    expect(await count('orders')).toBe(199);
  });
});

describe(`two imports of one file at the same time (${storeKind})`, () => {
  const root = resolve(import.meta.dirname, '../..');
  const pulseImport = (kind: string, file: string) =>
    new Promise<{ status: number | null; summary: { inserted: number; unchanged: number; rejected: number } }>((done, fail) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: ctx.config.databaseUrl, PULSE_LOG_LEVEL: 'warn' };
      const child = spawn(process.execPath, [join(root, 'bin/pulse.mjs'), 'import', kind, file, '--json', '--no-refresh'], { cwd: root, env });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      child.on('error', fail);
      child.on('exit', (status) => {
        try {
          done({ status, summary: JSON.parse(out) });
        } catch {
          fail(new Error(`pulse import ${kind} exited ${status}: ${err || out}`));
        }
      });
    });

  it('THEN every customer and order is stored once, each inserted by one of them and found unchanged by the other', async () => {
    const customers = put('c.csv', customersCsv());
    const orders = put('o.csv', ordersCsv(20_000));
    const c = await Promise.all([pulseImport('customers', customers), pulseImport('customers', customers)]);
    expect(c.map((r) => r.status)).toEqual([0, 0]);
    expect(c[0]!.summary.inserted + c[1]!.summary.inserted).toBe(CUSTOMERS);
    expect(c[0]!.summary.unchanged + c[1]!.summary.unchanged).toBe(CUSTOMERS);
    const o = await Promise.all([pulseImport('orders', orders), pulseImport('orders', orders)]);
    expect(o.map((r) => [r.status, r.summary.rejected])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(o[0]!.summary.inserted + o[1]!.summary.inserted).toBe(20_000);
    expect(o[0]!.summary.unchanged + o[1]!.summary.unchanged).toBe(20_000);
    expect(await count('customers')).toBe(CUSTOMERS);
    expect(await count('orders')).toBe(20_000);
  });
});
