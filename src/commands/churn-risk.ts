// /churn-risk [mine] [owner:] [segment:] [limit:] — who is slipping away (see reports/churn-risk.ts).
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { churnRiskReport } from '../reports/churn-risk.ts';
import { ownerName } from '../reports/filters.ts';
import { reportData } from '../reports/live-run.ts';

export const churnRiskCommand = defineCommand({
  name: 'churn-risk',
  description: 'Customers most likely to stop buying, ranked by value at risk, with the reasons',
  usage: '/churn-risk [mine] [owner:NAME] [segment:NAME] [limit:N]',
  examples: ['/churn-risk mine', '/churn-risk owner:"Maya Chen" limit:20', '/churn-risk segment:champions'],
  args: z.object({
    mine: z.boolean().default(false).describe('Only my customers'),
    owner: z.string().trim().min(1).optional().describe('Only customers of this owner'),
    segment: z.string().trim().min(1).optional().describe('Only customers in this RFM segment'),
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many customers to list (1–50)'),
  }),
  role: 'rep',
  requires: ['insights'],
  async run({ mine, owner, segment, limit }, call, ctx) {
    return churnRiskReport(ctx, await reportData(ctx), { owner: ownerName(mine, owner, call.actor), segment, limit });
  },
});
