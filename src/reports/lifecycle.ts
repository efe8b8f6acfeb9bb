// How customers spread over the lifecycle stages, who moved this week and why; one customer's path.
import { describeLifecycleRules, LIFECYCLE_STAGES } from '../analytics/lifecycle.ts';
import type { Context } from '../core/context.ts';
import { customerLabel, formatCount, formatPercent } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { formatDay } from '../core/time.ts';
import { transitionsSince } from '../db/insights.ts';
import type { CustomerRow } from '../db/schema.ts';
import { asOfFooter } from './live-run.ts';
import type { ReportData } from './report-data.ts';

export async function lifecycleReport(ctx: Context, data: ReportData, args: { stage?: string | undefined; limit: number }): Promise<Reply> {
  const { run } = data;
  const since = run.as_of_day - 6;
  const [moves, groups] = await Promise.all([
    transitionsSince(ctx.store.db, since, { ...(args.stage ? { stage: args.stage } : {}), upToRun: run.run_id }, args.limit),
    args.stage ? Promise.resolve([]) : data.breakdown('stage'),
  ]);
  const total = groups.reduce((s, g) => s + g.customers, 0) || 1;
  const byStage = new Map(groups.map((g) => [g.key, g.customers]));
  return {
    title: args.stage ? `Moves into ${args.stage} this week` : 'Customer lifecycle',
    tables: [
      ...(args.stage
        ? []
        : [{ title: 'Where customers are', columns: [{ label: 'Stage' }, { label: 'Customers', align: 'right' as const }, { label: 'Share', align: 'right' as const }], rows: LIFECYCLE_STAGES.map((st) => [st, formatCount(byStage.get(st) ?? 0), formatPercent((byStage.get(st) ?? 0) / total)]) }]),
      {
        title: `Moved since ${formatDay(since)}`,
        columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Move' }, { label: 'Why' }],
        rows: moves.map((m) => [customerLabel(m), m.owner ?? '—', `${m.from_stage ?? 'first seen'} → ${m.to_stage}`, m.reason]),
      },
    ],
    footer: `Rules: ${describeLifecycleRules().join(' · ')}. ${asOfFooter(run)}`,
    visibility: 'private',
  };
}

export async function customerLifecycleReport(ctx: Context, data: ReportData, customer: CustomerRow): Promise<Reply> {
  const moves = await transitionsSince(ctx.store.db, 0, { customerId: customer.customer_id, upToRun: data.run.run_id }, 20);
  return {
    title: `Lifecycle of ${customer.name ?? customer.customer_id}`,
    tables: [{ columns: [{ label: 'Day' }, { label: 'Move' }, { label: 'Why' }], rows: moves.map((m) => [formatDay(m.as_of_day), `${m.from_stage ?? 'first seen'} → ${m.to_stage}`, m.reason]) }],
    footer: asOfFooter(data.run),
    visibility: 'private',
  };
}
