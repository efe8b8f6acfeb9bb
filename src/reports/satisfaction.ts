// CSAT and NPS with honest intervals, the change that is really a change, the weekly trend, themes,
// pain points and the detractors worth a call — for `/satisfaction` and the weekly digest.
import { compareCsatCounts, compareNpsCounts, csatOfCounts, npsOfCounts, type CsatCounts, type NpsCounts } from '../analytics/satisfaction.ts';
import type { Context } from '../core/context.ts';
import { customerLabel, formatMoney, formatPercent, truncate } from '../core/format.ts';
import { scrubPersonalData, type Reply, type ReplyField } from '../core/reply.ts';
import { formatDay } from '../core/time.ts';
import { reportFilter, scopeWords } from './filters.ts';
import { referenceDay } from './live-run.ts';
import type { DailyCounts, ReportFilter, SatisfactionData, WindowTerms } from './report-data.ts';

export const PERIODS = ['7d', '30d', '90d', 'week'] as const;
export type Period = (typeof PERIODS)[number];
export const TREND_WEEKS = 12;
/** Below this many comments in the period, themes and pain points are read over the trend's 12 weeks. */
const MIN_THEME_COMMENTS = 20;
const LIST = 6;

export interface PeriodRange {
  from: number;
  to: number;
  label: string;
}

const weekdayOf = (day: number) => (day + 3) % 7; // day 0 (1970-01-01) was a Thursday; Monday = 0

