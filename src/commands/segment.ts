// /segment [NAME|clusters] — the RFM segments (or behaviour clusters) and who is in them.
import { z } from 'zod';
import { RFM_SEGMENT_DESCRIPTIONS, RFM_SEGMENTS } from '../analytics/rfm.ts';
import { defineCommand } from '../core/command.ts';
import { notFound } from '../core/errors.ts';
import { formatCount, formatMoney, formatPercent } from '../core/format.ts';
import { summarizeBy, topBy } from '../db/insights.ts';
import { asOfFooter, requireRun } from './insight-guard.ts';

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
  async run({ name, limit }, _call, ctx) {
    const run = await requireRun(ctx);
    if (!name) {
      const groups = await summarizeBy(ctx.store.db, 'segment');
      const total = groups.reduce((s, g) => s + g.customers, 0) || 1;
      const bySegment = new Map(groups.map((g) => [g.key, g]));
      const rows = [...RFM_SEGMENTS, null].map((seg) => ({ seg, g: bySegment.get(seg) })).filter((x) => x.g && x.g.customers > 0);
      return {
        title: 'Customer segments (RFM)',
        tables: [
          {
            columns: [{ label: 'Segment' }, { label: 'Customers', align: 'right' }, { label: 'Share', align: 'right' }, { label: 'Revenue', align: 'right' }, { label: '12-mo CLV', align: 'right' }],
            rows: rows.map(({ seg, g }) => [seg ?? 'No purchases yet', formatCount(g!.customers), formatPercent(g!.customers / total), formatMoney(g!.revenue), formatMoney(g!.clv)]),
          },
        ],
        footer: `Segments come from recency and frequency quintiles (the R×F grid). ${asOfFooter(run)} Try \`/segment champions\` or \`/segment clusters\`.`,
        visibility: 'private',
      };
    }
    if (/^clusters?$/i.test(name)) {
      const groups = await summarizeBy(ctx.store.db, 'cluster_name');
      const total = groups.reduce((s, g) => s + g.customers, 0) || 1;
      return {
        title: 'Behaviour clusters (k-means)',
        tables: [
          {
            columns: [{ label: 'Cluster' }, { label: 'Customers', align: 'right' }, { label: 'Share', align: 'right' }, { label: 'Revenue', align: 'right' }, { label: '12-mo CLV', align: 'right' }],
            rows: groups.filter((g) => g.key !== null).sort((a, b) => b.customers - a.customers).map((g) => [g.key!, formatCount(g.customers), formatPercent(g.customers / total), formatMoney(g.revenue), formatMoney(g.clv)]),
          },
        ],
        footer: `Clusters are fitted on log recency, frequency, spend per purchase and tenure; ids stay stable between refreshes. ${asOfFooter(run)}`,
        visibility: 'private',
      };
    }
    const segment = RFM_SEGMENTS.find((s) => s.toLowerCase() === name.toLowerCase()) ?? RFM_SEGMENTS.find((s) => s.toLowerCase().startsWith(name.toLowerCase()));
    if (!segment) throw notFound(`There is no segment “${name}”.`, `Segments: ${RFM_SEGMENTS.join(', ')}; or \`/segment clusters\`.`);
    const members = await topBy(ctx.store.db, 'clv_12m', { segment }, limit);
    const [summary] = await summarizeBy(ctx.store.db, 'segment', { segment });
    return {
      title: `${segment}: ${formatCount(summary?.customers ?? 0)} customers`,
      text: RFM_SEGMENT_DESCRIPTIONS[segment],
      tables: [
        {
          title: 'Most valuable first',
          columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: '12-mo CLV', align: 'right' }, { label: 'Revenue', align: 'right' }, { label: 'Churn risk', align: 'right' }, { label: 'Stage' }],
          rows: members.map((m) => [`${m.name ?? m.customer_id} (${m.customer_id})`, m.owner ?? '—', formatMoney(m.clv_12m ?? 0), formatMoney(m.revenue), m.churn_risk === null ? '—' : String(Math.round(m.churn_risk)), m.lifecycle_stage]),
          total: summary?.customers ?? members.length,
        },
      ],
      footer: asOfFooter(run),
      visibility: 'private',
    };
  },
});
