// Filling a store with the demo data set (what `pulse demo` and the first `npm start` do).
import type { Context } from '../core/context.ts';
import { localDay } from '../core/time.ts';
import { setMetaOnce } from '../db/meta.ts';
import { generateDemo, type DemoCounts } from './generate.ts';
import { storeSink } from './write-demo.ts';

export const DEFAULT_DEMO_CUSTOMERS = 2000;
export const DEFAULT_DEMO_SEED = 42;

export async function seedDemo(ctx: Context, customers: number, seed: number): Promise<DemoCounts> {
  await setMetaOnce(ctx.store.db, 'day_zone', ctx.config.timeZone);
  const sink = await storeSink(ctx.store, ctx.clock.now());
  const counts = await generateDemo({ customers, seed, endDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) }, sink);
  await sink.close();
  return counts;
}
