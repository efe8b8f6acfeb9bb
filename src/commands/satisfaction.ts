// /satisfaction [period] [segment:] [owner:] — CSAT and NPS with honest intervals, the change that
// is really a change, the weekly trend, themes, pain points and detractors worth a call.
import { z } from 'zod';
import { compareCsat, compareNps, csat, nps, type SatisfactionScale } from '../analytics/satisfaction.ts';
import { painPoints, scoreBand, topThemes } from '../analytics/themes.ts';
import { defineCommand } from '../core/command.ts';
import type { Context } from '../core/context.ts';
import { formatMoney, formatPercent, truncate } from '../core/format.ts';
import type { Reply, ReplyField } from '../core/reply.ts';
import { formatDay, localDay } from '../core/time.ts';
import { feedbackBetween, type FeedbackWithCustomer } from '../db/feedback.ts';

export const PERIODS = ['7d', '30d', '90d', 'week'] as const;
export type Period = (typeof PERIODS)[number];
const TREND_WEEKS = 12;

export const satisfactionCommand = defineCommand({
  name: 'satisfaction',
  description: 'CSAT and NPS with intervals, change vs the previous period, trend, pain points',
  usage: '/satisfaction [7d|30d|90d|week] [segment:NAME] [owner:NAME]',
  examples: ['/satisfaction', '/satisfaction 7d', '/satisfaction period:90d owner:"Maya Chen"', '/satisfaction segment:"At Risk"'],
  args: z.object({
    period: z.enum(PERIODS, { error: 'the period is 7d, 30d, 90d or week' }).default('30d').describe('7d, 30d (default), 90d, or week (this calendar week)'),
    segment: z.string().trim().min(1).optional().describe('Only customers in this segment'),
    owner: z.string().trim().min(1).optional().describe('Only customers of this owner'),
  }),
  positional: ['period'],
  role: 'rep',
  async run(args, _call, ctx) {
    return satisfactionReport(ctx, args);
  },
});

export interface PeriodRange {
  from: number;
  to: number;
  label: string;
}

/** The current period ending today and the one before it. `week` is the calendar week from Monday. */
export function periodRanges(period: Period, today: number): { current: PeriodRange; previous: PeriodRange } {
  if (period === 'week') {
    const weekday = (today + 3) % 7; // day 0 (1970-01-01) was a Thursday; Monday = 0
    const monday = today - weekday;
    return {
      current: { from: monday, to: today, label: `this week (from ${formatDay(monday)})` },
      previous: { from: monday - 7, to: monday - 1, label: 'last week' },
    };
  }
  const n = Number(period.slice(0, -1));
  return {
    current: { from: today - n + 1, to: today, label: `the last ${n} days` },
    previous: { from: today - 2 * n + 1, to: today - n, label: `the ${n} days before` },
  };
}

