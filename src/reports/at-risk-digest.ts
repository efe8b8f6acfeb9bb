// The at-risk digest: customers who moved into at-risk or churned since the previous digest of the
// same subscription (refreshes that finished after it), or over the last 7 days for the first one
// and for previews; the value at risk in all, the top ten, and each owner's share.
//
// Owners: the customers file names an owner by name (or email). Where a chat user of the
// digest's platform has that name or email in the users table, the digest writes `@Name`; the
// adapters decide whether that becomes a real mention (see the final note in the digest's footer).
import type { Context } from '../core/context.ts';
import { currencySymbol, customerLabel, formatCount, formatMoney, truncate } from '../core/format.ts';
import type { Reply, ReplyChart, ReplyTable } from '../core/reply.ts';
import { localDay, MS_PER_DAY } from '../core/time.ts';
import { chatUsersNamed } from '../db/digests.ts';
import { runsFinishedAfter } from '../db/report-rollups.ts';
import type { ModelRunRow } from '../db/schema.ts';
import { formatLocal } from '../digests/cron.ts';
import { humanDay, type BuiltDigest, type DigestRequest } from './digest.ts';
import { parseDrivers } from './drivers.ts';
import { reportFilter, scopeWords } from './filters.ts';
import { liveRun, reportData } from './live-run.ts';
import { HIGH_RISK, type OwnerCount, type RankedCustomer } from './report-data.ts';

export const AT_RISK_LIST = 10;

export interface AtRiskDigestData {
  run: Pick<ModelRunRow, 'run_id' | 'as_of_day'>;
  afterDay: number;
  untilDay: number;
  scope: string;
  entrants: Pick<RankedCustomer, 'customer_id' | 'name' | 'owner' | 'lifecycle_stage' | 'lifecycle_reason' | 'churn_risk' | 'churn_drivers' | 'value_at_risk'>[];
  entrantsByOwner: OwnerCount[];
  highRiskByOwner: OwnerCount[];
  top: Pick<RankedCustomer, 'customer_id' | 'name' | 'owner' | 'churn_risk' | 'value_at_risk' | 'churn_drivers'>[];
  /** Value at risk over every customer in scope. */
  totalValueAtRisk: number;
  /** Owner name (lower case) → the chat user it maps to on this digest's platform. */
  owners: Map<string, { userId: string; name: string }>;
  lateNote?: string | undefined;
  /** PULSE_CURRENCY. */
  currency: string;
}

export async function buildAtRiskDigest(ctx: Context, req: DigestRequest): Promise<BuiltDigest> {
  const scope = scopeWords({ segment: req.segment, owner: req.owner }, ['segment', 'owner']);
  const lateNote = req.late ? `Posted late: due ${formatLocal(req.scheduledFor.getTime(), req.timeZone)}, when Pulse was not running.` : undefined;
  if (!(await liveRun(ctx))) {
    return {
      reply: { title: `At-risk customers${scope ? ` · ${scope}` : ''}`, text: 'No insights yet: the models have not been fitted on this store. An admin runs `pulse refresh`.', ...(lateNote ? { footer: lateNote } : {}), visibility: 'channel' },
      empty: true,
      emptyReason: 'no insights yet (no refresh has run)',
    };
  }
  const data = await reportData(ctx);
  const zone = ctx.config.timeZone;
  const untilDay = localDay(req.scheduledFor.getTime(), zone);
  const afterDay = req.since ? localDay(req.since.getTime(), zone) : untilDay - 7;
  const since = req.since ?? new Date(req.scheduledFor.getTime() - 7 * MS_PER_DAY);
  const filter = reportFilter(req.owner ?? undefined, req.segment ?? undefined);
  const runIds = await runsFinishedAfter(ctx.store.db, since.toISOString(), untilDay);
  const [entrants, owners, top, figures] = await Promise.all([
    data.entrants({ runIds }, filter, AT_RISK_LIST),
    data.breakdown('owner', filter),
    data.ranked('value-at-risk', filter, AT_RISK_LIST),
    data.figures(filter),
  ]);
  const highRiskByOwner = owners.filter((o) => o.atRisk > 0).map((o) => ({ owner: o.key === '' ? null : o.label, count: o.atRisk, valueAtRisk: o.atRiskValue }));
  const ownerNames = [...entrants.byOwner, ...highRiskByOwner].map((o) => o.owner).filter((o): o is string => Boolean(o));
  return atRiskReply({
    run: data.run,
    afterDay,
    untilDay,
    scope,
    entrants: entrants.top,
    entrantsByOwner: entrants.byOwner,
    highRiskByOwner,
    top,
    totalValueAtRisk: figures.valueAtRisk,
    owners: await chatUsersNamed(ctx.store.db, req.platform, ownerNames),
    lateNote,
    currency: ctx.config.currency,
  });
}

