// Shared pieces of the alert tests: a clock the test moves, a demo store refreshed twice a week apart
// (the second refresh finds customers who crossed since the first), a purchase added by hand.
import type { Context } from '../../../src/core/context.ts';
import { formatDay, localDay, MS_PER_DAY, type Clock } from '../../../src/core/time.ts';
import type { AlertRow } from '../../../src/db/alerts.ts';
import { getMeta } from '../../../src/db/meta.ts';
import { seedDemo } from '../../../src/demo/seed.ts';
import { refresh } from '../../../src/refresh/refresh.ts';

export interface MovableClock extends Clock {
  set(to: string | Date): Date;
  /** Moves on by `ms` and returns the new instant. */
  advance(ms: number): Date;
}

export function movableClock(start: string | Date): MovableClock {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (to) => (now = new Date(to)),
    advance: (ms) => (now = new Date(now.getTime() + ms)),
  };
}

export const DAY = MS_PER_DAY;

/** Demo data as of today, refreshed a week ago and today: the alerts the second refresh raised. */
export async function demoWithAlerts(ctx: Context, customers = 600, seed = 7): Promise<AlertRow[]> {
  await seedDemo(ctx, customers, seed);
  const today = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
  await refresh(ctx, { asOfDay: today - 7 });
  await refresh(ctx, { asOfDay: today });
  return ctx.store.db.selectFrom('alerts').selectAll().orderBy('alert_id').execute();
}

export async function installId(ctx: Context): Promise<string> {
  const id = await getMeta(ctx.store.db, 'install_id');
  if (!id) throw new Error('no install id yet: run a tick first');
  return id;
}

/** The customer bought again on `day` (an order as the importer writes it). */
export async function addPurchase(ctx: Context, customerId: string, day: number, amount = 120): Promise<void> {
  await ctx.store.db
    .insertInto('orders')
    .values({ order_id: `T-${customerId}-${day}`, customer_id: customerId, ordered_at: formatDay(day), day, amount, attributes: null, import_id: null, import_line: null })
    .execute();
}

/** Every email address or phone number pattern a post must not carry. */
export const CONTACT = /[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d\s().-]{8,}\d/;
