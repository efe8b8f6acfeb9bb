// Files as people really have them: Excel on Windows (Windows-1252, semicolons, decimal commas),
// UTF-16 from "Unicode text" exports, gzip, spreadsheet ids and dates. Every file is written here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile, type ImportOptions } from '../../src/importer/import-file.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => ctx.cleanup());

const put = (name: string, bytes: Buffer | string) => {
  const file = join(ctx.dir, name);
  writeFileSync(file, bytes);
  return file;
};
const run = (kind: ImportOptions['kind'], file: string, more: Partial<ImportOptions> = {}) =>
  importFile(ctx.store, { kind, input: file, timeZone: 'UTC', ...more });
const customer = (id: string) => ctx.store.db.selectFrom('customers').selectAll().where('customer_id', '=', id).executeTakeFirstOrThrow();

/** Windows-1252 bytes of a text that only uses characters it has. */
function cp1252(text: string): Buffer {
  const high: Record<string, number> = { '€': 0x80, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97 };
  return Buffer.from([...text].map((c) => high[c] ?? c.charCodeAt(0)));
}

describe('encodings', () => {
  it('GIVEN an Excel (Windows-1252) file THEN names read right and the summary says Windows-1252', async () => {
    const s = await run(
      'customers',
      put('excel.csv', cp1252('customer_id,name,company\r\nC1,Jürgen Müller,Café “Zur Straße”\r\nC2,Zoë O’Brien,Crème – Brûlée\r\n')),
    );
    expect(s.encoding).toBe('Windows-1252 (detected: the bytes are not UTF-8)');
    expect(s.inserted).toBe(2);
    expect((await customer('C1')).name).toBe('Jürgen Müller');
    expect((await customer('C1')).company).toBe('Café “Zur Straße”');
    expect((await customer('C2')).name).toBe('Zoë O’Brien');
  });

  it('GIVEN UTF-16 with a BOM (little and big endian) THEN the header and the names read right', async () => {
    const text = 'customer_id\tname\r\nC1\tJürgen Müller\r\nC2\t王小明\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const s = await run('customers', put('unicode.txt', le));
    expect(s).toMatchObject({ encoding: 'UTF-16LE (BOM)', delimiter: '\t', inserted: 2, rejected: 0 });
    expect((await customer('C2')).name).toBe('王小明');
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text.replace('Müller', 'Mueller'), 'utf16le').swap16()]);
    const again = await run('customers', put('unicode-be.txt', be));
    expect(again).toMatchObject({ encoding: 'UTF-16BE (BOM)', updated: 1, unchanged: 1 });
  });

  it('GIVEN UTF-8 with bytes that are not UTF-8 on one line THEN that row is refused with its line and nothing holds U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('customer_id,name\nC1,Łukasz\nC2,Bad '), Buffer.from([0xc3, 0x28]), Buffer.from('\nC3,Zoë\n')]);
    const s = await run('customers', put('broken.csv', bytes));
    expect(s.encoding).toBe('UTF-8');
    expect(s.inserted).toBe(2);
    expect(s.problems).toEqual([{ line: 3, field: 'name', code: 'bad-encoding', reason: expect.stringContaining('not UTF-8') }]);
    const names = await ctx.store.db.selectFrom('customers').select('name').execute();
    expect(names.some((n) => n.name?.includes('\uFFFD'))).toBe(false);
  });

  it('GIVEN --encoding THEN it is used even where detection would guess otherwise', async () => {
    const s = await run('customers', put('forced.csv', cp1252('customer_id,name\nC1,Müller\n')), { encoding: 'cp1252' });
    expect(s.encoding).toBe('Windows-1252');
    expect((await customer('C1')).name).toBe('Müller');
  });
});

