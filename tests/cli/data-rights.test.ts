// `pulse export customer ID` and `pulse forget CUSTOMER` through the real binary: the export is one
// JSON document with everything stored about the customer; forget erases name, email, phone (an
// extra column), company and comments, the search index forgets the words, and figures stay.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCustomers } from '../../src/db/customers.ts';
import { openStore } from '../../src/db/store.ts';
import { testDatabase } from '../helpers/test-database.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pulse-data-rights-'));
// SQLite in the folder, or a schema of its own with PULSE_TEST_DATABASE_URL.
const database = await testDatabase(dir);
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, PULSE_LOG_LEVEL: 'warn' };
for (const k of ['SLACK_BOT_TOKEN', 'DISCORD_TOKEN', 'PULSE_TIMEZONE']) delete env[k];
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

function pulse(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/pulse.mjs'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const steps: string[][] = [
    [
      'customers',
      file(
        'customers.csv',
        [
          'customer_id,name,email,company,owner,created_at,phone',
          'C1,Zelda Quinton,zelda.quinton@example.com,Quinton Bakery,Maya Chen,2025-01-02,+44 20 7946 0958',
          'C2,Ann Other,ann@example.com,Other Ltd,Maya Chen,2025-01-02,555-0199',
          '',
        ].join('\n'),
      ),
    ],
    [
      'orders',
      file(
        'orders.csv',
        [
          'order_id,customer_id,ordered_at,amount,ship_to',
          'O1,C1,2025-02-01,120.50,12 Baker Street',
          'O2,C1,2025-03-01,80,12 Baker Street',
          'O3,C2,2025-03-02,10,Elsewhere',
          '',
        ].join('\n'),
      ),
    ],
    ['order-items', file('items.csv', 'order_id,product,quantity,unit_price,gift_note\nO1,Sourdough,2,60.25,for Zelda\n')],
    [
      'feedback',
      file('feedback.csv', 'customer_id,score,scale,comment,author,created_at\nC1,2,csat,"Late again, call me on 0151 496 0000",Maya Chen,2025-03-05\n'),
    ],
  ];
  for (const [kind, path] of steps) {
    const r = pulse(['import', kind!, path!, '--no-refresh']);
    expect(r.status, r.stderr).toBe(0);
  }
}, 240_000);

describe('pulse export customer', () => {
  it('GIVEN a customer THEN stdout is one JSON document with the customer, orders with items, feedback and search words', () => {
    const r = pulse(['export', 'customer', 'C1']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.customer).toMatchObject({
      customer_id: 'C1',
      name: 'Zelda Quinton',
      email: 'zelda.quinton@example.com',
      attributes: { phone: '+44 20 7946 0958' },
    });
    expect(doc.orders.map((o: { order_id: string }) => o.order_id)).toEqual(['O1', 'O2']);
    expect(doc.orders[0].items).toMatchObject([{ product: 'Sourdough', quantity: 2 }]);
    expect(doc.feedback).toMatchObject([{ score: 2, comment: 'Late again, call me on 0151 496 0000' }]);
    expect(doc.searchTerms).toContain('zelda');
    expect(typeof doc.exportedAt).toBe('string');
  });

  it('GIVEN an unknown id, or a wrong usage THEN a clear message and a non-zero exit', () => {
    const r = pulse(['export', 'customer', 'C404']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/No customer has the id or email "C404"/);
    expect(pulse(['export', 'C1']).status).toBe(2);
  });
});

describe('pulse forget', () => {
  it('GIVEN a customer named by email THEN name, email, phone, company, comments and free text go, search forgets, figures stay', async () => {
    const r = pulse(['forget', 'zelda.quinton@example.com', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      customerId: 'C1',
      customerFields: ['name', 'email', 'company', 'attributes'],
      feedbackCommentsErased: 1,
      ordersWithAttributesErased: 2,
      orderItemsWithAttributesErased: 1,
    });

    const doc = JSON.parse(pulse(['export', 'customer', 'C1']).stdout);
    const text = JSON.stringify(doc);
    for (const gone of ['Zelda', 'Quinton', 'zelda', 'example.com', '7946', 'Baker', '0151', 'Late again', 'for Zelda']) expect(text).not.toContain(gone);
    expect(doc.customer).toMatchObject({ customer_id: 'C1', name: null, email: null, company: null, owner: 'Maya Chen', attributes: null });
    expect(doc.orders.map((o: { amount: number }) => o.amount)).toEqual([120.5, 80]);
    expect(doc.feedback).toMatchObject([{ score: 2, comment: null }]);
    expect(doc.searchTerms).toEqual(['c1']);

    const store = await openStore(env.DATABASE_URL!);
    try {
      expect((await findCustomers(store.db, 'zelda')).total).toBe(0);
      expect((await findCustomers(store.db, 'quinton bakery')).total).toBe(0);
      expect((await findCustomers(store.db, 'C1')).matches[0]?.customer.customer_id).toBe('C1');
      // The other customer is untouched.
      expect((await findCustomers(store.db, 'ann@example.com')).matches[0]?.customer.name).toBe('Ann Other');
      const audit = await store.db.selectFrom('audit_log').selectAll().where('command', 'in', ['forget customer', 'export customer']).execute();
      expect(audit.map((a) => a.detail)).toContain('customer C1');
      expect(JSON.stringify(audit)).not.toMatch(/Zelda|example\.com/);
    } finally {
      await store.close();
    }
  });
});
