// The real thing: UCI Online Retail (541,909 invoice lines, ../shared/retail), imported as it is.
// Revenue is checked against a computation written here, independent of the importer's code.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile, type ImportSummary } from '../../src/importer/import-file.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';

const FILE = resolve(import.meta.dirname, '../../../shared/retail/online_retail.csv.gz');
const missing = !existsSync(FILE);
const allowMissing = process.env['PULSE_ALLOW_MISSING_RETAIL'] === '1';

/** Σ quantity × unit price per customer id, from a plain reading of the CSV (quotes, doubled quotes). */
function revenueByCustomer(): Map<string, number> {
  const text = gunzipSync(readFileSync(FILE)).toString('utf8');
  const revenue = new Map<string, number>();
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let header = true;
  const endRow = () => {
    row.push(field);
    field = '';
    if (header) header = false;
    else if (row.length > 1 && row[6] !== '') {
      // InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
      const id = String(Math.round(Number(row[6])));
      revenue.set(id, (revenue.get(id) ?? 0) + Number(row[3]) * Number(row[5]));
    }
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return revenue;
}

describe.skipIf(missing && allowMissing)('UCI Online Retail, the real file', () => {
  let ctx: TestContext;
  let first: ImportSummary;
  beforeAll(async () => {
    if (missing) throw new Error(`${FILE} is missing (the shop data the importer is checked on); set PULSE_ALLOW_MISSING_RETAIL=1 to skip`);
    ctx = await makeTestContext();
    first = await importFile(ctx.store, { kind: 'transactions', input: FILE, timeZone: 'UTC' });
  }, 180_000);
  afterAll(async () => ctx?.cleanup());

  it('GIVEN the file as published THEN the only rejected rows are the 135,080 without a customer, in one group', () => {
    expect(first.fatal).toBeUndefined();
    expect(first.rowsRead).toBe(541_909);
    expect(first.rejected).toBe(135_080);
    expect(first.rejectedByReason).toHaveLength(1);
    expect(first.rejectedByReason[0]).toMatchObject({ label: 'customer_id is missing', count: 135_080 });
  });

  it('GIVEN the file THEN there are 4,372 customers and every line with a customer is in an order', async () => {
    const n = await ctx.store.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(4_372);
    expect(first.transactions!.customersCreated).toBe(4_372);
  });

  it("GIVEN a few customers THEN each one's lifetime revenue equals Σ quantity × price over their lines", async () => {
    const expected = revenueByCustomer();
    expect(expected.size).toBe(4_372);
    // The largest, one who bought and cancelled everything, a frequent one, a refund-heavy one, the first one.
    for (const id of ['14646', '12346', '12748', '16446', '17850', '13047']) {
      const r = await ctx.store.db
        .selectFrom('orders')
        .select((eb) => eb.fn.sum<number>('amount').as('revenue'))
        .where('customer_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(Number(r.revenue), `customer ${id}`).toBeCloseTo(expected.get(id)!, 6);
    }
    const all = await ctx.store.db
      .selectFrom('orders')
      .select(['customer_id', (eb) => eb.fn.sum<number>('amount').as('revenue')])
      .groupBy('customer_id')
      .execute();
    const off = all.filter((r) => Math.abs(Number(r.revenue) - expected.get(r.customer_id)!) > 1e-6);
    expect(off).toEqual([]);
  });

  it('GIVEN the same file imported again THEN nothing changes', async () => {
    // Amounts summed to the cent: PostgreSQL keeps a row it touched at a new place, and a float sum
    // in another order differs in its last bits.
    const cents = (r: { n: number; sum: number }) => ({ n: Number(r.n), sum: Math.round(Number(r.sum) * 100) });
    const snapshot = async () => ({
      orders: cents(
        await ctx.store.db
          .selectFrom('orders')
          .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('amount').as('sum')])
          .executeTakeFirstOrThrow(),
      ),
      items: await ctx.store.db
        .selectFrom('order_items')
        .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('quantity').as('sum')])
        .executeTakeFirstOrThrow(),
      customers: await ctx.store.db
        .selectFrom('customers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    });
    const before = await snapshot();
    const again = await importFile(ctx.store, { kind: 'transactions', input: FILE, timeZone: 'UTC' });
    expect(again.transactions!.orders).toEqual({ inserted: 0, updated: 0, unchanged: first.transactions!.orders.inserted });
    expect(again.transactions!.customersCreated).toBe(0);
    expect(await snapshot()).toEqual(before);
  }, 180_000);
});
