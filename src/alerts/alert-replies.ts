// What `/alerts` shows: a list of alerts with their state, one alert in full (its reason, where its
// messages went), and the settings. Pure: the command reads, these words.
import { formatCount, truncate } from '../core/format.ts';
import type { Reply, ReplyField } from '../core/reply.ts';
import type { AlertDeliveryRow } from '../db/alert-deliveries.ts';
import type { OwnerRow } from '../db/alert-owners.ts';
import type { AlertRow, ListedAlert } from '../db/alerts.ts';
import { formatLocal } from '../digests/cron.ts';
import { alertButtons, customerLabel, KIND_WORDS, reasonText } from './message.ts';
import { ALERT_SETTING_KEYS, describeSetting, SETTING_HELP, type AlertSettings } from './settings.ts';

/** open · claimed by Ann · snoozed until … · escalated · resolved (bought again). */
export function stateWords(a: AlertRow, names: Map<string, string>, timeZone: string): string {
  const by = (id: string | null) => (id ? names.get(id) ?? id : 'someone');
  switch (a.state) {
    case 'resolved':
      return `resolved (${a.resolution === 'risk fell' ? 'risk fell under the threshold' : a.resolution === 'expired' ? 'closed after 90 days' : a.resolution ?? 'done'})`;
    case 'snoozed':
      return `snoozed until ${a.snoozed_until ? formatLocal(Date.parse(a.snoozed_until), timeZone) : '?'}`;
    case 'claimed':
      return `claimed by ${by(a.claimed_by)}${a.escalated_at ? ' (escalated)' : ''}`;
    case 'open':
      return a.escalated_at ? 'escalated' : 'open';
  }
}

export function listReply(title: string, rows: ListedAlert[], total: number, names: Map<string, string>, timeZone: string, empty: string): Reply {
  if (rows.length === 0) return { title, text: empty, visibility: 'private' };
  return {
    title,
    tables: [
      {
        columns: [{ label: '#', align: 'right' }, { label: 'Kind' }, { label: 'Customer' }, { label: 'Owner' }, { label: 'State' }, { label: 'Raised' }],
        rows: rows.map((a) => [
          String(a.alert_id),
          KIND_WORDS[a.kind],
          truncate(customerLabel({ alert: a, name: a.name, company: null }), 48),
          a.owner ?? '—',
          stateWords(a, names, timeZone),
          formatLocal(Date.parse(a.raised_at), timeZone),
        ]),
        total,
      },
    ],
    footer: '`/alerts N` shows one alert · `/alerts claim N` · `/alerts snooze N 7d`',
    visibility: 'private',
  };
}

const PURPOSE_WORDS: Record<string, string> = { raise: 'alert', reraise: 'reminder after a snooze', escalate: 'escalation', recover: 'recovered reply', claimed: 'claimed reply' };

export function oneAlertReply(a: AlertRow, who: { name: string | null; company: string | null; comment: string | null }, deliveries: AlertDeliveryRow[], names: Map<string, string>, timeZone: string, currency: string): Reply {
  const fields: ReplyField[] = [
    { label: 'State', value: stateWords(a, names, timeZone), inline: true },
    { label: 'Owner', value: a.owner ?? 'unassigned', inline: true },
    { label: 'Raised', value: `${formatLocal(Date.parse(a.raised_at), timeZone)} by ${a.raised_by}`, inline: true },
  ];
  if (deliveries.length) {
    fields.push({
      label: 'Messages',
      value: deliveries
        .map((d) => {
          const where = d.platform && d.channel ? ` → ${d.platform}:${d.channel}${d.direct ? ' (direct message)' : ''}` : '';
          const status = d.status === 'posted' ? `posted ${d.posted_at ? formatLocal(Date.parse(d.posted_at), timeZone) : ''}` : d.status === 'pending' && d.error ? `waiting: ${d.error}` : `${d.status}${d.error ? `: ${d.error}` : ''}`;
          return `${PURPOSE_WORDS[d.purpose] ?? d.purpose}${d.delivery_key.endsWith(':escalation') ? ' (escalation thread)' : ''}${where} — ${truncate(status, 160)}`;
        })
        .join('\n'),
    });
  }
  return {
    title: `Alert #${a.alert_id} · ${KIND_WORDS[a.kind]}: ${customerLabel({ alert: a, name: who.name, company: who.company })}`,
    text: reasonText(a, currency, who.comment),
    fields,
    ...(a.state === 'resolved' ? {} : { buttons: alertButtons(a) }),
    visibility: 'private',
  };
}

export function settingsReply(s: AlertSettings, owners: OwnerRow[], changed: string[], canChange: boolean): Reply {
  const linked = owners.filter((o) => o.source === 'link');
  const found = owners.filter((o) => o.source !== 'link' && o.user_id);
  const fields: ReplyField[] = ALERT_SETTING_KEYS.map((k) => ({ label: k, value: describeSetting(k, s), inline: true }));
  fields.push({
    label: 'Owners reached directly',
    value:
      [
        linked.length ? `linked: ${linked.map((o) => `${o.owner} → ${o.platform}:${o.user_id}`).join(', ')}` : '',
        found.length ? `found by email or name: ${formatCount(found.length)}` : '',
      ]
        .filter(Boolean)
        .join('\n') || 'none yet: alerts go to the team’s channel until owners are linked (`/pulse link owner:"NAME" @someone`) or found by email',
  });
  const help = ALERT_SETTING_KEYS.map((k) => `\`${k}:\` ${SETTING_HELP[k]}`).join('\n');
  return {
    title: changed.length ? 'Alert settings changed' : 'Alert settings',
    text: changed.length
      ? `${changed.map((c) => `• ${c}`).join('\n')}\nThresholds apply from the next refresh; routes and times at once.`
      : canChange
        ? `Change one with \`/alerts settings key:value\`, e.g. \`/alerts settings channel:#sales-alerts escalate-after:3d\`.\n${help}`
        : 'Admins change these with `/alerts settings key:value`.',
    fields,
    visibility: 'private',
  };
}
