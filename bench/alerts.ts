// What owner alerts add to a refresh at scale. Refreshes a copy of the benchmark store twice, a week
// apart (the first sets the baseline, the second finds who crossed since), and reports the refresh's
// `owner alerts` step — everything alerts do after the insights are live: evaluate a million
// customers, raise, resolve, match controls, measure "does it help?" — next to the whole refresh,
// plus how many alerts were raised. Never a timed test: a figure to read.
//
//   npx tsx bench/alerts.ts [--store bench/out/store-1000000.sqlite] [--as-of YYYY-MM-DD]
//
// The store must be a copy of your own (it is migrated and written); the run writes
// bench/out/alerts-<customers>.json.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/core/config.ts';
import type { Context } from '../src/core/context.ts';
import { createLogger } from '../src/core/logger.ts';
import { formatDay, parseDayArg, systemClock } from '../src/core/time.ts';
import { openStore } from '../src/db/store.ts';
import { refresh } from '../src/refresh/refresh.ts';

const { values } = parseArgs({ options: { store: { type: 'string', default: 'bench/out/store-1000000.sqlite' }, 'as-of': { type: 'string' } } });
const file = values.store!;
const config = loadConfig({ ...process.env, DATABASE_URL: file, PULSE_LOG_LEVEL: 'warn' });
const ctx: Context = { store: await openStore(file), config, log: createLogger('warn'), clock: systemClock };
try {
  const newest = await ctx.store.db.selectFrom('orders').select((eb) => eb.fn.max('day').as('day')).executeTakeFirst();
  const asOf = values['as-of'] ? parseDayArg(values['as-of']) : Number(newest?.day);
  if (asOf === undefined || !Number.isFinite(asOf)) throw new Error('no as-of day: pass --as-of YYYY-MM-DD');
  const runs = [];
  for (const day of [asOf - 7, asOf]) {
    const t0 = performance.now();
    const card = await refresh(ctx, { asOfDay: day });
    const wall = Math.round(performance.now() - t0);
    const step = card.timingsMs['owner alerts'] ?? null;
    runs.push({
      asOf: formatDay(day),
      refreshMs: wall,
      ownerAlertsMs: step,
      ownerAlertSteps: card.alerts?.timingsMs ?? null,
      raised: card.alerts?.raised ?? null,
      resolved: card.alerts?.resolved ?? null,
      peakRssMb: card.peakRssMb,
    });
    const parts = JSON.stringify(card.alerts?.timingsMs);
    process.stderr.write(`refresh as of ${formatDay(day)}: ${wall} ms in all, owner alerts ${step} ms ${parts}, raised ${JSON.stringify(card.alerts?.raised)}\n`);
  }
  const customers = await ctx.store.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const out = { customers: Number(customers?.n ?? 0), at: new Date().toISOString(), runs };
  const path = join(dirname(file), `alerts-${out.customers}.json`);
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
} finally {
  await ctx.store.close();
}
