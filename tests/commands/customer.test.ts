import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/commands/index.ts';
import { importFile } from '../../src/importer/import-file.ts';
import { consoleCall, makeTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
const registry = createRegistry();

beforeAll(async () => {
  ctx = await makeTestContext();
  const put = async (kind: 'customers' | 'orders', text: string) => {
    const f = join(ctx.dir, `${kind}.csv`);
    writeFileSync(f, text);
    return importFile(ctx.store, { kind, input: f, timeZone: 'UTC' });
  };
  await put('customers', [
    'customer_id,name,email,company,owner',
    'C1,Ann Lee,ann@acme.com,Acme Corp,Maya Chen',
    'C2,Bob Stone,bob@acme-logistics.com,Acme Logistics,Tom Becker',
    'C3,Carla Acme,carla@zen.io,Zen Studio,Maya Chen',
    'C4,Dan Brown,dan@brown.io,Brown & Sons,Tom Becker',
  ].join('\n'));
  await put('orders', [
    'order_id,customer_id,ordered_at,amount',
    'O1,C4,2026-08-01,100',
    'O2,C4,2026-08-01T18:00:00Z,50', // same day: one purchase day
    'O3,C4,2026-09-01,80',
    'O4,C4,2026-10-01,70',
    'O5,C4,2026-10-05,-30', // refund: lowers revenue, not an order
  ].join('\n'));
});
afterAll(async () => ctx.cleanup());

const ask = (text: string) => registry.run(text, consoleCall(), ctx);

describe('/customer', () => {
  it('GIVEN an exact id THEN it shows that card with orders, revenue, first/last order and usual gap', async () => {
    const r = await ask('/customer C4');
    expect(r.error).toBeUndefined();
    expect(r.title).toBe('Dan Brown · Brown & Sons');
    const f = Object.fromEntries(r.fields!.map((x) => [x.label, x.value]));
    expect(f['Orders']).toBe('4 on 3 days');
    expect(f['Lifetime revenue']).toBe('$270.00');
    expect(f['First order']).toMatch(/^2026-08-01/);
    expect(f['Last order']).toMatch(/^2026-10-01 \(53 days ago\)/);
    expect(f['Usual gap']).toBe('every 31 days'); // gaps 31 and 30: median 30.5
    expect(r.fields!.find((x) => x.label === 'Email')!.pii).toBe(true);
  });

  it('GIVEN an email in any case THEN it finds the customer', async () => {
    expect((await ask('/customer ANN@acme.com')).title).toBe('Ann Lee · Acme Corp');
  });

  it('GIVEN a word several customers share THEN it lists them to pick from, with a button each', async () => {
    const r = await ask('/customer acme');
    expect(r.title).toMatch(/^3 customers match/);
    expect(r.buttons!.map((b) => b.action)).toContainEqual({ kind: 'run', command: '/customer C1' });
  });

  it('GIVEN two words THEN only customers matching both are found', async () => {
    expect((await ask('/customer acme logis')).title).toBe('Bob Stone · Acme Logistics');
  });

  it('GIVEN a partial word in the middle of a name THEN the substring fallback finds it', async () => {
    expect((await ask('/customer tone')).title).toBe('Bob Stone · Acme Logistics');
  });

  it('GIVEN a customer with no orders THEN the card says so instead of failing', async () => {
    const r = await ask('/customer C1');
    expect(r.text).toMatch(/No orders yet/);
  });

  it('GIVEN nothing matches THEN a NOT_FOUND reply with a hint', async () => {
    const r = await ask('/customer qqqzzz');
    expect(r.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(r.error!.hint).toMatch(/part of the name/);
  });

  it('GIVEN no argument THEN INVALID_ARGS with the usage', async () => {
    const r = await ask('/customer');
    expect(r.error).toMatchObject({ code: 'INVALID_ARGS' });
    expect(r.error!.hint).toMatch(/Usage: `\/customer QUERY/);
  });
});

describe('/customer dates', () => {
  it('GIVEN a customer created late in the UTC evening THEN "customer since" is the local day in PULSE_TIMEZONE', async () => {
    const local = await makeTestContext({ PULSE_TIMEZONE: 'Asia/Shanghai' });
    try {
      await local.store.db.insertInto('customers').values({ customer_id: 'S1', name: 'Su Lin', email: null, company: null, owner: null, created_at: '2024-02-01T23:30:00.000Z', attributes: null, search_text: 's1', import_id: null, import_line: null }).execute();
      const r = await registry.run('/customer S1', consoleCall(), local);
      expect(r.text).toMatch(/Customer since 2024-02-02\./);
    } finally {
      await local.cleanup();
    }
  });
});

describe('registry', () => {
  it('GIVEN a typo in the command THEN it suggests the right one', async () => {
    const r = await ask('/custmer acme');
    expect(r.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(r.error!.hint).toMatch(/\/customer/);
  });

  it('GIVEN hostile input THEN every reply is an answer, never an exception', async () => {
    for (const text of ['', '/', '/customer "unclosed', '/customer ' + 'x'.repeat(5000), '/help nope', '/customer \u0000\u202e', '/customer %_\\']) {
      const r = await ask(text);
      expect(r.visibility).toBe('private');
      expect(typeof (r.text ?? r.title)).toBe('string');
    }
  });
});
