// The PostgreSQL write paths that go through COPY: every value survives the text format exactly,
// and a staged import batch keeps the writer's contracts (each refused or orphaned row reported
// alone, the rest landing, the first of two rows with one id standing, a second write unchanged).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBulkWriter, type Outcome, type RowValues } from '../../src/db/bulk.ts';
import { copyRows, inTransaction, type CopyValue } from '../../src/db/postgres-copy.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { onPostgres } from '../helpers/test-database.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => ctx.cleanup());

describe.skipIf(!onPostgres)('PostgreSQL: COPY', () => {
  it('GIVEN text with the format\'s special characters, empty and null, and doubles at their limits THEN each reads back exactly as sent', async () => {
    const texts = ['plain', 'tab\there', 'line\nbreak', 'carriage\rreturn', 'back\\slash', '\\N', '', 'ünï 😀 日本', ' lead and trail ', 'a\\tb'];
    const doubles = [0.1, -1.5e-300, 1.7976931348623157e308, 5e-324, -0, 123456789.123456789, NaN, Infinity, -Infinity];
    const rows: CopyValue[][] = [
      ...texts.map((t, i) => [i, t, null, null]),
      ...doubles.map((d, i) => [100 + i, null, d, i % 2 === 0]),
      [200, null, null, null],
    ];
    const pool = ctx.store.postgres!;
    const back = await inTransaction(pool, async (client) => {
      await client.query('create temp table copied (id integer, t text, d double precision, b boolean) on commit drop');
      const stored = await copyRows(client, 'copied', ['id', 't', 'd', 'b'], rows, (r, out) => r.forEach((v, c) => (out[c] = v)));
      expect(stored).toBe(rows.length);
      type Back = { id: number; t: string | null; d: number | null; b: boolean | null };
      return (await client.query<Back>('select id, t, d::text as d, b from copied order by id')).rows;
    });
    expect(back.map((r) => r.t).slice(0, texts.length)).toEqual(texts);
    // Doubles compared as PostgreSQL prints them back, parsed: the text form is JavaScript's shortest round trip.
    expect(back.slice(texts.length, texts.length + doubles.length).map((r) => Number(r.d))).toEqual(doubles.map((d) => (Object.is(d, -0) ? 0 : d)));
    expect(back.slice(texts.length, texts.length + doubles.length).map((r) => r.b)).toEqual(doubles.map((_, i) => i % 2 === 0));
    expect(back.at(-1)).toEqual({ id: 200, t: null, d: null, b: null });
  });
});

