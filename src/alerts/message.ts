// What an alert's messages say. Every message names its kind and the customer; the raise gives the
// reason in words (the churn drivers, the detractor's comment, the figures) and the buttons to act.
// Pure: the caller passes the alert and what it read about the customer. Whatever is posted — to a
// channel or into an owner's direct messages — goes through the channel scrub (no email address,
// no phone number): the owner reaches the contact details with Open card, privately.
import { formatCount, formatMoney, formatPercent } from '../core/format.ts';
import type { Reply, ReplyButton, ReplyField } from '../core/reply.ts';
import type { AlertKind, AlertPurpose } from '../db/alert-schema.ts';
import type { AlertRow } from '../db/alerts.ts';
import { humanDay } from '../reports/digest.ts';
import { formatDuration } from './settings.ts';

/** The reason in figures, stored with the alert when it is raised. */
export interface AlertDetails {
  drivers?: string[];
  /** Churn-risk threshold, top share and silent-after in force when it was raised. */
  threshold?: number;
  topShare?: number;
  silentGaps?: number;
  silentDays?: number;
  usualGapDays?: number;
  score?: number;
  scale?: 'csat' | 'nps';
  answeredDay?: number;
}

export interface AlertView {
  alert: AlertRow;
  name: string | null;
  company: string | null;
  /** PULSE_CURRENCY: what the amounts are in. */
  currency: string;
  /** The detractor's comment, when there was one (and it was not erased). */
  comment?: string | null;
  /** Who claimed it, as people read it. */
  claimedBy?: string;
  /** How long it stayed unclaimed (escalations). */
  unclaimedMs?: number;
  /** recover: the customer's latest purchase day and current churn risk, when known. */
  lastPurchaseDay?: number | null;
  currentRisk?: number | null;
}

export const KIND_WORDS: Record<AlertKind, string> = { slipping: 'Slipping', detractor: 'Detractor', silent: 'Gone quiet' };

export function parseDetails(json: string | null): AlertDetails {
  if (!json) return {};
  try {
    const v = JSON.parse(json);
    return v && typeof v === 'object' ? (v as AlertDetails) : {};
  } catch {
    return {};
  }
}

/** `Ann Costa · Costa Ltd (C00042)`: who the alert is about. */
export function customerLabel(v: Pick<AlertView, 'name' | 'company' | 'alert'>): string {
  const name = v.name ?? v.alert.customer_id;
  const company = v.company && v.company !== v.name ? ` · ${v.company}` : '';
  return v.name ? `${name}${company} (${v.alert.customer_id})` : `${name}${company}`;
}

/** The sentence that says why: what crossed, by how much. */
export function reasonText(alert: AlertRow, currency: string, comment?: string | null): string {
  const d = parseDetails(alert.details);
  const share = d.topShare !== undefined ? ` (top ${formatPercent(d.topShare)} of customers)` : '';
  switch (alert.kind) {
    case 'slipping': {
      const from = alert.previous_risk === null ? 'no score' : String(Math.round(alert.previous_risk));
      return (
        `Churn risk rose from ${from} to **${Math.round(alert.churn_risk ?? 0)}**, over the threshold of ${d.threshold ?? 60}. ` +
        `Value at risk ${formatMoney(alert.value_at_risk ?? 0, currency)}${share}.`
      );
    }
    case 'silent': {
      const ratio = d.silentDays !== undefined && d.usualGapDays ? d.silentDays / d.usualGapDays : undefined;
      return (
        `No purchase for **${formatCount(d.silentDays ?? 0)} days**` +
        (ratio !== undefined ? `, ${ratio.toFixed(1)}× their usual gap of ${formatCount(Math.round(d.usualGapDays!))} days (alert after ${d.silentGaps ?? 3}×)` : '') +
        (alert.last_purchase_day !== null ? `. Last purchase ${humanDay(alert.last_purchase_day)}.` : '.') +
        (alert.worth !== null ? `\nWorth ${formatMoney(alert.worth, currency)}${share}.` : '')
      );
    }
    case 'detractor': {
      const scale = d.scale === 'nps' ? 'NPS' : 'CSAT';
      const max = d.scale === 'nps' ? 10 : 5;
      const said = comment ? `: “${comment.length > 500 ? `${comment.slice(0, 499)}…` : comment}”` : ' (no comment)';
      const when = d.answeredDay !== undefined ? ` on ${humanDay(d.answeredDay)}` : '';
      return `${scale} **${d.score ?? '?'}/${max}**${when}${said}\nWorth ${formatMoney(alert.worth ?? 0, currency)}${share}.`;
    }
  }
}

