// Who is slipping away: the customers with the most value at risk, how many are at high risk, and
// the value at stake in all.
import type { Context } from '../core/context.ts';
import { formatCount, formatMoney } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { parseDrivers } from './drivers.ts';
import { reportFilter, scopeWords } from './filters.ts';
import { asOfFooter } from './live-run.ts';
import { HIGH_RISK, type ReportData } from './report-data.ts';

export interface ChurnRiskArgs {
  /** An owner's name as typed (or the actor's, for `mine`). */
  owner?: string | undefined;
  segment?: string | undefined;
  limit: number;
}

export async function churnRiskReport(_ctx: Context, data: ReportData, args: ChurnRiskArgs): Promise<Reply> {
  const filter = reportFilter(args.owner, args.segment);
  const scope = scopeWords({ owner: args.owner, segment: args.segment });
  const title = `Churn risk${scope ? ` · ${scope}` : ''}`;
  const [top, figures] = await Promise.all([data.ranked('value-at-risk', filter, args.limit), data.figures(filter)]);
  if (top.length === 0) {
    return { title, text: args.owner ? `No customers found for owner “${args.owner}”. Owners are matched by the name in the customers file.` : 'No customers match.', footer: asOfFooter(data.run), visibility: 'private' };
  }
  return {
    title,
    text: `**${formatCount(figures.atRisk)}** customers at ${HIGH_RISK}+ risk; **${formatMoney(figures.valueAtRisk)}** of yearly value at risk in all.`,
    tables: [
      {
        title: 'Highest value at risk',
        columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Days overdue', align: 'right' }, { label: 'Why' }],
        rows: top.map((t) => [`${t.name ?? t.customer_id} (${t.customer_id})`, t.owner ?? '—', String(Math.round(t.churn_risk ?? 0)), formatMoney(t.value_at_risk ?? 0), t.days_overdue === null ? '—' : formatCount(t.days_overdue), parseDrivers(t.churn_drivers).join('; ')]),
        total: figures.scored,
      },
    ],
    buttons: top.slice(0, 3).map((t) => ({ label: `Open ${t.name ?? t.customer_id}`, action: { kind: 'run', command: `/customer ${t.customer_id}` } })),
    footer: `Value at risk = churn risk × the customer's yearly spend so far. ${asOfFooter(data.run)}`,
    visibility: 'private',
  };
}
