// A customer's own satisfaction figures, read live from their feedback (so a /feedback shows at once).
import { csat, nps } from '../analytics/satisfaction.ts';
import type { Context } from '../core/context.ts';
import { formatPercent, truncate } from '../core/format.ts';
import { scrubPersonalData, type ReplyField } from '../core/reply.ts';
import { customerFeedback } from '../db/feedback.ts';
import { formatDay } from '../core/time.ts';

export async function customerSatisfactionFields(ctx: Context, customerId: string): Promise<ReplyField[]> {
  const rows = await customerFeedback(ctx.store.db, customerId);
  if (rows.length === 0) return [{ label: 'Satisfaction', value: 'no feedback yet', inline: true }];
  const fields: ReplyField[] = [];
  const csatScores = rows.filter((r) => r.scale === 'csat').map((r) => r.score);
  const npsScores = rows.filter((r) => r.scale === 'nps').map((r) => r.score);
  // One customer rarely gives many answers: show the share and n, not an interval that says little.
  if (csatScores.length) {
    const c = csat(csatScores, { minResponses: 1 });
    fields.push({ label: 'CSAT', value: `${formatPercent(c.csat ?? 0)} satisfied (n=${c.n})`, inline: true });
  }
  if (npsScores.length) {
    const n = nps(npsScores, { minResponses: 1 });
    fields.push({ label: 'NPS answers', value: `${n.promoters} promoter, ${n.detractors} detractor of ${n.n} (latest ${npsScores[npsScores.length - 1]}/10)`, inline: true });
  }
  const last = rows[rows.length - 1]!;
  fields.push({
    label: 'Latest feedback',
    value: `${last.score}/${last.scale === 'csat' ? 5 : 10} on ${formatDay(last.day)}${last.comment ? ` — “${truncate(scrubPersonalData(last.comment), 140)}”` : ''}`,
  });
  return fields;
}
