// /churn-risk [mine] [owner:] [segment:] [limit:] — who is slipping away, ranked by value at risk.
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { formatCount, formatMoney } from '../core/format.ts';
import { countWhere, summarizeBy, topBy } from '../db/insights.ts';
import { parseDrivers } from './customer-insights.ts';
import { asOfFooter, ownerFilter, requireRun } from './insight-guard.ts';

export const HIGH_RISK = 60;

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
  async run({ mine, owner, segment, limit }, call, ctx) {
    const run = await requireRun(ctx);
    const who = ownerFilter(mine, owner, call.actor);
    const filter = { ...(who ? { owner: who } : {}), ...(segment ? { segment } : {}) };
    const top = await topBy(ctx.store.db, 'value_at_risk', filter, limit);
    const atRisk = await countWhere(ctx.store.db, filter, HIGH_RISK);
    const scored = await countWhere(ctx.store.db, filter, 0);
    const scope = [who ? `owner ${who}` : '', segment ? `segment ${segment}` : ''].filter(Boolean).join(', ');
    if (top.length === 0) {
      return { title: `Churn risk${scope ? ` · ${scope}` : ''}`, text: who ? `No customers found for owner “${who}”. Owners are matched by the name in the customers file.` : 'No customers match.', footer: asOfFooter(run), visibility: 'private' };
    }
    const groups = await summarizeBy(ctx.store.db, 'owner', filter);
    const valueAtRisk = groups.reduce((s, g) => s + g.valueAtRisk, 0);
    return {
      title: `Churn risk${scope ? ` · ${scope}` : ''}`,
      text: `**${formatCount(atRisk)}** customers at ${HIGH_RISK}+ risk; **${formatMoney(valueAtRisk)}** of yearly value at risk in all.`,
      tables: [
        {
          title: 'Highest value at risk',
          columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Days overdue', align: 'right' }, { label: 'Why' }],
          rows: top.map((t) => [`${t.name ?? t.customer_id} (${t.customer_id})`, t.owner ?? '—', String(Math.round(t.churn_risk ?? 0)), formatMoney(t.value_at_risk ?? 0), t.days_overdue === null ? '—' : formatCount(t.days_overdue), parseDrivers(t.churn_drivers).join('; ')]),
          total: scored,
        },
      ],
      buttons: top.slice(0, 3).map((t) => ({ label: `Open ${t.name ?? t.customer_id}`, action: { kind: 'run', command: `/customer ${t.customer_id}` } })),
      footer: `Value at risk = churn risk × the customer's yearly spend so far. ${asOfFooter(run)}`,
      visibility: 'private',
    };
  },
});
