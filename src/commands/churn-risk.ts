// /churn-risk [mine] [owner:] [segment:] [sort:] [min:] [limit:] — whom to call (see reports/churn-risk.ts).
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { CHURN_SORTS, churnRiskReport } from '../reports/churn-risk.ts';
import { HIGH_RISK } from '../reports/report-data.ts';
import { ownerName } from '../reports/filters.ts';
import { reportData } from '../reports/live-run.ts';

export const churnRiskCommand = defineCommand({
  name: 'churn-risk',
  description: 'Whom to call: customers at high churn risk, most value at risk first, with the reasons',
  usage: '/churn-risk [mine] [owner:NAME] [segment:NAME] [sort:value|risk|overdue] [min:RISK] [limit:N]',
  examples: ['/churn-risk mine', '/churn-risk owner:"Maya Chen" limit:20', '/churn-risk segment:champions', '/churn-risk sort:overdue', '/churn-risk min:80'],
  args: z.object({
    mine: z.boolean().default(false).describe('Only my customers'),
    owner: z.string().trim().min(1).optional().describe('Only customers of this owner'),
    segment: z.string().trim().min(1).optional().describe('Only customers in this RFM segment'),
    sort: z.enum(CHURN_SORTS, { error: 'sort by value, risk or overdue' }).default('value').describe('value (value at risk, default), risk, or overdue (days)'),
    min: z.coerce.number({ error: 'min is a churn risk from 0 to 100' }).int('min is a whole number').min(0, 'min is 0 to 100').max(100, 'min is 0 to 100').optional().describe(`The lowest churn risk to list (default ${HIGH_RISK})`),
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many customers to list (1–50)'),
  }),
  role: 'rep',
  requires: ['insights'],
  async run({ mine, owner, segment, limit, sort, min }, call, ctx) {
    return churnRiskReport(ctx, await reportData(ctx), { owner: ownerName(mine, owner, call.actor), segment, limit, sort, min });
  },
});
