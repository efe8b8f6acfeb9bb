// The refresh's snapshot holds every answer in customer order, then by day, then by arrival — also
// when one customer answered several times on one day on different scales and scores (the index
// the read walks orders those by scale and score), and whatever order they were logged in.
import { afterEach, describe, expect, it } from 'vitest';
import { scaleOf } from '../../src/db/histories.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { storeKind } from '../helpers/test-database.ts';

let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
});

describe(`the snapshot's answers on ${storeKind}`, () => {
  it('GIVEN answers logged out of order, several on one day THEN customer, day, arrival order', async () => {
    ctx = await makeTestContext();
    const customers = ['B', 'A', 'E', 'C', 'D']; // D never answers
    for (const customer_id of customers) {
      await ctx.store.db.insertInto('customers').values({ customer_id, name: customer_id, email: null, company: null, owner: null, created_at: null, attributes: null, search_text: customer_id.toLowerCase(), import_id: null, import_line: null }).execute();
    }
    // In arrival order: [customer, day, scale, score].
    const logged: [string, number, 'csat' | 'nps', number][] = [
      ['C', 20_010, 'nps', 9],
      ['A', 20_005, 'nps', 10],
      ['A', 20_001, 'csat', 2],
      ['A', 20_005, 'csat', 5],
      ['B', 20_003, 'csat', 4],
      ['A', 20_005, 'csat', 1],
      ['A', 20_005, 'nps', 0],
      ['C', 20_002, 'csat', 3],
      ['A', 20_001, 'csat', 2],
    ];
    // One customer with more answers than the reader's first buffer holds (64), days and scores scrambled.
    for (let k = 0; k < 150; k++) logged.push(['E', 20_020 + ((k * 7) % 3), k % 2 ? 'nps' : 'csat', k % 2 ? (k * 3) % 11 : 1 + ((k * 5) % 5)]);
    for (const [k, [customer_id, day, scale, score]] of logged.entries()) {
      await ctx.store.db
        .insertInto('feedback')
        .values({ feedback_id: `f${k}`, customer_id, scale, score, comment: null, author: null, platform: null, created_at: '2026-01-01T00:00:00Z', day, attributes: null, import_id: null, import_line: null })
        .execute();
    }
    const reads = await ctx.store.refresh.reads();
    try {
      const snapshot = await reads.readSnapshot(20_100);
      const ids = snapshot.histories.customerIds;
      expect(ids).toEqual(['A', 'B', 'C', 'D', 'E']);
      const f = snapshot.feedback;
      const got = Array.from({ length: f.length }, (_, k) => [ids[f.customerIndex[k]!], f.day[k], scaleOf(f, k), f.score[k]]);
      const arrival = logged.map((a, k) => ({ a, k }));
      arrival.sort((x, y) => x.a[0].localeCompare(y.a[0]) || x.a[1] - y.a[1] || x.k - y.k);
      expect(got).toEqual(arrival.map((x) => x.a));
    } finally {
      await reads.close();
    }
  });
});
