// What a digest says. Loading (queries) is kept apart from wording: `atRiskReply` and
// `satisfactionDigestReply` are pure functions of plain data, tested without a store.
//
// Periods: a satisfaction digest covers the last complete calendar week (Monday–Sunday, in
// PULSE_TIMEZONE, the zone feedback days are stored in) before the day it is scheduled for, against
// the week before — on a Monday 09:00 schedule, last week. An at-risk digest lists customers who
// moved into at-risk or churned since the previous digest of the same subscription (the lifecycle
// log of the refreshes after that day), or over the last 7 days for the first one and for previews.
//
// Owners: the customers file names an owner by name (or email). Where a chat user of the
// digest's platform has that name or email in the users table, the digest writes `@Name`; the
// adapters decide whether that becomes a real mention (see the final note in the digest's footer).
import { satisfactionReport } from '../commands/satisfaction.ts';
import { painPoints, type PainPoint } from '../analytics/themes.ts';
import { HIGH_RISK } from '../commands/churn-risk.ts';
import { parseDrivers } from '../commands/customer-insights.ts';
import type { Context } from '../core/context.ts';
import { formatCount, formatMoney, truncate } from '../core/format.ts';
import type { Reply, ReplyChart, ReplyTable } from '../core/reply.ts';
import { fixedClock, localDay, MS_PER_DAY, wallTimeToInstant } from '../core/time.ts';
import { chatUsersNamed, highRiskByOwner, newAtRiskEntrants, newAtRiskEntrantsByOwner, type DigestFilter, type EntrantRow, type OwnerCount } from '../db/digests.ts';
import { feedbackBetween } from '../db/feedback.ts';
import { latestRun, summarizeBy, topBy, type InsightWithCustomer } from '../db/insights.ts';
import type { DigestKind, DigestPlatform, ModelRunRow } from '../db/schema.ts';
import { formatLocal } from './cron.ts';

export interface DigestRequest {
  kind: DigestKind;
  owner?: string | null;
  segment?: string | null;
  /** Where it will be posted: decides which chat users owners map to. */
  platform: DigestPlatform;
  /** The slot the digest is for (now, for a preview). */
  scheduledFor: Date;
  /** at-risk: the slot of the previous digest of this subscription; null → the 7 days before. */
  since?: Date | null;
  /** Delivered after its slot: the digest says so. */
  late?: boolean;
  /** The subscription's zone, for the times it shows. */
  timeZone: string;
}

export interface BuiltDigest {
  reply: Reply;
  /** Nothing new to say (skip-if-empty subscriptions skip it). */
  empty: boolean;
  /** Why it is empty, in words, for history. */
  emptyReason?: string;
}

export function buildDigest(ctx: Context, req: DigestRequest): Promise<BuiltDigest> {
  return req.kind === 'satisfaction' ? buildSatisfactionDigest(ctx, req) : buildAtRiskDigest(ctx, req);
}

// Days are written `16 Nov 2026`, never `2026-11-16`: posting into a channel scrubs personal data,
// and the phone-number pattern of withoutPersonalData takes an ISO date for a phone number.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function humanDay(day: number): string {
  const d = new Date(day * MS_PER_DAY);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

const weekdayOf = (day: number) => (day + 3) % 7; // Monday = 0 (day 0 was a Thursday)

/** The last complete Monday–Sunday week before `day`: its Monday and its Sunday. */
export function lastCompleteWeek(day: number): { monday: number; sunday: number } {
  const sunday = day - weekdayOf(day) - 1;
  return { monday: sunday - 6, sunday };
}

function scopeOf(req: { owner?: string | null; segment?: string | null }): string {
  return [req.segment ? `segment ${req.segment}` : '', req.owner ? `owner ${req.owner}` : ''].filter(Boolean).join(', ');
}

function lateNote(req: DigestRequest): string | undefined {
  return req.late ? `Posted late: due ${formatLocal(req.scheduledFor.getTime(), req.timeZone)}, when Pulse was not running.` : undefined;
}

// ---- satisfaction ------------------------------------------------------------------------------

