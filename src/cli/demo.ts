// `pulse demo [--customers N] [--seed S] [--csv DIR]`.
import { createContext } from '../app/context.ts';
import { formatCount } from '../core/format.ts';
import { localDay } from '../core/time.ts';
import { generateDemo, type DemoCounts } from '../demo/generate.ts';
import { csvSink } from '../demo/write-demo.ts';
import { DEFAULT_DEMO_CUSTOMERS, DEFAULT_DEMO_SEED, seedDemo } from '../demo/seed.ts';
import type { Context } from '../core/context.ts';
import { parseCli, UsageError } from './cli-args.ts';
import { refreshToday } from './refresh.ts';


export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseCli(args, { customers: { type: 'string' }, seed: { type: 'string' }, csv: { type: 'string' }, json: { type: 'boolean', default: false }, 'no-refresh': { type: 'boolean', default: false } }, false);
  const customers = values.customers === undefined ? DEFAULT_DEMO_CUSTOMERS : Number(values.customers);
  const seed = values.seed === undefined ? DEFAULT_DEMO_SEED : Number(values.seed);
  if (!Number.isInteger(customers) || customers < 1 || customers > 5_000_000) throw new UsageError('--customers must be a whole number from 1 to 5,000,000');
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
  const ctx = await createContext();
  try {
    const started = performance.now();
    const counts = values.csv ? await demoToCsv(ctx, String(values.csv), customers, seed) : await seedDemo(ctx, customers, seed);
    const seconds = (performance.now() - started) / 1000;
    if (!values.csv && !values['no-refresh']) await refreshToday(ctx);
    const where = values.csv ? `CSV files in ${values.csv}` : ctx.store.location;
    process.stdout.write(
      values.json
        ? JSON.stringify({ ...counts, seconds, target: where }) + '\n'
        : `Demo data → ${where}: ${formatCount(counts.customers)} customers, ${formatCount(counts.orders)} orders, ${formatCount(counts.items)} order items, ${formatCount(counts.feedback)} feedback (${seconds.toFixed(1)} s)\n`,
    );
    return 0;
  } finally {
    await ctx.store.close();
  }
}


async function demoToCsv(ctx: Context, dir: string, customers: number, seed: number): Promise<DemoCounts> {
  const sink = csvSink(dir);
  const counts = await generateDemo({ customers, seed, endDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) }, sink);
  await sink.close();
  return counts;
}