describe('delimiters and numbers', () => {
  it('GIVEN a semicolon file from a comma-decimal locale THEN columns and amounts read right', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const s = await run(
      'orders',
      put('o.csv', 'order_id;customer_id;ordered_at;amount\nO1;C1;2024-03-01;1.234,50\nO2;C1;2024-03-02;19,99\nO3;C1;2024-03-03;-5\n'),
    );
    expect(s).toMatchObject({ delimiter: ';', inserted: 3, rejected: 0 });
    const amounts = await ctx.store.db.selectFrom('orders').select(['order_id', 'amount']).orderBy('order_id').execute();
    expect(amounts.map((a) => a.amount)).toEqual([1234.5, 19.99, -5]);
  });

  it('GIVEN --delimiter THEN it wins over what the header suggests', async () => {
    const s = await run('customers', put('pipes.csv', 'customer_id|name\nC1|Smith, Ann\n'), { delimiter: '|' });
    expect(s.delimiter).toBe('|');
    expect((await customer('C1')).name).toBe('Smith, Ann');
  });

  it('GIVEN a gzip file THEN it is read as it streams, whatever it is called', async () => {
    const s = await run('customers', put('customers.csv.gz', gzipSync('customer_id,name\nC1,Ann\nC2,Bob\n')));
    expect(s.inserted).toBe(2);
    const odd = await run('customers', put('no-extension', gzipSync('customer_id,name\nC3,Cy\n')));
    expect(odd.inserted).toBe(1);
  });

  it('GIVEN a cut-off gzip file THEN the summary says reading stopped, and the rows before it are kept', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `C${i},Name ${i} ${'x'.repeat(i % 50)}`).join('\n');
    const gz = gzipSync('customer_id,name\n' + rows);
    const s = await run('customers', put('cut.csv.gz', gz.subarray(0, Math.floor(gz.length * 0.8))), { batchSize: 1000 });
    expect(s.fatal).toMatch(/stopped after .* rows: unexpected end of file \(the rows before it were imported\)/);
    expect(s.inserted).toBeGreaterThan(0);
  });
});

describe('spreadsheet ids and dates', () => {
  it('GIVEN ids written with a zero fraction (17850.0) THEN they are the same ids as 17850', async () => {
    await run('customers', put('c.csv', 'customer_id,name\n17850.0,Ann\n12346.00,Bob\n'));
    const s = await run('orders', put('o.csv', 'order_id,customer_id,ordered_at,amount\n536365,17850,2010-12-01,15.3\n536366.0,12346.0,2010-12-01,2\n'));
    expect(s).toMatchObject({ inserted: 2, rejected: 0 });
    const ids = await ctx.store.db.selectFrom('customers').select('customer_id').orderBy('customer_id').execute();
    expect(ids.map((r) => r.customer_id)).toEqual(['12346', '17850']);
  });

  it('GIVEN US slash dates that only read month-first THEN they are read so, and the summary says so', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const s = await run(
      'orders',
      put('o.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,12/1/2010 8:26,1\nO2,C1,12/13/2010 17:05,1\nO3,C1,1/2/2011 9:00 PM,1\n'),
    );
    expect(s).toMatchObject({ inserted: 3, dateFormat: 'mdy (read from the dates)' });
    const at = await ctx.store.db.selectFrom('orders').select(['order_id', 'ordered_at']).orderBy('order_id').execute();
    expect(at.map((r) => r.ordered_at)).toEqual(['2010-12-01T08:26:00.000Z', '2010-12-13T17:05:00.000Z', '2011-01-02T21:00:00.000Z']);
  });

  it('GIVEN day-first slash dates THEN they are read day-first', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const s = await run('orders', put('o.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,01/12/2010,1\nO2,C1,25/12/2010,1\n'));
    expect(s.dateFormat).toBe('dmy (read from the dates)');
    const at = await ctx.store.db.selectFrom('orders').select('ordered_at').orderBy('order_id').execute();
    expect(at.map((r) => r.ordered_at)).toEqual(['2010-12-01', '2010-12-25']);
  });

  it('GIVEN slash dates that read either way THEN nothing is imported and the message names --date-format; with it, they import', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const file = put('o.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,1/2/2011,1\nO2,C1,3/4/2011,1\n');
    const s = await run('orders', file);
    expect(s.fatal).toMatch(/"1\/2\/2011" \(line 2\) read as month\/day or as day\/month.*--date-format mdy.*--date-format dmy/);
    expect(s.inserted).toBe(0);
    const given = await run('orders', file, { dateOrder: 'dmy' });
    expect(given).toMatchObject({ inserted: 2, dateFormat: 'dmy' });
    const at = await ctx.store.db.selectFrom('orders').select('ordered_at').orderBy('order_id').execute();
    expect(at.map((r) => r.ordered_at)).toEqual(['2011-02-01', '2011-04-03']);
  });

  it('GIVEN dates that contradict each other (12/31 and 31/12) THEN the message names both lines', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const s = await run('orders', put('o.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,12/31/2010,1\nO2,C1,31/12/2010,1\n'));
    expect(s.fatal).toMatch(/month-first on line 2 \("12\/31\/2010"\) but day-first on line 3 \("31\/12\/2010"\)/);
  });
});
