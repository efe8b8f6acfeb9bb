// `pulse refresh [--as-of YYYY-MM-DD|latest] [--holdout-days N] [--unless-refreshed-since ISO] [--json]` and
// `pulse model [--json]`.
import { postDueAlerts } from '../alerts/post-now.ts';
import { createContext } from '../app/context.ts';
import type { Context } from '../core/context.ts';
import { localDay, parseDayArg } from '../core/time.ts';
import { newestOrderDay } from '../db/imports.ts';
import { latestRun } from '../db/insights.ts';
import { renderModelCard } from '../refresh/render-model-card.ts';
import type { ModelCard } from '../refresh/model-card.ts';
import { refresh, RefreshSkipped } from '../refresh/refresh.ts';
import { runAsBatchJob } from './batch-priority.ts';
import { parseCli, UsageError } from './cli-args.ts';
import { collectGarbageSooner } from './heap.ts';

export async function refreshCommand(args: string[]): Promise<number> {
  const { values } = parseCli(
    args,
    { 'as-of': { type: 'string' }, 'holdout-days': { type: 'string' }, json: { type: 'boolean', default: false }, 'unless-refreshed-since': { type: 'string' } },
    false,
  );
  const since = values['unless-refreshed-since'] === undefined ? undefined : new Date(String(values['unless-refreshed-since']));
  if (since && Number.isNaN(since.getTime())) throw new UsageError('--unless-refreshed-since takes an ISO instant, e.g. 2026-11-23T02:15:00Z');
  const holdoutDays = values['holdout-days'] === undefined ? undefined : Number(values['holdout-days']);
  if (holdoutDays !== undefined && !(Number.isInteger(holdoutDays) && holdoutDays >= 1 && holdoutDays <= 3650)) {
    throw new UsageError('--holdout-days takes a whole number of days from 1 to 3650, e.g. --holdout-days 90');
  }
  collectGarbageSooner();
  // The refresh scans each table once, in key order: a page cache would hold pages never read again.
  const ctx = await createContext({ store: { cacheMiB: 16 } });
  runAsBatchJob(ctx.config.batchNice, ctx.log);
  try {
    let asOfDay = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
    const asOf = values['as-of'] === undefined ? undefined : String(values['as-of']).trim();
    if (asOf === 'latest') {
      // A historical export is seen as of its own last day, not as of today.
      const newest = await newestOrderDay(ctx.store.db);
      if (newest === undefined) throw new UsageError('--as-of latest takes the newest order\'s day, but the store has no orders yet: import some first');
      asOfDay = newest;
    } else if (asOf !== undefined) {
      const d = parseDayArg(asOf);
      if (d === undefined) throw new UsageError('--as-of takes a day as YYYY-MM-DD, or latest (the newest order\'s day)');
      asOfDay = d;
    }
    // Another process's refresh holds the store: say so at once (the log says it too), then wait.
    const onWait = (message: string) => void process.stderr.write(`${message}\n`);
    try {
      const card = await refresh(ctx, { asOfDay, ...(holdoutDays ? { holdoutDays } : {}), ...(since ? { unlessDoneSince: since } : {}), onWait });
      process.stdout.write(values.json ? JSON.stringify(card, null, 2) + '\n' : renderModelCard(card, ctx.config.currency) + '\n');
      await postDueAlerts(ctx);
    } catch (err) {
      if (!(err instanceof RefreshSkipped)) throw err;
      ctx.log.info(err.message, { coveredBy: err.runId });
      process.stdout.write(values.json ? JSON.stringify({ skipped: true, reason: err.message, runId: err.runId }) + '\n' : err.message + '\n');
    }
    return 0;
  } finally {
    await ctx.store.close();
  }
}

export async function modelCommand(args: string[]): Promise<number> {
  const { values } = parseCli(args, { json: { type: 'boolean', default: false } }, false);
  const ctx = await createContext();
  try {
    const card = await currentModelCard(ctx);
    if (!card) {
      process.stderr.write('No model has been fitted yet: run `pulse refresh` (it also runs after every import).\n');
      if (values.json) process.stdout.write('null\n');
      return 1;
    }
    process.stdout.write(values.json ? JSON.stringify(card, null, 2) + '\n' : renderModelCard(card, ctx.config.currency) + '\n');
    return 0;
  } finally {
    await ctx.store.close();
  }
}

export async function currentModelCard(ctx: Context): Promise<ModelCard | undefined> {
  const run = await latestRun(ctx.store.db);
  return run?.card ? (JSON.parse(run.card) as ModelCard) : undefined;
}

/** Refresh as of today in the configured zone; failures are logged, never fatal to the caller. */
export async function refreshToday(ctx: Context): Promise<ModelCard | undefined> {
  try {
    return await refresh(ctx, { asOfDay: localDay(ctx.clock.now().getTime(), ctx.config.timeZone) });
  } catch (err) {
    ctx.log.error('refresh failed; insights are from the previous run', { error: err });
    return undefined;
  }
}
