// What a person sees when a file is partly wrong: rejected rows grouped by reason, every one in the
// errors file; records too long refused with their line; identical feedback rows kept apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile, type ImportOptions } from '../../src/importer/import-file.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => ctx.cleanup());

const put = (name: string, text: string | Buffer) => {
  const file = join(ctx.dir, name);
  writeFileSync(file, text);
  return file;
};
const run = (kind: ImportOptions['kind'], file: string, more: Partial<ImportOptions> = {}) =>
  importFile(ctx.store, { kind, input: file, timeZone: 'UTC', ...more });
const ids = async () => (await ctx.store.db.selectFrom('customers').select('customer_id').orderBy('customer_id').execute()).map((r) => r.customer_id);

describe('rejected rows', () => {
  const ORDERS = [
    'order_id,customer_id,ordered_at,amount',
    'O1,C1,2024-01-01,10', // line 2: fine
    'O2,C404,2024-01-02,10', // unknown customer
    'O3,C1,2024-13-01,10', // bad date
    'O4,C405,2024-01-03,10', // unknown customer
    'O5,C1,2024-01-04,"ten"', // not a number
    'O6,C406,2024-01-05,10', // unknown customer
    'O1,C1,2024-01-01,11', // same id, other values
  ].join('\n');

  it('GIVEN rows wrong in several ways THEN the summary groups them by reason with counts and first lines', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const s = await run('orders', put('o.csv', ORDERS));
    expect(s.rejected).toBe(6);
    expect(s.rejectedByReason.map((g) => [g.label, g.count, g.lines])).toEqual([
      ['customer_id names a customer that is not in the store', 3, [3, 5, 7]],
      ['ordered_at is not a date', 1, [4]],
      ['amount is not a number', 1, [6]],
      ['order_id repeats an id with different values (the first stands)', 1, [8]],
    ]);
    expect(s.rejectedByReason[0]!.example).toBe('unknown customer "C404"; import it in the customers file first');
  });

  it('GIVEN --errors THEN every rejected row is written with its line, field, reason and record as the file had it', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const out = join(ctx.dir, 'errors.csv');
    const s = await run('orders', put('o.csv', ORDERS), { errorsFile: out, maxProblems: 2 });
    expect(s.problems).toHaveLength(2);
    expect(s.errorsFile).toBe(out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('line,field,reason,record');
    expect(lines.slice(1)).toEqual([
      '3,customer_id,"unknown customer ""C404""; import it in the customers file first","O2,C404,2024-01-02,10"',
      '4,ordered_at,"""2024-13-01"" is not a date (use ISO-8601 like 2024-03-05 or 2024-03-05T14:30:00Z, YYYYMMDD, or a slash date)","O3,C1,2024-13-01,10"',
      '5,customer_id,"unknown customer ""C405""; import it in the customers file first","O4,C405,2024-01-03,10"',
      '6,amount,"""ten"" is not a number (e.g. 1234.50)","O5,C1,2024-01-04,""ten"""',
      '7,customer_id,"unknown customer ""C406""; import it in the customers file first","O6,C406,2024-01-05,10"',
      '8,order_id,"""O1"" appears again with different values (first on line 2); the first stands","O1,C1,2024-01-01,11"',
    ]);
  });
});

describe('records too long and files that are not what they say', () => {
  it('GIVEN a 64 MiB record between good ones THEN it is refused with its line and the rows after it still land', async () => {
    const huge = 'x'.repeat(64 << 20);
    const s = await run('customers', put('huge.csv', `customer_id,name\nC1,Ann\nC2,"${huge}"\nC3,Cy\n`));
    expect(s.inserted).toBe(2);
    expect(s.problems).toEqual([
      { line: 3, field: 'row', code: 'record-too-long', reason: expect.stringMatching(/^the record is 64\.0 MiB long; records over 1 MiB are refused/) },
    ]);
    expect(await ids()).toEqual(['C1', 'C3']);
  }, 60_000);

  it('GIVEN a 64 MiB line with no line break at all THEN it is refused with its line', async () => {
    const s = await run('customers', put('one-line.csv', 'customer_id,name\n' + 'C1,'.repeat(16 << 20)));
    expect(s.inserted).toBe(0);
    expect(s.problems.map((p) => [p.line, p.code])).toEqual([[2, 'record-too-long']]);
  }, 60_000);

  it('GIVEN a JSON Lines file with a 64 MiB line THEN that line is refused and the next one lands', async () => {
    const s = await run('customers', put('big.jsonl', `{"customer_id":"C1"}\n{"customer_id":"C2","name":"${'y'.repeat(64 << 20)}"}\n{"customer_id":"C3"}\n`));
    expect(s.inserted).toBe(2);
    expect(s.problems.map((p) => [p.line, p.code])).toEqual([[2, 'record-too-long']]);
  }, 60_000);

  it('GIVEN a .jsonl file that is one JSON array THEN it is refused at once, saying how to convert it', async () => {
    const s = await run('customers', put('array.jsonl', '  [\n{"customer_id":"C1"},\n{"customer_id":"C2"}\n]\n'));
    expect(s.fatal).toMatch(/one JSON array, not JSON Lines .*jq -c/);
    expect(s.rowsRead).toBe(0);
    expect(await ids()).toEqual([]);
  });

  it('GIVEN a header line over 1 MiB THEN the file is refused as a whole', async () => {
    const s = await run('customers', put('wide.csv', 'customer_id,' + 'n'.repeat(2 << 20) + '\nC1,x\n'));
    expect(s.fatal).toMatch(/^the header line cannot be read: the record is 2\.0 MiB long/);
  });
});

describe('feedback without an id', () => {
  const header = 'customer_id,score,comment,created_at';
  const same = 'C1,2,"late, again",2024-03-01';

  it('GIVEN 20 identical answers THEN they are 20 answers, and importing the file again changes nothing', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    const file = put('survey.csv', [header, ...Array(20).fill(same), 'C1,5,great,2024-03-01'].join('\n'));
    const s = await run('feedback', file);
    expect(s).toMatchObject({ inserted: 21, rejected: 0 });
    const again = await run('feedback', file);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 21 });
    const n = await ctx.store.db
      .selectFrom('feedback')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('score', '=', 2)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(20);
  });

  it('GIVEN a later file with more of the same answers THEN only the extra ones are new', async () => {
    await run('customers', put('c.csv', 'customer_id\nC1\n'));
    await run('feedback', put('a.csv', [header, same, same].join('\n')));
    const s = await run('feedback', put('b.csv', [header, same, same, same].join('\n')));
    expect(s).toMatchObject({ inserted: 1, unchanged: 2 });
  });
});