export async function satisfactionReport(ctx: Context, args: { period: Period; segment?: string | undefined; owner?: string | undefined }): Promise<Reply> {
  const today = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
  const { current, previous } = periodRanges(args.period, today);
  const trendFrom = today - TREND_WEEKS * 7 + 1;
  const rows = await feedbackBetween(ctx.store.db, { fromDay: Math.min(previous.from, trendFrom), toDay: today, ...(args.owner ? { owner: args.owner } : {}), ...(args.segment ? { segment: args.segment } : {}) });
  const inRange = (r: PeriodRange) => rows.filter((x) => x.day >= r.from && x.day <= r.to);
  const now = inRange(current);
  const before = inRange(previous);
  const scores = (list: FeedbackWithCustomer[], scale: SatisfactionScale) => list.filter((r) => r.scale === scale).map((r) => r.score);

  const scope = [args.segment ? `segment ${args.segment}` : '', args.owner ? `owner ${args.owner}` : ''].filter(Boolean).join(', ');
  const title = `Satisfaction · ${current.label}${scope ? ` · ${scope}` : ''}`;
  if (now.length === 0 && before.length === 0) {
    return { title, text: 'No feedback in this period or the one before. Log some with `/feedback CUSTOMER SCORE COMMENT`, or import a survey export with `pulse import feedback FILE`.', visibility: 'private' };
  }

  const fields: ReplyField[] = [];
  const c = csat(scores(now, 'csat'));
  const cmpC = compareCsat(scores(before, 'csat'), scores(now, 'csat'));
  fields.push({
    label: 'CSAT',
    value: c.csat === null ? 'no CSAT answers' : `${formatPercent(c.csat)} satisfied (n=${c.n}; 95% CI ${formatPercent(c.lower!)}–${formatPercent(c.upper!)})${c.tooFew ? ' — too few responses to rely on' : ''}`,
    inline: true,
  });
  fields.push({ label: `CSAT vs ${previous.label}`, value: describeChange(cmpC.verdict, cmpC.difference === null ? null : cmpC.difference * 100, cmpC.pValue, 'pts'), inline: true });
  const p = nps(scores(now, 'nps'));
  const cmpN = compareNps(scores(before, 'nps'), scores(now, 'nps'));
  fields.push({
    label: 'NPS',
    value: p.nps === null ? 'no NPS answers' : `${signed(p.nps)} (n=${p.n}: ${p.promoters} promoters, ${p.detractors} detractors; 95% CI ${signed(p.lower!)} to ${signed(p.upper!)})${p.tooFew ? ' — too few responses to rely on' : ''}`,
    inline: true,
  });
  fields.push({ label: `NPS vs ${previous.label}`, value: describeChange(cmpN.verdict, cmpN.difference, cmpN.pValue, 'points'), inline: true });

  const tables: NonNullable<Reply['tables']> = [];
  // Pain points need enough words: widen to the whole 12 weeks when the period is thin, and say so.
  let themeRows = now;
  let themeNote = '';
  if (now.filter((r) => r.comment).length < 20) {
    themeRows = rows.filter((r) => r.day >= trendFrom);
    themeNote = ' (last 12 weeks: too few comments in the period)';
  }
  const pains = painPoints(themeRows.map((r) => ({ score: r.score, scale: r.scale, comment: r.comment })), { limit: 6 });
  if (pains.length) {
    tables.push({
      title: `Pain points${themeNote}`,
      columns: [{ label: 'Term' }, { label: 'Low-score comments', align: 'right' }, { label: 'z', align: 'right' }],
      rows: pains.map((x) => [x.term, String(x.lowComments), x.z.toFixed(1)]),
    });
  }
  const themes = topThemes(themeRows.map((r) => r.comment ?? '').filter(Boolean), { limit: 6 });
  if (themes.length) {
    tables.push({ title: `Top themes${themeNote}`, columns: [{ label: 'Term' }, { label: 'Comments', align: 'right' }], rows: themes.map((t) => [t.term, String(t.comments)]) });
  }
  const detractors = valuableDetractors(now, 5);
  if (detractors.length) {
    tables.push({
      title: 'Detractors among the most valuable customers',
      columns: [{ label: 'Customer' }, { label: 'Score', align: 'right' }, { label: 'Value', align: 'right' }, { label: 'Owner' }, { label: 'Comment' }],
      rows: detractors.map((d) => [`${d.name ?? d.customer_id} (${d.customer_id})`, `${d.score}/${d.scale === 'csat' ? 5 : 10}`, formatMoney(d.clv_12m ?? d.revenue ?? 0), d.owner ?? '—', truncate(d.comment ?? '', 60)]),
    });
  }
  return {
    title,
    fields,
    tables,
    chart: weeklyTrend(rows, today),
    footer: `A change is called a change only when significant at the 5% level. Intervals: Wilson (CSAT), adjusted Wald (NPS).`,
    visibility: 'private',
  };
}

function signed(v: number): string {
  const r = Math.round(v);
  return r > 0 ? `+${r}` : String(r);
}

function describeChange(verdict: string, difference: number | null, pValue: number | null, unit: string): string {
  if (difference === null) return 'nothing to compare';
  const d = `${difference > 0 ? '+' : ''}${difference.toFixed(1)} ${unit}`;
  const p = pValue === null ? '' : `, p=${pValue < 0.001 ? '<0.001' : pValue.toFixed(3)}`;
  if (verdict === 'up') return `▲ up ${d}${p}`;
  if (verdict === 'down') return `▼ down ${d}${p}`;
  if (verdict === 'too few') return `too few responses to compare (${d})`;
  return `no significant change (${d}${p})`;
}

function valuableDetractors(rows: FeedbackWithCustomer[], limit: number): FeedbackWithCustomer[] {
  const seen = new Set<string>();
  return rows
    .filter((r) => scoreBand(r.score, r.scale) === 'low')
    .sort((a, b) => (b.clv_12m ?? b.revenue ?? 0) - (a.clv_12m ?? a.revenue ?? 0) || b.day - a.day)
    .filter((r) => (seen.has(r.customer_id) ? false : (seen.add(r.customer_id), true)))
    .slice(0, limit);
}

export function weeklyTrend(rows: FeedbackWithCustomer[], today: number): NonNullable<Reply['chart']> {
  const csatPoints: { x: string; y: number | null }[] = [];
  const npsPoints: { x: string; y: number | null }[] = [];
  for (let w = TREND_WEEKS - 1; w >= 0; w--) {
    const to = today - 7 * w;
    const from = to - 6;
    const week = rows.filter((r) => r.day >= from && r.day <= to);
    const c = csat(week.filter((r) => r.scale === 'csat').map((r) => r.score));
    const n = nps(week.filter((r) => r.scale === 'nps').map((r) => r.score));
    const x = formatDay(from).slice(5);
    csatPoints.push({ x, y: c.csat === null ? null : Math.round(c.csat * 1000) / 10 });
    npsPoints.push({ x, y: n.nps === null ? null : Math.round(n.nps * 10) / 10 });
  }
  return { kind: 'line', title: `CSAT % and NPS by week (last ${TREND_WEEKS} weeks)`, xLabel: 'week starting', yLabel: 'score', series: [{ name: 'CSAT %', points: csatPoints }, { name: 'NPS', points: npsPoints }] };
}
