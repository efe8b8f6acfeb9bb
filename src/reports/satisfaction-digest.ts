// The weekly satisfaction digest: the last complete calendar week (Monday–Sunday, in PULSE_TIMEZONE,
// the zone feedback days are stored in) before the day it is scheduled for, against the week before
// — on a Monday 09:00 schedule, last week. It is the `/satisfaction week` report of that week,
// reworded for a channel.
import type { PainPoint } from '../analytics/themes.ts';
import type { Context } from '../core/context.ts';
import { formatCount } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { localDay } from '../core/time.ts';
import { formatLocal } from '../digests/cron.ts';
import { humanDay, lastCompleteWeek, type BuiltDigest, type DigestRequest } from './digest.ts';
import { reportFilter, scopeWords } from './filters.ts';
import { satisfactionData } from './live-run.ts';
import { countsIn, satisfactionReportFor, TREND_WEEKS } from './satisfaction.ts';

export async function buildSatisfactionDigest(ctx: Context, req: DigestRequest): Promise<BuiltDigest> {
  const data = await satisfactionData(ctx);
  // "Last week" is the week before the slot's date where the subscribers are (the subscription's
  // zone); stored days are calendar days in PULSE_TIMEZONE.
  const week = lastCompleteWeek(localDay(req.scheduledFor.getTime(), req.timeZone));
  const args = { period: 'week' as const, ...(req.owner ? { owner: req.owner } : {}), ...(req.segment ? { segment: req.segment } : {}) };
  const report = await satisfactionReportFor(data, args, week.sunday, ctx.config.currency);
  const filter = reportFilter(req.owner ?? undefined, req.segment ?? undefined);
  const scores = countsIn(await data.counts(filter, week.monday, week.sunday), week.monday, week.sunday);
  // The report names pain points only when the week's comments show some; a digest always tries
  // to, over the 12 weeks of its trend, and says so.
  let pains: PainPoint[] = [];
  if (!report.tables?.some((t) => t.title?.startsWith('Pain points'))) {
    pains = (await data.terms(filter, week.sunday - TREND_WEEKS * 7 + 1, week.sunday)).pains.slice(0, 6);
  }
  const lateNote = req.late ? `Posted late: due ${formatLocal(req.scheduledFor.getTime(), req.timeZone)}, when Pulse was not running.` : undefined;
  const scope = scopeWords({ segment: req.segment, owner: req.owner }, ['segment', 'owner']);
  return satisfactionDigestReply(report, { ...week, responses: scores.csat.n + scores.n, csat: scores.csat.n, nps: scores.n, scope, lateNote, pains });
}

export interface SatisfactionDigestFacts {
  monday: number;
  sunday: number;
  responses: number;
  csat: number;
  nps: number;
  scope: string;
  lateNote?: string | undefined;
  /** Pain points over the 12 weeks, when the week's report has none of its own. */
  pains?: PainPoint[];
}

/** The /satisfaction week report, reworded as a weekly digest for a channel. Pure. */
export function satisfactionDigestReply(report: Reply, f: SatisfactionDigestFacts): BuiltDigest {
  const title = `Weekly satisfaction · week of ${humanDay(f.monday)}${f.scope ? ` · ${f.scope}` : ''}`;
  const empty = f.responses === 0;
  const text = empty
    ? 'No survey responses last week.'
    : `**${formatCount(f.responses)}** responses last week (${formatCount(f.csat)} CSAT, ${formatCount(f.nps)} NPS).`;
  const tables = [...(report.tables ?? [])];
  if (f.pains?.length) {
    tables.unshift({
      title: 'Pain points (last 12 weeks; none stand out in the week alone)',
      columns: [{ label: 'Term' }, { label: 'Low-score comments', align: 'right' }, { label: 'z', align: 'right' }],
      rows: f.pains.map((x) => [x.term, String(x.lowComments), x.z.toFixed(1)]),
    });
  }
  const reply: Reply = {
    ...report,
    title,
    ...(tables.length ? { tables } : {}),
    text: report.fields?.length ? text : [text, report.text].filter(Boolean).join('\n'),
    footer: [f.lateNote, report.footer].filter(Boolean).join('\n'),
    visibility: 'channel',
  };
  delete reply.buttons;
  return empty ? { reply, empty, emptyReason: 'no survey responses in the week' } : { reply, empty };
}
