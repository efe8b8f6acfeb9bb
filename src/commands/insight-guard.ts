// Insight commands read the last refresh; before there is one they say how to get it.
import type { Context } from '../core/context.ts';
import { notFound } from '../core/errors.ts';
import { latestRun } from '../db/insights.ts';
import type { ModelRunRow } from '../db/schema.ts';
import { formatDay } from '../core/time.ts';

export async function requireRun(ctx: Context): Promise<ModelRunRow> {
  const run = await latestRun(ctx.store.db);
  if (!run) throw notFound('No insights yet: the models have not been fitted on this store.', 'An admin runs `pulse refresh` (it also runs after every import and nightly).');
  return run;
}

export function asOfFooter(run: ModelRunRow): string {
  return `Insights as of ${formatDay(run.as_of_day)} (refresh #${run.run_id}).`;
}

/** `mine` → the actor's own name, for owner filters. */
export function ownerFilter(mine: boolean, owner: string | undefined, actor: { name?: string; email?: string; id: string }): string | undefined {
  if (owner) return owner;
  if (mine) return actor.name ?? actor.email ?? actor.id;
  return undefined;
}
