// /value [mine] [owner:] [limit:] — where the customer value is: top CLV, concentration, tiers.
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { formatCount, formatMoney, formatPercent } from '../core/format.ts';
import { clvValues, topBy } from '../db/insights.ts';
import { asOfFooter, ownerFilter, requireRun } from './insight-guard.ts';

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
  async run({ mine, owner, limit }, call, ctx) {
    const run = await requireRun(ctx);
    const who = ownerFilter(mine, owner, call.actor);
    const top = await topBy(ctx.store.db, 'clv_12m', who ? { owner: who } : {}, limit);
    const values = await clvValues(ctx.store.db, who ? { owner: who } : {});
    const total = values.reduce((s, v) => s + v, 0);
    const top20 = values.slice(0, Math.ceil(values.length * 0.2)).reduce((s, v) => s + v, 0);
    const tiers = valueTiers(values);
    return {
      title: `Customer value (12-month CLV)${who ? ` · owner ${who}` : ''}`,
      text: total > 0 ? `The top 20% of ${who ? 'these ' : ''}customers hold **${formatPercent(top20 / total)}** of the expected value (${formatMoney(total)} in all).` : 'No customer value expected yet.',
      tables: [
        {
          title: 'Most valuable customers',
          columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: '12-mo CLV', align: 'right' }, { label: 'P(alive)', align: 'right' }, { label: 'Segment' }],
          rows: top.map((t) => [`${t.name ?? t.customer_id} (${t.customer_id})`, t.owner ?? '—', formatMoney(t.clv_12m ?? 0), t.p_alive === null ? '—' : t.p_alive.toFixed(2), t.segment ?? '—']),
        },
        {
          title: who ? `Tiers (${who}'s customers)` : 'Tiers (all customers)',
          columns: [{ label: 'Tier' }, { label: 'Customers', align: 'right' }, { label: 'CLV', align: 'right' }, { label: 'Share of value', align: 'right' }],
          rows: tiers.map((t) => [t.name, formatCount(t.customers), formatMoney(t.value), total > 0 ? formatPercent(t.value / total) : '—']),
        },
      ],
      footer: `CLV = BG/NBD expected purchases × Gamma-Gamma expected spend, discounted 1%/month over 12 months. ${asOfFooter(run)}`,
      visibility: 'private',
    };
  },
});

/** Platinum = top 5%, Gold = next 15%, Silver = next 30%, Bronze = the rest (by CLV, descending). */
export function valueTiers(sortedDesc: readonly number[]): { name: string; customers: number; value: number }[] {
  const n = sortedDesc.length;
  const cuts: [string, number][] = [['Platinum (top 5%)', 0.05], ['Gold (next 15%)', 0.2], ['Silver (next 30%)', 0.5], ['Bronze (bottom 50%)', 1]];
  let from = 0;
  return cuts.map(([name, upto]) => {
    const to = Math.min(n, Math.ceil(n * upto));
    const slice = sortedDesc.slice(from, to);
    from = to;
    return { name, customers: slice.length, value: slice.reduce((s, v) => s + v, 0) };
  });
}
