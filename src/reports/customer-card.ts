// The customer card a rep reads before a call: who, whose, how much, how often, how lately, and
// what the last refresh knows (segment, lifecycle, churn risk, value, cross-sell).
import { customerCadence } from '../analytics/cadence.ts';
import type { Context } from '../core/context.ts';
import { formatCount, formatDayAgo, formatMoney, plural } from '../core/format.ts';
import type { Reply, ReplyField } from '../core/reply.ts';
import { formatDay, parseDate } from '../core/time.ts';
import { purchaseDays } from '../db/customers.ts';
import type { CustomerRow } from '../db/schema.ts';
import { insightFields } from './customer-insights.ts';
import { referenceDay } from './live-run.ts';
import { customerSatisfactionFields } from './customer-satisfaction.ts';

export async function customerCard(ctx: Context, c: CustomerRow): Promise<Reply> {
  const money = (v: number) => formatMoney(v, ctx.config.currency);
  // Days ago count from the insights' as-of day, like every figure beside them.
  const today = await referenceDay(ctx);
  const all = await purchaseDays(ctx.store.db, c.customer_id);
  // Orders after that day belong to the next refresh's picture: counted there, mentioned here.
  const days = all.filter((d) => d.day <= today);
  const later = all.length - days.length;
  const buyingDays = days.filter((d) => d.orders > 0).map((d) => d.day);
  const cadence = customerCadence(buyingDays, today);
  const orders = days.reduce((s, d) => s + d.orders, 0);
  const revenue = days.reduce((s, d) => s + d.amount, 0);

  const fields: ReplyField[] = [
    { label: 'Company', value: c.company ?? '—', inline: true },
    { label: 'Owner', value: c.owner ?? 'unassigned', inline: true },
    { label: 'Email', value: c.email ?? '—', inline: true, pii: true },
    { label: 'Customer id', value: c.customer_id, inline: true },
    { label: 'Orders', value: orders === buyingDays.length ? formatCount(orders) : `${formatCount(orders)} on ${plural(buyingDays.length, 'day')}`, inline: true },
    { label: 'Lifetime revenue', value: money(revenue), inline: true },
  ];
  if (buyingDays.length > 0) {
    fields.push({ label: 'First order', value: formatDayAgo(buyingDays[0]!, today), inline: true });
    fields.push({ label: 'Last order', value: formatDayAgo(buyingDays[buyingDays.length - 1]!, today), inline: true });
    fields.push({
      label: 'Usual gap',
      value: cadence.usualGapDays === null ? 'one purchase so far' : `every ${plural(Math.round(cadence.usualGapDays), 'day')}`,
      inline: true,
    });
  }
  fields.push(...(await insightFields(ctx, c.customer_id)));
  fields.push(...(await customerSatisfactionFields(ctx, c.customer_id)));
  const lines: string[] = [];
  if (buyingDays.length === 0) lines.push(later ? `No orders by ${formatDay(today)}.` : 'No orders yet.');
  if (later) lines.push(`${plural(later, 'more purchase day')} after ${formatDay(today)}, the day the insights are as of: the next refresh counts them.`);
  const since = c.created_at ? parseDate(c.created_at, ctx.config.timeZone) : undefined;
  if (since) lines.push(`Customer since ${formatDay(since.day)}.`);
  return {
    title: c.name ? `${c.name}${c.company && c.company !== c.name ? ` · ${c.company}` : ''}` : c.customer_id,
    ...(lines.length ? { text: lines.join(' ') } : {}),
    fields,
    buttons: [
      { label: 'Share in channel', action: { kind: 'share', command: `/customer ${c.customer_id}` } },
      { label: 'Log feedback', action: { kind: 'feedback-form', customerId: c.customer_id } },
    ],
    visibility: 'private',
  };
}