/** The current period ending `today` and the one before it. `week` is the calendar week from Monday. */
export function periodRanges(period: Period, today: number): { current: PeriodRange; previous: PeriodRange } {
  if (period === 'week') {
    const monday = today - weekdayOf(today);
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

/** The windows a refresh as of `day` stores themes and detractors for: every period, the trend, and last week's. */
export function standardWindows(day: number): { from: number; to: number }[] {
  const windows: { from: number; to: number }[] = PERIODS.map((p) => periodRanges(p, day).current);
  const sunday = day - weekdayOf(day) - 1;
  windows.push({ from: day - TREND_WEEKS * 7 + 1, to: day }, { from: sunday - 6, to: sunday }, { from: sunday - TREND_WEEKS * 7 + 1, to: sunday });
  const seen = new Set<string>();
  return windows.filter((w) => (seen.has(`${w.from}:${w.to}`) ? false : (seen.add(`${w.from}:${w.to}`), true)));
}

export interface SatisfactionArgs {
  period: Period;
  segment?: string | undefined;
  owner?: string | undefined;
}

export async function satisfactionReport(ctx: Context, data: SatisfactionData, args: SatisfactionArgs): Promise<Reply> {
  // Periods end on the insights' as-of day (the day the refresh stored their themes for).
  const today = await referenceDay(ctx);
  return satisfactionReportFor(data, args, today, ctx.config.currency);
}

/** The report for the period ending on `today` (a calendar day in PULSE_TIMEZONE). */
export async function satisfactionReportFor(data: SatisfactionData, args: SatisfactionArgs, today: number, currency: string): Promise<Reply> {
  const filter: ReportFilter = reportFilter(args.owner, args.segment);
  const { current, previous } = periodRanges(args.period, today);
  const trendFrom = today - TREND_WEEKS * 7 + 1;
  const counts = await data.counts(filter, Math.min(previous.from, trendFrom), today);
  const now = countsIn(counts, current.from, current.to);
  const before = countsIn(counts, previous.from, previous.to);

  const scope = scopeWords({ segment: args.segment, owner: args.owner }, ['segment', 'owner']);
  const title = `Satisfaction · ${current.label}${scope ? ` · ${scope}` : ''}`;
  if (now.csat.n + now.n === 0 && before.csat.n + before.n === 0) {
    return { title, text: 'No feedback in this period or the one before. Log some with `/feedback CUSTOMER SCORE COMMENT`, or import a survey export with `pulse import feedback FILE`.', visibility: 'private' };
  }

  const fields: ReplyField[] = [];
  const c = csatOfCounts(now.csat);
  const cmpC = compareCsatCounts(before.csat, now.csat);
  fields.push({
    label: 'CSAT',
    value: c.csat === null ? 'no CSAT answers' : `${formatPercent(c.csat)} satisfied (n=${c.n}; 95% CI ${formatPercent(c.lower!)}–${formatPercent(c.upper!)})${c.tooFew ? ' — too few responses to rely on' : ''}`,
    inline: true,
  });
  fields.push({ label: `CSAT vs ${previous.label}`, value: describeChange(cmpC.verdict, cmpC.difference === null ? null : cmpC.difference * 100, cmpC.pValue, 'pts'), inline: true });
  const p = npsOfCounts(now.nps);
  const cmpN = compareNpsCounts(before.nps, now.nps);
  fields.push({
    label: 'NPS',
    value: p.nps === null ? 'no NPS answers' : `${signed(p.nps)} (n=${p.n}: ${p.promoters} promoters, ${p.detractors} detractors; 95% CI ${signed(p.lower!)} to ${signed(p.upper!)})${p.tooFew ? ' — too few responses to rely on' : ''}`,
    inline: true,
  });
  fields.push({ label: `NPS vs ${previous.label}`, value: describeChange(cmpN.verdict, cmpN.difference, cmpN.pValue, 'points'), inline: true });

  const tables: NonNullable<Reply['tables']> = [];
  // Pain points need enough words: widen to the whole 12 weeks when the period is thin, and say so.
  let terms: WindowTerms = await data.terms(filter, current.from, current.to);
  let themeNote = '';
  if (terms.comments < MIN_THEME_COMMENTS) {
    terms = await data.terms(filter, trendFrom, today);
    themeNote = ' (last 12 weeks: too few comments in the period)';
  }
  const pains = terms.pains.slice(0, LIST);
  if (pains.length) {
    tables.push({
      title: `Pain points${themeNote}`,
      columns: [{ label: 'Term' }, { label: 'Low-score comments', align: 'right' }, { label: 'z', align: 'right' }],
      rows: pains.map((x) => [x.term, String(x.lowComments), x.z.toFixed(1)]),
    });
  }
  const themes = terms.themes.slice(0, LIST);
  if (themes.length) tables.push({ title: `Top themes${themeNote}`, columns: [{ label: 'Term' }, { label: 'Comments', align: 'right' }], rows: themes.map((t) => [t.term, String(t.comments)]) });
  const detractors = await data.detractors(filter, current.from, current.to, 5);
  if (detractors.length) {
    tables.push({
      title: 'Detractors among the most valuable customers',
      columns: [{ label: 'Customer' }, { label: 'Score', align: 'right' }, { label: 'Value', align: 'right' }, { label: 'Owner' }, { label: 'Comment' }],
      rows: detractors.map((d) => [customerLabel(d), `${d.score}/${d.scale === 'csat' ? 5 : 10}`, formatMoney(d.value, currency), d.owner ?? '—', truncate(scrubPersonalData(d.comment ?? ''), 60)]),
    });
  }
  return {
    title,
    fields,
    tables,
    chart: weeklyTrend(counts, today),
    footer: `A change is called a change only when significant at the 5% level. Intervals: Wilson (CSAT), adjusted Wald (NPS).`,
    visibility: 'private',
  };
}

/** The answers in [from, to]: CSAT as answers and satisfied, NPS by group (and `n`, the NPS answers). */
export function countsIn(counts: DailyCounts, from: number, to: number): { csat: CsatCounts; nps: NpsCounts; n: number } {
  const csat = { n: 0, satisfied: 0 };
  const nps = { promoters: 0, passives: 0, detractors: 0 };
  for (const [day, c] of counts) {
    if (day < from || day > to) continue;
    c.csat.forEach((n, score) => {
      csat.n += n;
      if (score >= 4) csat.satisfied += n;
    });
    c.nps.forEach((n, score) => {
      if (score >= 9) nps.promoters += n;
      else if (score >= 7) nps.passives += n;
      else nps.detractors += n;
    });
  }
  return { csat, nps, n: nps.promoters + nps.passives + nps.detractors };
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

export function weeklyTrend(counts: DailyCounts, today: number): NonNullable<Reply['chart']> {
  const csatPoints: { x: string; y: number | null }[] = [];
  const npsPoints: { x: string; y: number | null }[] = [];
  for (let w = TREND_WEEKS - 1; w >= 0; w--) {
    const to = today - 7 * w;
    const from = to - 6;
    const week = countsIn(counts, from, to);
    const c = csatOfCounts(week.csat);
    const n = npsOfCounts(week.nps);
    const x = formatDay(from).slice(5);
    csatPoints.push({ x, y: c.csat === null ? null : Math.round(c.csat * 1000) / 10 });
    npsPoints.push({ x, y: n.nps === null ? null : Math.round(n.nps * 10) / 10 });
  }
  return { kind: 'line', title: `CSAT % and NPS by week (last ${TREND_WEEKS} weeks)`, xLabel: 'week starting', yLabel: 'score', series: [{ name: 'CSAT %', points: csatPoints }, { name: 'NPS', points: npsPoints }] };
}
