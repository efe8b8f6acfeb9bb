// /segment [NAME|clusters] — the RFM segments, one segment's members, or the behaviour clusters.
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { reportData } from '../reports/live-run.ts';
import { clustersReport, segmentMembersReport, segmentsReport } from '../reports/segments.ts';

export const segmentCommand = defineCommand({
  name: 'segment',
  description: 'RFM segments overview, the members of one segment by value, or behaviour clusters',
  usage: '/segment [NAME | clusters] [limit:N]',
  examples: ['/segment', '/segment champions', '/segment "at risk"', '/segment clusters'],
  args: z.object({
    name: z.string().trim().max(100).optional().describe('A segment (e.g. Champions, At Risk) or "clusters"'),
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many members to list (1–50)'),
  }),
  positional: ['name'],
  rest: true,
  role: 'rep',
  requires: ['insights'],
  async run({ name, limit }, _call, ctx) {
    const data = await reportData(ctx);
    if (!name) return segmentsReport(ctx, data);
    if (/^clusters?$/i.test(name)) return clustersReport(ctx, data);
    return segmentMembersReport(ctx, data, { name, limit });
  },
});