/** The at-risk digest from its data. Pure. */
export function atRiskReply(d: AtRiskDigestData): BuiltDigest {
  const money = (v: number) => formatMoney(v, d.currency);
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
      : `**${formatCount(newCount)}** ${newCount === 1 ? 'customer' : 'customers'} moved into at-risk or churned since ${since}: **${money(newValue)}** of yearly value at risk.`,
    `**${formatCount(highCount)}** customers at ${HIGH_RISK}+ churn risk; **${money(d.totalValueAtRisk)}** of yearly value at risk in all.`,
  ];
  const tables: ReplyTable[] = [];
  const risk = (v: number | null) => (v === null ? '—' : String(Math.round(v)));
  if (d.entrants.length) {
    tables.push({
      title: `New since ${since}`,
      columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Stage' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Why' }],
      rows: d.entrants.map((e) => [customerLabel(e), ownerLabel(e.owner), e.lifecycle_stage, risk(e.churn_risk), money(e.value_at_risk ?? 0), truncate(parseDrivers(e.churn_drivers).join('; ') || e.lifecycle_reason || '', 120)]),
      total: Math.max(newCount, d.entrants.length),
    });
  }
  if (d.top.length) {
    tables.push({
      title: `Highest value at risk (top ${d.top.length})`,
      columns: [{ label: 'Customer' }, { label: 'Owner' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Why' }],
      rows: d.top.map((t) => [customerLabel(t), ownerLabel(t.owner), risk(t.churn_risk), money(t.value_at_risk ?? 0), truncate(parseDrivers(t.churn_drivers).join('; '), 120)]),
    });
  }
  const byOwner = mergeOwners(d.entrantsByOwner, d.highRiskByOwner);
  if (byOwner.length) {
    tables.push({
      title: 'By owner',
      columns: [{ label: 'Owner' }, { label: 'New', align: 'right' }, { label: `At ${HIGH_RISK}+ risk`, align: 'right' }, { label: `Their value at risk`, align: 'right' }],
      rows: byOwner.map((o) => [ownerLabel(o.owner), formatCount(o.newCount), formatCount(o.highCount), money(o.valueAtRisk)]),
    });
  }
  const chartOwners = byOwner.filter((o) => o.valueAtRisk > 0).slice(0, 10);
  const chart: ReplyChart | undefined = chartOwners.length
    ? { kind: 'bar', title: `Value at risk by owner (customers at ${HIGH_RISK}+ risk)`, xLabel: 'owner', yLabel: `value at risk (${currencySymbol(d.currency)} a year)`, series: [{ name: 'value at risk', points: chartOwners.map((o) => ({ x: o.owner ?? '(no owner)', y: Math.round(o.valueAtRisk) })) }] }
    : undefined;
  const mapped = d.owners.size > 0;
  const reply: Reply = {
    title: `At-risk customers · since ${since}${d.scope ? ` · ${d.scope}` : ''}`,
    text: lines.join('\n'),
    tables,
    ...(chart ? { chart } : {}),
    footer: [
      d.lateNote,
      `Value at risk = churn risk × a year of the customer's purchases at their expected rate. Insights as of ${humanDay(d.run.as_of_day)} (refresh #${d.run.run_id}).`,
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