export async function buildSatisfactionDigest(ctx: Context, req: DigestRequest): Promise<BuiltDigest> {
  const zone = ctx.config.timeZone;
  // "Last week" is the week before the slot's date where the subscribers are (the subscription's
  // zone); stored days are calendar days in PULSE_TIMEZONE.
  const week = lastCompleteWeek(localDay(req.scheduledFor.getTime(), req.timeZone));
  // satisfactionReport reads "this week" from the clock: pin it to that Sunday's noon and the whole
  // report (CSAT/NPS vs the week before, pain points, detractors, 12-week trend) is about that week.
  const sundayNoon = wallTimeToInstant(week.sunday * MS_PER_DAY + 12 * 3_600_000, zone);
  const report = await satisfactionReport({ ...ctx, clock: fixedClock(new Date(sundayNoon)) }, { period: 'week', ...(req.owner ? { owner: req.owner } : {}), ...(req.segment ? { segment: req.segment } : {}) });
  const responses = await feedbackBetween(ctx.store.db, { fromDay: week.monday, toDay: week.sunday, ...(req.owner ? { owner: req.owner } : {}), ...(req.segment ? { segment: req.segment } : {}) });
  const csatN = responses.filter((r) => r.scale === 'csat').length;
  // The report names pain points only when the week's comments show some; a digest always tries to,
  // over the 12 weeks of its trend, and says so.
  let pains: PainPoint[] = [];
  if (!report.tables?.some((t) => t.title?.startsWith('Pain points'))) {
    const quarter = await feedbackBetween(ctx.store.db, { fromDay: week.sunday - 12 * 7 + 1, toDay: week.sunday, ...(req.owner ? { owner: req.owner } : {}), ...(req.segment ? { segment: req.segment } : {}) });
    pains = painPoints(quarter.map((r) => ({ score: r.score, scale: r.scale, comment: r.comment })), { limit: 6 });
  }
  return satisfactionDigestReply(report, { ...week, responses: responses.length, csat: csatN, nps: responses.length - csatN, scope: scopeOf(req), lateNote: lateNote(req), pains });
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

// ---- at-risk ------------------------------------------------------------------------------------

export interface AtRiskDigestData {
  run: Pick<ModelRunRow, 'run_id' | 'as_of_day'>;
  afterDay: number;
  untilDay: number;
  scope: string;
  entrants: EntrantRow[];
  entrantsByOwner: OwnerCount[];
  highRiskByOwner: OwnerCount[];
  top: Pick<InsightWithCustomer, 'customer_id' | 'name' | 'owner' | 'churn_risk' | 'value_at_risk' | 'churn_drivers'>[];
  /** Value at risk over every customer in scope. */
  totalValueAtRisk: number;
  /** Owner name (lower case) → the chat user it maps to on this digest's platform. */
  owners: Map<string, { userId: string; name: string }>;
  lateNote?: string | undefined;
}

export const AT_RISK_LIST = 10;

export async function buildAtRiskDigest(ctx: Context, req: DigestRequest): Promise<BuiltDigest> {
  const db = ctx.store.db;
  const run = await latestRun(db);
  const scope = scopeOf(req);
  if (!run) {
    return {
      reply: { title: `At-risk customers${scope ? ` · ${scope}` : ''}`, text: 'No insights yet: the models have not been fitted on this store. An admin runs `pulse refresh`.', ...(req.late ? { footer: lateNote(req) } : {}), visibility: 'channel' },
      empty: true,
      emptyReason: 'no insights yet (no refresh has run)',
    };
  }
  const zone = ctx.config.timeZone;
  const untilDay = localDay(req.scheduledFor.getTime(), zone);
  const afterDay = req.since ? localDay(req.since.getTime(), zone) : untilDay - 7;
  const f: DigestFilter = { owner: req.owner ?? null, segment: req.segment ?? null };
  const since = req.since ?? new Date(req.scheduledFor.getTime() - 7 * MS_PER_DAY);
  const window = { since: since.toISOString(), untilDay };
  const filter = { ...(req.owner ? { owner: req.owner } : {}), ...(req.segment ? { segment: req.segment } : {}) };
  const [entrants, entrantsByOwner, highByOwner, top, groups] = await Promise.all([
    newAtRiskEntrants(db, f, window, AT_RISK_LIST),
    newAtRiskEntrantsByOwner(db, f, window),
    highRiskByOwner(db, f, HIGH_RISK),
    topBy(db, 'value_at_risk', filter, AT_RISK_LIST),
    summarizeBy(db, 'owner', filter),
  ]);
  const ownerNames = [...entrantsByOwner, ...highByOwner].map((o) => o.owner).filter((o): o is string => Boolean(o));
  const owners = await chatUsersNamed(db, req.platform, ownerNames);
  return atRiskReply({
    run,
    afterDay,
    untilDay,
    scope,
    entrants,
    entrantsByOwner,
    highRiskByOwner: highByOwner,
    top,
    totalValueAtRisk: groups.reduce((s, g) => s + g.valueAtRisk, 0),
    owners,
    lateNote: lateNote(req),
  });
}

/** The at-risk digest from its data. Pure. */
export function atRiskReply(d: AtRiskDigestData): BuiltDigest {
  const newCount = d.entrantsByOwner.reduce((s, o) => s + o.count, 0);
  const newValue = d.entrantsByOwner.reduce((s, o) => s + o.valueAtRisk, 0);
  const highCount = d.highRiskByOwner.reduce((s, o) => s + o.count, 0);
  const ownerLabel = (owner: string | null) => {
    if (!owner) return '(no owner)';
    const user = d.owners.get(owner.toLowerCase());
    return user ? `@${user.name}` : owner;
  };
  const since = humanDay(d.afterDay);
  const lines = [
    newCount === 0
      ? `No customer moved into at-risk or churned since ${since}.`
      : `**${formatCount(newCount)}** ${newCount === 1 ? 'customer' : 'customers'} moved into at-risk or churned since ${since}: **${formatMoney(newValue)}** of yearly value at risk.`,
    `**${formatCount(highCount)}** customers at ${HIGH_RISK}+ churn risk; **${formatMoney(d.totalValueAtRisk)}** of yearly value at risk in all.`,
  ];
  const tables: ReplyTable[] = [];
  const customer = (r: { name: string | null; customer_id: string }) => `${r.name ?? r.customer_id} (${r.customer_id})`;
  const risk = (v: number | null) => (v === null ? '—' : String(Math.round(v)));
  if (d.entrants.length) {
    tables.push({
      title: `New since ${since}`,
      columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Stage' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Why' }],
      rows: d.entrants.map((e) => [customer(e), ownerLabel(e.owner), e.lifecycle_stage, risk(e.churn_risk), formatMoney(e.value_at_risk ?? 0), truncate(parseDrivers(e.churn_drivers).join('; ') || e.lifecycle_reason || '', 120)]),
      total: Math.max(newCount, d.entrants.length),
    });
  }
  if (d.top.length) {
    tables.push({
      title: `Highest value at risk (top ${d.top.length})`,
      columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Why' }],
      rows: d.top.map((t) => [customer(t), ownerLabel(t.owner), risk(t.churn_risk), formatMoney(t.value_at_risk ?? 0), truncate(parseDrivers(t.churn_drivers).join('; '), 120)]),
    });
  }
  const byOwner = mergeOwners(d.entrantsByOwner, d.highRiskByOwner);
  if (byOwner.length) {
    tables.push({
      title: 'By owner',
      columns: [{ label: 'Owner' }, { label: 'New', align: 'right' }, { label: `At ${HIGH_RISK}+ risk`, align: 'right' }, { label: `Their value at risk`, align: 'right' }],
      rows: byOwner.map((o) => [ownerLabel(o.owner), formatCount(o.newCount), formatCount(o.highCount), formatMoney(o.valueAtRisk)]),
    });
  }
  const chartOwners = byOwner.filter((o) => o.valueAtRisk > 0).slice(0, 10);
  const chart: ReplyChart | undefined = chartOwners.length
    ? { kind: 'bar', title: `Value at risk by owner (customers at ${HIGH_RISK}+ risk)`, xLabel: 'owner', yLabel: 'value at risk ($ a year)', series: [{ name: 'value at risk', points: chartOwners.map((o) => ({ x: o.owner ?? '(no owner)', y: Math.round(o.valueAtRisk) })) }] }
    : undefined;
  const mapped = d.owners.size > 0;
  const reply: Reply = {
    title: `At-risk customers · since ${since}${d.scope ? ` · ${d.scope}` : ''}`,
    text: lines.join('\n'),
    tables,
    ...(chart ? { chart } : {}),
    footer: [
      d.lateNote,
      `Value at risk = churn risk × the customer's yearly spend so far. Insights as of ${humanDay(d.run.as_of_day)} (refresh #${d.run.run_id}).`,
      mapped ? '@Name: the owner’s chat account.' : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
    visibility: 'channel',
  };
  return newCount === 0 ? { reply, empty: true, emptyReason: `no new at-risk or churned customers since ${since}` } : { reply, empty: false };
}

interface OwnerLine {
  owner: string | null;
  newCount: number;
  highCount: number;
  valueAtRisk: number;
}

function mergeOwners(entrants: OwnerCount[], high: OwnerCount[]): OwnerLine[] {
  const byKey = new Map<string, OwnerLine>();
  const line = (owner: string | null) => {
    const key = owner ?? '';
    let l = byKey.get(key);
    if (!l) byKey.set(key, (l = { owner, newCount: 0, highCount: 0, valueAtRisk: 0 }));
    return l;
  };
  for (const e of entrants) line(e.owner).newCount += e.count;
  for (const h of high) {
    const l = line(h.owner);
    l.highCount += h.count;
    l.valueAtRisk += h.valueAtRisk;
  }
  return [...byKey.values()].sort((a, b) => b.valueAtRisk - a.valueAtRisk || b.newCount - a.newCount || String(a.owner).localeCompare(String(b.owner)));
}
