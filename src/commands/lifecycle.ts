// /lifecycle [STAGE] [customer:] — the stages, who moved this week and why; or one customer's path.
import { z } from 'zod';
import { LIFECYCLE_STAGES } from '../analytics/lifecycle.ts';
import { defineCommand } from '../core/command.ts';
import { customerLifecycleReport, lifecycleReport } from '../reports/lifecycle.ts';
import { reportData } from '../reports/live-run.ts';
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
  requires: ['insights'],
  async run({ stage, customer, limit }, _call, ctx) {
    const data = await reportData(ctx);
    if (!customer) return lifecycleReport(ctx, data, { stage, limit });
    const found = await resolveCustomer(ctx, customer, (id) => `/lifecycle customer:${id}`);
    return 'choices' in found ? found.choices : customerLifecycleReport(ctx, data, found.customer);
  },
});
