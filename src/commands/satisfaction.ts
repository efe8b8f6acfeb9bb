// /satisfaction [period] [segment:] [owner:] — CSAT and NPS, change, trend, pain points (see reports/satisfaction.ts).
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { satisfactionData } from '../reports/live-run.ts';
import { PERIODS, satisfactionReport } from '../reports/satisfaction.ts';

export const satisfactionCommand = defineCommand({
  name: 'satisfaction',
  description: 'CSAT and NPS with intervals, change vs the previous period, trend, pain points',
  usage: '/satisfaction [7d|30d|90d|week] [segment:NAME] [owner:NAME]',
  examples: ['/satisfaction', '/satisfaction 7d', '/satisfaction period:90d owner:"Maya Chen"', '/satisfaction segment:"At Risk"'],
  args: z.object({
    period: z.enum(PERIODS, { error: 'the period is 7d, 30d, 90d or week' }).default('30d').describe('7d, 30d (default), 90d, or week (this calendar week)'),
    segment: z.string().trim().min(1).optional().describe('Only customers in this segment'),
    owner: z.string().trim().min(1).optional().describe('Only customers of this owner'),
  }),
  positional: ['period'],
  role: 'rep',
  async run(args, _call, ctx) {
    return satisfactionReport(ctx, await satisfactionData(ctx), args);
  },
});
