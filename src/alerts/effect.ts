// "Does it help?" — for the alerts of the last 90 days: how many were raised, claimed, snoozed and
// escalated, and the share of alerted customers who bought again within 30 days of the alert next
// to the share among matched customers who were not alerted (same churn-risk band and value decile,
// picked when the alert was raised). The difference comes with a 95% interval (Wald, two
// independent proportions); below 10 in a group it is not computed. Pure.
import { formatCount, formatPercent } from '../core/format.ts';
import type { AlertKind } from '../db/alert-schema.ts';

export const EFFECT_WINDOW_DAYS = 90;
export const FOLLOW_UP_DAYS = 30;
const MIN_GROUP = 10;

export interface EffectInput {
  kind: AlertKind;
  claimed: boolean;
  snoozed: boolean;
  escalated: boolean;
  /** Did the alerted customer buy within the follow-up? Null: the follow-up is not over yet. */
  alertedBought: boolean | null;
  /** The matched control's answer; undefined when the alert has no control. */
  controlBought?: boolean | null;
}

export interface GroupShare {
  /** Alerts (or controls) whose 30 days are over. */
  customers: number;
  bought: number;
  share: number | null;
}

export interface AlertEffect {
  windowDays: number;
  followUpDays: number;
  raised: Record<AlertKind, number> & { total: number };
  claimed: number;
  snoozed: number;
  escalated: number;
  alerted: GroupShare;
  notAlerted: GroupShare;
  /** Alerted share minus the matched share, with its 95% interval (null: too few to say). */
  difference: { value: number; low: number; high: number } | null;
  /** Alerts still inside their 30 days (not counted above). */
  pending: number;
}

export function alertEffect(rows: readonly EffectInput[]): AlertEffect {
  const raised = { slipping: 0, detractor: 0, silent: 0, total: 0 };
  let claimed = 0;
  let snoozed = 0;
  let escalated = 0;
  let pending = 0;
  const a = { customers: 0, bought: 0 };
  const c = { customers: 0, bought: 0 };
  for (const r of rows) {
    raised[r.kind]++;
    raised.total++;
    if (r.claimed) claimed++;
    if (r.snoozed) snoozed++;
    if (r.escalated) escalated++;
    if (r.alertedBought === null) {
      pending++;
      continue;
    }
    a.customers++;
    if (r.alertedBought) a.bought++;
    if (r.controlBought === true || r.controlBought === false) {
      c.customers++;
      if (r.controlBought) c.bought++;
    }
  }
  const share = (g: { customers: number; bought: number }): GroupShare => ({ ...g, share: g.customers ? g.bought / g.customers : null });
  const alerted = share(a);
  const notAlerted = share(c);
  return { windowDays: EFFECT_WINDOW_DAYS, followUpDays: FOLLOW_UP_DAYS, raised, claimed, snoozed, escalated, alerted, notAlerted, difference: differenceOf(alerted, notAlerted), pending };
}

/** p1 − p2 with the Wald 95% interval; null when either group is below MIN_GROUP. */
export function differenceOf(x: GroupShare, y: GroupShare): AlertEffect['difference'] {
  if (x.customers < MIN_GROUP || y.customers < MIN_GROUP || x.share === null || y.share === null) return null;
  const d = x.share - y.share;
  const se = Math.sqrt((x.share * (1 - x.share)) / x.customers + (y.share * (1 - y.share)) / y.customers);
  return { value: d, low: d - 1.96 * se, high: d + 1.96 * se };
}

/** The effect in a few lines, for the model card and the monthly digest. */
export function describeEffect(e: AlertEffect): string[] {
  if (e.raised.total === 0) return [`No alerts were raised in the last ${e.windowDays} days.`];
  const kinds = (['slipping', 'detractor', 'silent'] as const).filter((k) => e.raised[k]).map((k) => `${formatCount(e.raised[k])} ${k}`);
  const lines = [
    `Last ${e.windowDays} days: ${formatCount(e.raised.total)} alerts raised (${kinds.join(', ')}); ` +
      `${formatCount(e.claimed)} claimed, ${formatCount(e.snoozed)} snoozed, ${formatCount(e.escalated)} escalated.`,
  ];
  const pct = (g: GroupShare) => (g.share === null ? '—' : formatPercent(g.share));
  if (e.alerted.customers === 0) lines.push(`Bought again within ${e.followUpDays} days: too early to say (${formatCount(e.pending)} alerts are inside their ${e.followUpDays} days).`);
  else {
    lines.push(
      `Bought again within ${e.followUpDays} days: ${pct(e.alerted)} of alerted customers (${formatCount(e.alerted.bought)} of ${formatCount(e.alerted.customers)}) ` +
        `vs ${pct(e.notAlerted)} of similar customers not alerted (${formatCount(e.notAlerted.bought)} of ${formatCount(e.notAlerted.customers)}; matched on churn risk and value).`,
    );
    const d = e.difference;
    if (d) {
      const pts = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`;
      const verdict = d.low > 0 ? 'alerted customers came back more often' : d.high < 0 ? 'alerted customers came back less often' : 'no difference the data can tell yet';
      lines.push(`Difference ${pts(d.value)} points (95% interval ${pts(d.low)} to ${pts(d.high)}): ${verdict}.`);
    } else lines.push(`Too few alerts with a finished ${e.followUpDays} days to compare yet (at least ${MIN_GROUP} in each group).`);
    if (e.pending) lines.push(`${formatCount(e.pending)} more alerts are still inside their ${e.followUpDays} days.`);
  }
  return lines;
}