describe.skipIf(!onPostgres)('PostgreSQL: an orders batch through the staging table', () => {
  const order = (id: string, customer: string, day: number, amount: number): RowValues => [id, customer, `day ${day}`, day, amount, null];
  const customers = async () => {
    const w = createBulkWriter(ctx.store, 'customers', 1);
    const rows = Array.from({ length: 50 }, (_, i): RowValues => [`C${i}`, `Customer ${i}`, null, null, null, null, null]);
    await w.write(rows, rows.map((_, i) => i + 2));
  };
  const stored = async () =>
    (await ctx.store.db.selectFrom('orders').select(['order_id', 'customer_id', 'day', 'amount', 'import_line']).orderBy('order_id').execute()).map((r) => ({
      ...r,
      day: Number(r.day),
      amount: Number(r.amount),
      import_line: Number(r.import_line),
    }));

  it('GIVEN good rows among an unknown customer, a day out of range, a NUL and one id twice THEN each bad row is reported alone, the rest land', async () => {
    await customers();
    const rows: RowValues[] = [];
    for (let i = 0; i < 400; i++) rows.push(order(`O${String(i).padStart(4, '0')}`, `C${i % 50}`, 19_000 + i, i + 0.25));
    rows[37] = order('O0037', 'C_nobody', 19_037, 1);
    rows[120] = order('O0120', 'C3', 2 ** 40, 1);
    rows[250] = order('O0250', 'C4\u0000', 19_250, 1);
    rows.push(order('O0010', 'C10', 19_010, 999)); // the same id as row 10, other values: the first stands
    rows.push(order('O0011', 'C11', 19_011, 11.25)); // the same id as row 11, the same values
    const lines = rows.map((_, i) => i + 2);
    const out = await createBulkWriter(ctx.store, 'orders', 2).write(rows, lines);
    const kinds = (o: Outcome[]) => o.map((x) => x.kind);
    expect(out[37]).toEqual({ kind: 'missing-parent', parent: 'customer' });
    expect(out[120]).toEqual(expect.objectContaining({ kind: 'refused', reason: expect.stringContaining('out of range') }));
    expect(out[250]).toEqual(expect.objectContaining({ kind: 'refused', column: 'customer_id', reason: expect.stringContaining('NUL') }));
    expect(out[400]).toEqual({ kind: 'conflict', firstLine: 12 });
    expect(out[401]).toEqual({ kind: 'unchanged' });
    expect(kinds(out).filter((k) => k === 'inserted')).toHaveLength(397);
    const after = await stored();
    expect(after).toHaveLength(397);
    expect(after.find((r) => r.order_id === 'O0010')).toEqual({ order_id: 'O0010', customer_id: 'C10', day: 19_010, amount: 10.25, import_line: 12 });
    expect(after.some((r) => ['O0037', 'O0120', 'O0250'].includes(r.order_id))).toBe(false);

    // The same rows again, by a later import: nothing changes, and the bad rows are reported again.
    const again = await createBulkWriter(ctx.store, 'orders', 3).write(rows, lines);
    expect(kinds(again).filter((k) => k === 'unchanged')).toHaveLength(398);
    expect(kinds([again[37]!, again[120]!, again[250]!, again[400]!])).toEqual(['missing-parent', 'refused', 'refused', 'conflict']);
    expect((await stored()).map(({ import_line: _l, ...r }) => r)).toEqual(after.map(({ import_line: _l, ...r }) => r));
  });

  it('GIVEN a batch of new rows and a later batch that updates some of them THEN the updated rows hold the later values and only those changed', async () => {
    await customers();
    const first = Array.from({ length: 300 }, (_, i) => order(`O${i}`, `C${i % 50}`, 19_000 + i, i));
    await createBulkWriter(ctx.store, 'orders', 2).write(first, first.map((_, i) => i + 2));
    const second = first.map((r, i) => (i % 3 === 0 ? order(String(r[0]), String(r[1]), Number(r[3]), i + 0.5) : r));
    const out = await createBulkWriter(ctx.store, 'orders', 3).write(second, second.map((_, i) => i + 2));
    expect(out.filter((o) => o.kind === 'updated')).toHaveLength(100);
    expect(out.filter((o) => o.kind === 'unchanged')).toHaveLength(200);
    const amounts = new Map((await stored()).map((r) => [r.order_id, r.amount]));
    expect(amounts.get('O3')).toBe(3.5);
    expect(amounts.get('O4')).toBe(4);
  });
  it('GIVEN 10,000 orders written in overlapping parts THEN bad rows in any part are reported alone, an id repeated parts apart is a conflict', async () => {
    await customers();
    const rows: RowValues[] = Array.from({ length: 10_000 }, (_, i) => order(`O${String(i).padStart(5, '0')}`, `C${i % 50}`, 19_000 + (i % 500), i + 0.5));
    rows[100] = order('O00100', 'C_nobody', 19_100, 1); // first part
    rows[5_000] = order('O05000', 'C5', 2 ** 40, 1); // second part
    rows[9_000] = order('O00007', 'C7', 19_007, 999); // third part: the id of row 7, other values
    rows[9_001] = order('O00008', 'C8', 19_008, 8.5); // the id of row 8, the same values
    const lines = rows.map((_, i) => i + 2);
    const out = await createBulkWriter(ctx.store, 'orders', 2).write(rows, lines);
    expect(out[100]).toEqual({ kind: 'missing-parent', parent: 'customer' });
    expect(out[5_000]).toEqual(expect.objectContaining({ kind: 'refused' }));
    expect(out[9_000]).toEqual({ kind: 'conflict', firstLine: 9 });
    expect(out[9_001]).toEqual({ kind: 'unchanged' });
    expect(out.filter((o) => o.kind === 'inserted')).toHaveLength(9_996);
    expect(await stored()).toHaveLength(9_996);
    expect((await stored()).find((r) => r.order_id === 'O00007')?.amount).toBe(7.5);
  });
});
