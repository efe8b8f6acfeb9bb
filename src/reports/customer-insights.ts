// What the last refresh knows about one customer, as card fields: segment, cluster, lifecycle and
// why, P(alive), churn risk with drivers, expected purchases, CLV, and cross-sell suggestions.
import { crossSell, type AssociationRule } from '../analytics/basket.ts';
import type { Context } from '../core/context.ts';
import { formatDay } from '../core/time.ts';
import { formatMoney, formatNumber } from '../core/format.ts';
import type { ReplyField } from '../core/reply.ts';
import { basketRulesFrom, customerProducts, getInsight } from '../db/insights.ts';
import { parseDrivers } from './drivers.ts';
import { liveRun, pAliveLabel } from './live-run.ts';

export async function insightFields(ctx: Context, customerId: string): Promise<ReplyField[]> {
  const money = (v: number) => formatMoney(v, ctx.config.currency);
  const i = await getInsight(ctx.store.db, customerId);
  if (!i) return [{ label: 'Insights', value: 'not computed yet — they appear after the next refresh (`pulse refresh`)' }];
  const fields: ReplyField[] = [];
  if (i.segment) fields.push({ label: 'Segment', value: `${i.segment} (R${i.recency_score} F${i.frequency_score} M${i.monetary_score})`, inline: true });
  if (i.cluster_name) fields.push({ label: 'Behaviour', value: i.cluster_name, inline: true });
  fields.push({ label: 'Lifecycle', value: `${i.lifecycle_stage}${i.lifecycle_reason ? ` — ${i.lifecycle_reason}` : ''}` });
  if (i.p_alive !== null) {
    const run = await liveRun(ctx);
    fields.push({ label: run ? pAliveLabel(run) : 'P(alive)', value: i.p_alive.toFixed(2), inline: true });
  }
  if (i.churn_risk !== null) {
    const drivers = parseDrivers(i.churn_drivers);
    fields.push({ label: 'Churn risk', value: `${Math.round(i.churn_risk)}/100${drivers.length ? ` — ${drivers.join('; ')}` : ''}` });
  }
  if (i.expected_purchases_90d !== null) fields.push({ label: 'Expected purchases (90 days)', value: formatNumber(i.expected_purchases_90d, 1), inline: true });
  if (i.clv_12m !== null) fields.push({ label: '12-month CLV', value: money(i.clv_12m), inline: true });
  if (i.value_at_risk !== null && i.value_at_risk > 0) fields.push({ label: 'Value at risk', value: money(i.value_at_risk), inline: true });
  const suggestions = await crossSellFor(ctx, customerId);
  if (suggestions.length) fields.push({ label: 'Cross-sell', value: suggestions.join('\n') });
  fields.push({ label: 'Insights as of', value: formatDay(i.as_of_day), inline: true });
  return fields;
}

async function crossSellFor(ctx: Context, customerId: string): Promise<string[]> {
  const owned = await customerProducts(ctx.store.db, customerId);
  if (owned.length === 0) return [];
  const rows = await basketRulesFrom(ctx.store.db, owned);
  if (rows.length === 0) return [];
  const rules: AssociationRule[] = rows.map((r) => ({ antecedent: r.antecedent.split(' + '), consequent: r.consequent, support: r.support, confidence: r.confidence, lift: r.lift, count: r.count }));
  return crossSell(rules, owned, 3).map((s) => `${s.product} — ${Math.round(s.rule.confidence * 100)}% of ${s.rule.antecedent.join(' + ')} buyers take it (lift ${s.rule.lift.toFixed(1)}×)`);
}
