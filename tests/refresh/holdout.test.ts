// The holdout through a real store and the real refresh: `pulse refresh --holdout-days 273` on the
// CDNOW sample as of 1998-06-30 puts PRODUCT.md's `holdout` object on the model card.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentModelCard } from '../../src/cli/refresh.ts';
import { formatDay } from '../../src/core/time.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { renderModelCard } from '../../src/refresh/render-model-card.ts';
import { cdnowStatus, dayNumber, loadCdnowTransactions } from '../analytics/helpers/cdnow.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';

const cdnow = cdnowStatus();
/** CDNOW days count from 1997-01-01; the store's from 1970-01-01. */
const EPOCH_1997 = Date.UTC(1997, 0, 1) / 86_400_000;

describe.skipIf(cdnow.skip)('GIVEN the CDNOW sample in a store', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await makeTestContext();
    const tx = loadCdnowTransactions();
    const none = { name: null, email: null, company: null, owner: null, created_at: null, attributes: null, import_id: null, import_line: null };
    const customers = tx.ids.map((id) => ({ ...none, customer_id: `C${id}`, search_text: `c${id}` }));
    const orders = tx.ids.flatMap((id, i) =>
      tx.days.slice(tx.offsets[i]!, tx.offsets[i + 1]!).map((d, k) => {
        const day = EPOCH_1997 + d;
        const amount = tx.dollars[tx.offsets[i]! + k]!;
        const order_id = `O${id}-${k}`;
        return { order_id, customer_id: `C${id}`, ordered_at: formatDay(day), day, amount, attributes: null, import_id: null, import_line: null };
      }),
    );
    for (let i = 0; i < customers.length; i += 500) await ctx.store.db.insertInto('customers').values(customers.slice(i, i + 500)).execute();
    for (let i = 0; i < orders.length; i += 500) await ctx.store.db.insertInto('orders').values(orders.slice(i, i + 500)).execute();
  });
  afterAll(() => ctx.cleanup());

  it('WHEN refreshed as of 1998-06-30 with a 273-day holdout THEN the card carries the holdout table of PRODUCT.md', async () => {
    await refresh(ctx, { asOfDay: EPOCH_1997 + dayNumber('19980630'), holdoutDays: 273 });
    const card = (await currentModelCard(ctx))!;
    const h = card.holdout!;
    expect(h.calibrationEnd).toBe('1997-09-30');
    expect(h.holdoutEnd).toBe('1998-06-30');
    expect(Object.keys(h.models).sort()).toEqual(['bgnbd', 'mbgnbd', 'paretoNbd']);
    for (const m of Object.values(h.models)) {
      expect(Object.keys(m!.params).length).toBe(4);
      expect(m!.logLikelihood).toBeLessThan(0);
    }
    expect(h.rows.map((r) => r.frequency)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(h.rows.reduce((s, r) => s + r.customers, 0)).toBe(2357);
    expect(h.rows.reduce((s, r) => s + r.customers * r.actual, 0)).toBeCloseTo(1882, 6);
    for (const r of h.rows) expect(Object.keys(r.expected).sort()).toEqual(['bgnbd', 'mbgnbd', 'paretoNbd']);
    expect(['paretoNbd', 'mbgnbd']).toContain(h.chosen);
    expect(h.chosen).toBe(card.pAlive.chosen);
    expect(card.pAlive.basis).toBe('model');
    expect(h.why).toMatch(/lowest per-customer error over the 273-day holdout/);
    // the per-customer error that picked it
    const rmse = (name: string) => h.error[name as 'bgnbd']!.rmse;
    expect(rmse(h.chosen!)).toBeLessThanOrEqual(rmse(h.chosen === 'paretoNbd' ? 'mbgnbd' : 'paretoNbd'));
    // today's fits carry standard errors on the card; CDNOW needs no warning
    expect('error' in card.paretoNbd).toBe(false);
    if (!('error' in card.paretoNbd)) expect(Object.values(card.paretoNbd.standardErrors).every((v) => v !== null && v > 0)).toBe(true);
    expect(card.warnings).toEqual([]);
    const text = renderModelCard(card);
    expect(text).toContain('Holdout: fitted to 1997-09-30, scored on the 273 days to 1998-06-30');
    expect(text).toMatch(/\n {2}7\+\s+64\s/);
  });

  it('WHEN refreshed without --holdout-days THEN the nightly default of 90 days is on the card', async () => {
    await refresh(ctx, { asOfDay: EPOCH_1997 + dayNumber('19980630') });
    const card = (await currentModelCard(ctx))!;
    expect(card.holdout!.days).toBe(90);
    expect(card.holdout!.calibrationEnd).toBe('1998-04-01');
  });

  it('WHEN refreshed a year after the newest order THEN the card warns and names --as-of latest', async () => {
    await refresh(ctx, { asOfDay: EPOCH_1997 + dayNumber('19990701') });
    const card = (await currentModelCard(ctx))!;
    expect(card.warnings[0]).toMatch(/^The newest order is from 1998-06-30, 366 days before the as-of day 1999-07-01: .*`pulse refresh --as-of latest`/);
  });
});
