// Where the customer value is: the most valuable customers, how concentrated value is, and tiers.
import type { Context } from '../core/context.ts';
import { customerLabel, formatCount, formatMoney, formatPercent } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { reportFilter } from './filters.ts';
import { asOfFooter, pAliveLabel } from './live-run.ts';
import type { ReportData } from './report-data.ts';

export interface ValueArgs {
  owner?: string | undefined;
  limit: number;
}

export async function valueReport(ctx: Context, data: ReportData, args: ValueArgs): Promise<Reply> {
  const money = (v: number) => formatMoney(v, ctx.config.currency);
  const who = args.owner;
  const filter = reportFilter(who, undefined);
  const [top, figures] = await Promise.all([data.ranked('clv', filter, args.limit), data.figures(filter)]);
  const total = figures.clv;
  const tiers = figures.tiers ?? [];
  return {
    title: `Customer value (12-month CLV)${who ? ` · owner ${who}` : ''}`,
    text: total > 0 ? `The top 20% of ${who ? 'these ' : ''}customers hold **${formatPercent((figures.clvTop20 ?? 0) / total)}** of the expected value (${money(total)} in all).` : 'No customer value expected yet.',
    tables: [
      {
        title: 'Most valuable customers',
        columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: '12-mo CLV', align: 'right' }, { label: pAliveLabel(data.run), align: 'right' }, { label: 'Segment' }],
        rows: top.map((t) => [customerLabel(t), t.owner ?? '—', money(t.clv_12m ?? 0), t.p_alive === null ? '—' : t.p_alive.toFixed(2), t.segment ?? '—']),
      },
      {
        title: who ? `Tiers (${who}'s customers)` : 'Tiers (all customers)',
        columns: [{ label: 'Tier' }, { label: 'Customers', align: 'right' }, { label: 'CLV', align: 'right' }, { label: 'Share of value', align: 'right' }],
        rows: tiers.map((t) => [t.name, formatCount(t.customers), money(t.value), total > 0 ? formatPercent(t.value / total) : '—']),
      },
    ],
    footer: `CLV = BG/NBD expected purchases × Gamma-Gamma expected spend, discounted 1%/month over 12 months. ${asOfFooter(data.run)}`,
    visibility: 'private',
  };
}
