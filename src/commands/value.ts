// /value [mine] [owner:] [limit:] — where the customer value is (see reports/value.ts).
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { ownerName } from '../reports/filters.ts';
import { reportData } from '../reports/live-run.ts';
import { valueReport } from '../reports/value.ts';

export const valueCommand = defineCommand({
  name: 'value',
  description: 'Top customers by 12-month CLV, the share held by the top 20%, and value tiers',
  usage: '/value [mine] [owner:NAME] [limit:N]',
  examples: ['/value', '/value mine limit:20'],
  args: z.object({
    mine: z.boolean().default(false).describe('Only my customers'),
    owner: z.string().trim().min(1).optional().describe('Only customers of this owner'),
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many customers to list (1–50)'),
  }),
  role: 'rep',
  requires: ['insights'],
  async run({ mine, owner, limit }, call, ctx) {
    return valueReport(ctx, await reportData(ctx), { owner: ownerName(mine, owner, call.actor), limit });
  },
});