function figures(alert: AlertRow, currency: string): ReplyField[] {
  const f: ReplyField[] = [{ label: 'Owner', value: alert.owner ?? 'unassigned', inline: true }];
  if (alert.churn_risk !== null) f.push({ label: 'Churn risk', value: String(Math.round(alert.churn_risk)), inline: true });
  if (alert.value_at_risk !== null) f.push({ label: 'Value at risk', value: formatMoney(alert.value_at_risk, currency), inline: true });
  if (alert.worth !== null) f.push({ label: 'Worth', value: formatMoney(alert.worth, currency), inline: true });
  return f;
}

/** Claim (unless claimed), Snooze 7 days, Open card: each runs as whoever presses it and answers privately. */
export function alertButtons(alert: AlertRow): ReplyButton[] {
  return [
    ...(alert.claimed_by ? [] : [{ label: 'Claim', action: { kind: 'run' as const, command: `/alerts claim ${alert.alert_id}` }, style: 'primary' as const, standalone: true }]),
    { label: 'Snooze 7 days', action: { kind: 'run', command: `/alerts snooze ${alert.alert_id} 7d` }, standalone: true },
    { label: 'Open card', action: { kind: 'run', command: `/customer ${alert.customer_id}` }, standalone: true },
  ];
}

/** The message of one delivery purpose. */
export function alertReply(purpose: AlertPurpose, v: AlertView): Reply {
  const a = v.alert;
  const kind = KIND_WORDS[a.kind];
  const who = customerLabel(v);
  const footer = `Alert #${a.alert_id} · \`/alerts\` lists yours`;
  const d = parseDetails(a.details);
  switch (purpose) {
    case 'raise':
    case 'reraise': {
      const lines = [reasonText(a, v.currency, v.comment)];
      if (d.drivers?.length) lines.push('', '**Why:**', ...d.drivers.slice(0, 4).map((x) => `• ${x}`));
      if (purpose === 'reraise') lines.unshift(`The snooze is over and this is still open.`, '');
      return { title: `${purpose === 'reraise' ? 'Reminder · ' : ''}${kind}: ${who}`, text: lines.join('\n'), fields: figures(a, v.currency), footer, visibility: 'channel' };
    }
    case 'escalate': {
      const unclaimed = v.unclaimedMs !== undefined ? ` for ${formatDuration(Math.max(60_000, Math.round(v.unclaimedMs / 60_000) * 60_000))}` : '';
      return {
        title: `Unclaimed${unclaimed} · ${kind}: ${who}`,
        text: [`Nobody has claimed this alert for ${a.owner ?? 'an unassigned customer'} yet.`, '', reasonText(a, v.currency, v.comment)].join('\n'),
        fields: figures(a, v.currency),
        footer,
        visibility: 'channel',
      };
    }
    case 'recover': {
      let why = `${v.name ?? a.customer_id} is no longer ${a.kind === 'silent' ? 'quiet' : 'slipping'}.`;
      if (a.resolution === 'bought again')
        why = `${v.name ?? a.customer_id} bought again${v.lastPurchaseDay !== undefined && v.lastPurchaseDay !== null ? ` on ${humanDay(v.lastPurchaseDay)}` : ''}.`;
      else if (a.resolution === 'risk fell')
        why = `Churn risk is back to ${v.currentRisk !== undefined && v.currentRisk !== null ? Math.round(v.currentRisk) : 'below the threshold'}, under the threshold of ${d.threshold ?? 60}.`;
      return { title: `Recovered · ${kind}: ${who}`, text: `${why} Alert #${a.alert_id} is resolved.`, visibility: 'channel' };
    }
    case 'claimed':
      return { title: `Claimed · ${kind}: ${who}`, text: `${v.claimedBy ?? 'Someone'} is on it.`, footer, visibility: 'channel' };
  }
}
