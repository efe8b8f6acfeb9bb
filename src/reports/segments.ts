// The RFM segments (or behaviour clusters) and who is in them.
import { RFM_SEGMENT_DESCRIPTIONS, RFM_SEGMENTS } from '../analytics/rfm.ts';
import type { Context } from '../core/context.ts';
import { customerLabel, formatCount, formatMoney, formatPercent } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { segmentNamed } from './filters.ts';
import { asOfFooter } from './live-run.ts';
import type { ReportData } from './report-data.ts';

const VALUE_COLUMNS = [{ label: 'Customers', align: 'right' as const }, { label: 'Share', align: 'right' as const }, { label: 'Revenue', align: 'right' as const }, { label: '12-mo CLV', align: 'right' as const }];

export async function segmentsReport(ctx: Context, data: ReportData): Promise<Reply> {
  const money = (v: number) => formatMoney(v, ctx.config.currency);
  const groups = await data.breakdown('segment');
  const total = groups.reduce((s, g) => s + g.customers, 0) || 1;
  const bySegment = new Map(groups.map((g) => [g.key, g]));
  // '' holds the customers without a segment: no purchases yet.
  const rows = [...RFM_SEGMENTS, ''].map((seg) => ({ seg, g: bySegment.get(seg) })).filter((x) => x.g && x.g.customers > 0);
  return {
    title: 'Customer segments (RFM)',
    tables: [{ columns: [{ label: 'Segment' }, ...VALUE_COLUMNS], rows: rows.map(({ seg, g }) => [seg || 'No purchases yet', formatCount(g!.customers), formatPercent(g!.customers / total), money(g!.revenue), money(g!.clv)]) }],
    footer: `Segments come from recency and frequency quintiles (the R×F grid). ${asOfFooter(data.run)} Try \`/segment champions\` or \`/segment clusters\`.`,
    visibility: 'private',
  };
}

export async function clustersReport(ctx: Context, data: ReportData): Promise<Reply> {
  const money = (v: number) => formatMoney(v, ctx.config.currency);
  const groups = await data.breakdown('cluster');
  const total = groups.reduce((s, g) => s + g.customers, 0) || 1;
  return {
    title: 'Behaviour clusters (k-means)',
    tables: [
      {
        columns: [{ label: 'Cluster' }, ...VALUE_COLUMNS],
        rows: groups
          .filter((g) => g.key !== '')
          .sort((a, b) => b.customers - a.customers || (a.key < b.key ? -1 : 1))
          .map((g) => [g.key, formatCount(g.customers), formatPercent(g.customers / total), money(g.revenue), money(g.clv)]),
      },
    ],
    footer: `Clusters are fitted on log recency, frequency, spend per purchase and tenure; ids stay stable between refreshes. ${asOfFooter(data.run)}`,
    visibility: 'private',
  };
}

export async function segmentMembersReport(ctx: Context, data: ReportData, args: { name: string; limit: number }): Promise<Reply> {
  const money = (v: number) => formatMoney(v, ctx.config.currency);
  const segment = segmentNamed(args.name);
  const [members, figures] = await Promise.all([data.ranked('clv', { segment }, args.limit), data.figures({ segment })]);
  return {
    title: `${segment}: ${formatCount(figures.customers)} customers`,
    text: RFM_SEGMENT_DESCRIPTIONS[segment],
    tables: [
      {
        title: 'Most valuable first',
        columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: '12-mo CLV', align: 'right' }, { label: 'Revenue', align: 'right' }, { label: 'Churn risk', align: 'right' }, { label: 'Stage' }],
        rows: members.map((m) => [customerLabel(m), m.owner ?? '—', money(m.clv_12m ?? 0), money(m.revenue), m.churn_risk === null ? '—' : String(Math.round(m.churn_risk)), m.lifecycle_stage]),
        total: figures.customers || members.length,
      },
    ],
    footer: asOfFooter(data.run),
    visibility: 'private',
  };
}
