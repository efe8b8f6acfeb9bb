// `pulse import` through the real binary, as a person runs it on a shop's export.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../helpers/test-database.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-import-cli-'));
// Each named store: a SQLite file in the folder, or a schema of its own with PULSE_TEST_DATABASE_URL.
const stores = new Map<string, TestDatabase>();
afterAll(async () => {
  for (const db of stores.values()) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function pulse(store: string, args: string[], input?: string | Buffer) {
  let db = stores.get(store);
  if (!db) stores.set(store, (db = await testDatabase(dir, store)));
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, PULSE_LOG_LEVEL: 'warn' };
  delete env.SLACK_BOT_TOKEN;
  delete env.DISCORD_TOKEN;
  const r = spawnSync(process.execPath, [join(root, 'bin/pulse.mjs'), ...args], { cwd: root, env, input: input ?? '', encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

// A shop export from 2010-2011: a guest line without a customer, a cancellation, a later order.
const RETAIL = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom',
  '536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom',
  '536366,22633,HAND WARMER UNION JACK,6,12/13/2010 8:28,1.85,13047.0,United Kingdom',
  "536367,22745,POPPY'S PLAYHOUSE BEDROOM,6,12/13/2010 8:34,2.10,,United Kingdom",
  "536368,22748,POPPY'S PLAYHOUSE KITCHEN,6,12/14/2010 8:34,2.10,,United Kingdom",
  'C536379,D,Discount,-1,12/14/2010 9:41,27.50,17850.0,United Kingdom',
  '581587,22613,PACK OF 20 SPACEBOY NAPKINS,12,12/9/2011 12:50,0.85,12680.0,France',
].join('\r\n');

describe('pulse import transactions', async () => {
  it('GIVEN a historical shop export THEN the summary shows how it was read, the grouped rejections and the --as-of latest warning; exit 1', async () => {
    const r = await pulse('shop.sqlite', ['import', 'transactions', file('retail.csv', RETAIL), '--no-refresh']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^transactions from .*retail\.csv \(UTF-8, comma-separated, slash dates mdy \(read from the dates\)\): 7 rows read/);
    expect(r.stdout).toContain(
      'columns read as: InvoiceNo → order_id, StockCode → sku, Description → product, InvoiceDate → ordered_at, ' +
        'UnitPrice → unit_price, CustomerID → customer_id',
    );
    expect(r.stdout).toMatch(/orders: 4 new, 0 updated, 0 unchanged \(1 refund\); 5 order items; 3 customers created/);
    expect(r.stdout).not.toContain('Each rejected row');
    expect(r.stdout).toContain('2 × customer_id is missing: lines 5, 6 (line 5: is empty: the line names no customer)');
    expect(r.stdout).toContain('Add --errors OUT.csv to get every rejected row with its record.');
    expect(r.stdout).toMatch(/⚠ the newest order is from 2011-12-09, [\d,]+ days before .*Run `pulse refresh --as-of latest` to see them as of 2011-12-09\./);
    // --no-refresh: nothing was fitted.
    const model = await pulse('shop.sqlite', ['model', '--json']);
    expect(model.status).toBe(1);
    expect(model.stdout.trim()).toBe('null');
  });

  it('GIVEN that store WHEN pulse refresh --as-of latest THEN the insights are as of the newest order day', async () => {
    const r = await pulse('shop.sqlite', ['refresh', '--as-of', 'latest', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).asOf).toBe('2011-12-09');
  });

  it('GIVEN the same file again with --json and --errors THEN nothing changes and every rejected row is in the errors file', async () => {
    const errors = join(dir, 'rejected.csv');
    const r = await pulse('shop.sqlite', ['import', 'transactions', join(dir, 'retail.csv'), '--json', '--no-refresh', '--errors', errors]);
    expect(r.status).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ inserted: 0, updated: 0, unchanged: 4, rejected: 2, encoding: 'UTF-8', delimiter: ',', errorsFile: errors });
    expect(s.rejectedByReason).toEqual([expect.objectContaining({ field: 'customer_id', code: 'missing', count: 2, lines: [5, 6] })]);
    expect(s.warnings).toEqual([expect.stringContaining('--as-of latest')]);
    expect(readFileSync(errors, 'utf8').split('\n').slice(0, 2)).toEqual([
      'line,field,reason,record',
      `5,customer_id,is empty: the line names no customer,"536367,22745,POPPY'S PLAYHOUSE BEDROOM,6,12/13/2010 8:34,2.10,,United Kingdom"`,
    ]);
  });

  it('GIVEN an empty store WHEN pulse refresh --as-of latest THEN it says there are no orders yet; exit 2', async () => {
    const r = await pulse('empty.sqlite', ['refresh', '--as-of', 'latest']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no orders yet/);
  });
});

describe('pulse import options', async () => {
  it('GIVEN a gzipped Windows-1252 file on stdin THEN it is read and the summary says so', async () => {
    const bytes = Buffer.from([...Buffer.from('customer_id;name\r\nC1;J'), 0xfc, ...Buffer.from('rgen\r\n')]);
    const r = await pulse('opts.sqlite', ['import', 'customers', '-', '--no-refresh'], gzipSync(bytes));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^customers from stdin \(Windows-1252 \(detected: the bytes are not UTF-8\), semicolon-separated\): 1 rows read/);
    const ask = await pulse('opts.sqlite', ['ask', '/customer C1', '--format', 'json']);
    expect(JSON.parse(ask.stdout).title).toContain('Jürgen');
  });

  it('GIVEN options it does not know THEN exit 2 and a message that says what they take', async () => {
    const csv = file('c.csv', 'customer_id\nC1\n');
    expect(await pulse('opts.sqlite', ['import', 'customers', csv, '--encoding', 'ebcdic'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--encoding takes utf8, utf16'),
    });
    expect(await pulse('opts.sqlite', ['import', 'customers', csv, '--date-format', 'ymd'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--date-format takes mdy'),
    });
    expect(await pulse('opts.sqlite', ['import', 'customers', csv, '--delimiter', ':'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--delimiter takes'),
    });
    expect(await pulse('opts.sqlite', ['import', 'invoices', csv])).toMatchObject({ status: 2, stderr: expect.stringContaining('transactions') });
  });

  it('GIVEN a file whose slash dates read either way THEN exit 2 naming --date-format, and with it the rows go in', async () => {
    await pulse('dates.sqlite', ['import', 'customers', file('c2.csv', 'customer_id\nC1\n'), '--no-refresh']);
    const orders = file('o.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,3/4/2024,10\n');
    const r = await pulse('dates.sqlite', ['import', 'orders', orders, '--no-refresh']);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/--date-format mdy .*--date-format dmy.*Nothing was imported\./);
    const ok = await pulse('dates.sqlite', ['import', 'orders', orders, '--no-refresh', '--date-format', 'dmy', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ inserted: 1, dateFormat: 'dmy' });
  });
});
