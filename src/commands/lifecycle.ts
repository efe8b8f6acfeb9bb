// /lifecycle [STAGE] [customer:] — how customers are distributed over the stages, who moved this
// week and why; or one customer's path.
import { z } from 'zod';
import { describeLifecycleRules, LIFECYCLE_STAGES } from '../analytics/lifecycle.ts';
import { defineCommand } from '../core/command.ts';
import { formatCount, formatPercent } from '../core/format.ts';
import { formatDay } from '../core/time.ts';
import { summarizeBy, transitionsSince } from '../db/insights.ts';
import { asOfFooter, requireRun } from './insight-guard.ts';
import { resolveCustomer } from './resolve-customer.ts';

export const lifecycleCommand = defineCommand({
  name: 'lifecycle',
  description: 'Lifecycle stages (new, active, at-risk, churned, reactivated) and who moved this week, with why',
  usage: '/lifecycle [STAGE] [customer:QUERY] [limit:N]',
  examples: ['/lifecycle', '/lifecycle at-risk', '/lifecycle customer:acme'],
  args: z.object({
    stage: z.enum(LIFECYCLE_STAGES, { error: `the stage is one of ${LIFECYCLE_STAGES.join(', ')}` }).optional().describe('Only moves into this stage'),
    customer: z.string().trim().min(1).optional().describe('One customer: their moves and why'),
    limit: z.coerce.number().int().min(1).max(50).default(15).describe('How many moves to list (1–50)'),
  }),
  positional: ['stage'],
  rest: true,
  prepare: (raw) => (typeof raw.stage === 'string' ? { ...raw, stage: raw.stage.toLowerCase().replace(/\s+/g, '-') } : raw),
  role: 'rep',
  async run({ stage, customer, limit }, _call, ctx) {
    const run = await requireRun(ctx);
    if (customer) {
      const found = await resolveCustomer(ctx, customer, (id) => `/lifecycle customer:${id}`);
      if ('choices' in found) return found.choices;
      const moves = await transitionsSince(ctx.store.db, 0, { customerId: found.customer.customer_id }, 20);
      return {
        title: `Lifecycle of ${found.customer.name ?? found.customer.customer_id}`,
        tables: [{ columns: [{ label: 'Day' }, { label: 'Move' }, { label: 'Why' }], rows: moves.map((m) => [formatDay(m.as_of_day), `${m.from_stage ?? 'first seen'} → ${m.to_stage}`, m.reason]) }],
        footer: asOfFooter(run),
        visibility: 'private',
      };
    }
    const since = run.as_of_day - 6;
    const moves = await transitionsSince(ctx.store.db, since, stage ? { stage } : {}, limit);
    const groups = await summarizeBy(ctx.store.db, 'lifecycle_stage');
    const total = groups.reduce((s, g) => s + g.customers, 0) || 1;
    const byStage = new Map(groups.map((g) => [g.key, g.customers]));
    return {
      title: stage ? `Moves into ${stage} this week` : 'Customer lifecycle',
      tables: [
        ...(stage ? [] : [{ title: 'Where customers are', columns: [{ label: 'Stage' }, { label: 'Customers', align: 'right' as const }, { label: 'Share', align: 'right' as const }], rows: LIFECYCLE_STAGES.map((st) => [st, formatCount(byStage.get(st) ?? 0), formatPercent((byStage.get(st) ?? 0) / total)]) }]),
        {
          title: `Moved since ${formatDay(since)}`,
          columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Move' }, { label: 'Why' }],
          rows: moves.map((m) => [`${m.name ?? m.customer_id} (${m.customer_id})`, m.owner ?? '—', `${m.from_stage ?? 'first seen'} → ${m.to_stage}`, m.reason]),
        },
      ],
      footer: `Rules: ${describeLifecycleRules().join(' · ')}. ${asOfFooter(run)}`,
      visibility: 'private',
    };
  },
});
