// Whom should I call: the customers at or above the high-risk threshold, the most value at risk
// first (or the riskiest, or the longest overdue), each with the reasons; how many there are, and
// the value at stake.
import type { Context } from '../core/context.ts';
import { customerLabel, formatCount, formatMoney } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { parseDrivers } from './drivers.ts';
import { reportFilter, scopeWords } from './filters.ts';
import { asOfFooter } from './live-run.ts';
import { HIGH_RISK, type RankedList, type ReportData } from './report-data.ts';

export const CHURN_SORTS = ['value', 'risk', 'overdue'] as const;
export type ChurnSort = (typeof CHURN_SORTS)[number];

const LISTS: Record<ChurnSort, { list: RankedList; words: string }> = {
  value: { list: 'at-risk:value', words: 'most value at risk first' },
  risk: { list: 'at-risk:risk', words: 'highest risk first' },
  overdue: { list: 'at-risk:overdue', words: 'longest overdue first' },
};

export interface ChurnRiskArgs {
  /** An owner's name as typed (or the actor's, for `mine`). */
  owner?: string | undefined;
  segment?: string | undefined;
  limit: number;
  sort?: ChurnSort | undefined;
  /** The lowest churn risk listed (default HIGH_RISK). */
  min?: number | undefined;
}

export async function churnRiskReport(ctx: Context, data: ReportData, args: ChurnRiskArgs): Promise<Reply> {
  const money = (v: number) => formatMoney(v, ctx.config.currency);
  const filter = reportFilter(args.owner, args.segment);
  const min = args.min ?? HIGH_RISK;
  const sort = args.sort ?? 'value';
  const scope = scopeWords({ owner: args.owner, segment: args.segment });
  const title = `Churn risk${scope ? ` · ${scope}` : ''}`;
  const [top, figures] = await Promise.all([data.ranked(LISTS[sort].list, filter, args.limit, min), data.figures(filter, min)]);
  if (figures.customers === 0) {
    return { title, text: args.owner ? `No customers found for owner “${args.owner}”. Owners are matched by the name in the customers file.` : 'No customers match.', footer: asOfFooter(data.run), visibility: 'private' };
  }
  const summary =
    `**${formatCount(figures.atRisk)}** of ${formatCount(figures.scored)} customers are at churn risk ${min} or more` +
    (figures.atRisk ? `, with **${money(figures.atRiskValue)}** of yearly value at risk` : '') +
    ` (${money(figures.valueAtRisk)} across every customer).`;
  if (top.length === 0) {
    return {
      title,
      text: `${summary}\nNobody to call at this threshold.${min > 0 ? ` \`min:${Math.max(0, min - 20)}\` lists customers from a lower risk.` : ''}`,
      footer: asOfFooter(data.run),
      visibility: 'private',
    };
  }
  return {
    title,
    text: summary,
    tables: [
      {
        title: `At risk ${min}+, ${LISTS[sort].words}`,
        columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Days overdue', align: 'right' }, { label: 'Why' }],
        rows: top.map((t) => [customerLabel(t), t.owner ?? '—', String(Math.round(t.churn_risk ?? 0)), money(t.value_at_risk ?? 0), t.days_overdue === null ? '—' : formatCount(t.days_overdue), parseDrivers(t.churn_drivers).join('; ')]),
        total: figures.atRisk,
      },
    ],
    buttons: top.slice(0, 3).map((t) => ({ label: `Open ${t.name ?? t.customer_id}`, action: { kind: 'run', command: `/customer ${t.customer_id}` } })),
    footer: `Value at risk = churn risk × a year of the customer's purchases at their expected rate. ${asOfFooter(data.run)}`,
    visibility: 'private',
  };
}
