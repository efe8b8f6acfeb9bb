// The refresh whose insights are live, and which ReportData answers from it.
import type { Context } from '../core/context.ts';
import { notFound } from '../core/errors.ts';
import { formatDay, localDay } from '../core/time.ts';
import { latestRun } from '../db/insights.ts';
import type { ModelRunRow } from '../db/schema.ts';
import { precomputedData, runCard } from './precomputed-data.ts';
import type { ReportData, SatisfactionData } from './report-data.ts';
import { scanData } from './scan-data.ts';
import { slowWorkHere } from '../core/off-loop.ts';

export async function liveRun(ctx: Context): Promise<ModelRunRow | undefined> {
  return latestRun(ctx.store.db);
}

/** The command's `requires: ['insights']` check, in words a rep can act on. */
export async function requireLiveRun(ctx: Context): Promise<ModelRunRow> {
  const run = await liveRun(ctx);
  if (!run) throw notFound('No insights yet: the models have not been fitted on this store.', 'An admin runs `pulse refresh` (it also runs after every import and nightly).');
  return run;
}

/**
 * The day "N days ago" counts from: the live insights' as-of day (a store of last year's orders reads
 * as of last year, not as of the wall clock), or today before the first refresh.
 */
export async function referenceDay(ctx: Context): Promise<number> {
  return (await liveRun(ctx))?.as_of_day ?? localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
}

/** Runs since the rollups were introduced carry them (and a feedback watermark). */
export function hasRollups(run: ModelRunRow): boolean {
  return run.feedback_watermark !== null;
}

/** The data behind every report: the rollups of the live run, or the rows when that run has none. */
export async function reportData(ctx: Context): Promise<ReportData> {
  return dataFor(ctx, await requireLiveRun(ctx));
}

/** Satisfaction needs no fitted model: before the first refresh it is read from the rows. */
export async function satisfactionData(ctx: Context): Promise<SatisfactionData> {
  const run = await liveRun(ctx);
  if (run) return dataFor(ctx, run);
  slowWorkHere(ctx, 'no refresh has stored satisfaction rollups yet');
  return scanData(ctx, undefined);
}

function dataFor(ctx: Context, run: ModelRunRow): ReportData {
  if (hasRollups(run)) return precomputedData(ctx, run);
  slowWorkHere(ctx, 'the live refresh predates the rollups');
  return scanData(ctx, run);
}

/**
 * What the stored p_alive is called on this run: "P(alive)" when a trusted model gives it, else
 * what stands in for it (e.g. "Chance of buying again in 90 days"); see the model card's `pAlive`.
 */
export function pAliveLabel(run: Pick<ModelRunRow, 'card'>): string {
  return runCard(run).pAlive?.label ?? 'P(alive)';
}

export function asOfFooter(run: Pick<ModelRunRow, 'as_of_day' | 'run_id'>): string {
  return `Insights as of ${formatDay(run.as_of_day)} (refresh #${run.run_id}).`;
}
