// What an admin may set with `/alerts settings key:value …`, how each value is written and read,
// and the defaults. Pure: the command stores the normalised text, everything else reads
// `AlertSettings`. Channels arrive already resolved (`slack:C123`), by the command.
import { invalidArgs } from '../core/errors.ts';
import { formatPercent } from '../core/format.ts';
import { DEFAULT_LIFECYCLE_RULES } from '../analytics/lifecycle.ts';

export interface QuietHours {
  /** Local hour (0–23) quiet hours start… */
  from: number;
  /** …and end (exclusive): `22-07` is 22:00 to 07:00. */
  to: number;
}

export interface AlertSettings {
  /** The team's alert channel (`slack:C123`, `discord:123`): alerts whose owner has no chat identity. */
  channel: string | null;
  /** Where unclaimed alerts are escalated; the team's channel when unset. */
  managers: string | null;
  /** Unclaimed this long after the owner was told: escalated, once. Null: never. */
  escalateAfterMs: number | null;
  /** No direct message to an owner in these local hours (their zone); null: any time. */
  quietHours: QuietHours | null;
  /** The churn-risk threshold `slipping` crosses. */
  risk: number;
  /** Alerts are about the customers in this top share: by value at risk (`slipping`), by worth (`detractor`, `silent`). */
  topShare: number;
  /** `silent`: no purchase for more than this many times the customer's usual gap. */
  silentGaps: number;
}

export const ALERT_SETTING_KEYS = ['channel', 'managers', 'escalate-after', 'quiet-hours', 'risk', 'top-share', 'silent-after'] as const;
export type AlertSettingKey = (typeof ALERT_SETTING_KEYS)[number];

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = Object.freeze({
  channel: null,
  managers: null,
  escalateAfterMs: 2 * 86_400_000,
  quietHours: Object.freeze({ from: 22, to: 7 }),
  risk: DEFAULT_LIFECYCLE_RULES.atRiskRisk,
  topShare: 0.2,
  silentGaps: 3,
});

export const SETTING_HELP: Record<AlertSettingKey, string> = {
  channel: 'the team’s alert channel, for customers whose owner has no chat identity (a channel mention, `slack:C…`, `discord:…`, `off`)',
  managers: 'where unclaimed alerts are escalated (default: the team’s channel)',
  'escalate-after': 'how long an alert may stay unclaimed before it is escalated, once (`2d`, `36h`, `off`)',
  'quiet-hours': 'no direct messages in these hours of the owner’s zone (`22-07`, `off`)',
  risk: 'the churn-risk threshold a `slipping` customer crosses (1–99)',
  'top-share': 'alerts cover the customers in this top share: by value at risk (`slipping`), by worth (`detractor`, `silent`) (`20%`)',
  'silent-after': '`silent`: a repeat customer quiet for more than this many usual gaps (`3x`)',
};

const OFF = /^(off|none|never|no|clear)$/i;

/** A duration as people write it: `2d`, `36h`, `90m`, `1w`, `1d12h`. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!/^(\d+(\.\d+)?(w|d|h|m|min|mins|minutes?|hours?|days?|weeks?))+$/.test(t)) return undefined;
  const unit: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };
  let ms = 0;
  for (const [, n, u] of t.matchAll(/(\d+(?:\.\d+)?)([a-z]+)/g)) ms += Number(n) * unit[u![0]!]!;
  return ms;
}

/** `2 days`, `36 hours`, `90 minutes`: whole units, rounded the way people say them. */
export function formatDuration(ms: number): string {
  const pick = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return pick(Math.max(1, minutes), 'minute');
  const hours = Math.round(ms / 3_600_000);
  if (hours % 24 === 0 || hours >= 48) return pick(Math.round(hours / 24), 'day');
  return pick(hours, 'hour');
}

/**
 * The stored text of a setting from what an admin typed (channels already resolved to
 * `platform:id` by the caller), or INVALID_ARGS saying what is expected.
 */
export function normaliseSetting(key: AlertSettingKey, text: string): string {
  const t = text.trim();
  switch (key) {
    case 'channel':
    case 'managers':
      if (OFF.test(t)) return 'off';
      if (!/^(slack|discord):\S+$/.test(t)) throw invalidArgs(`\`${key}:\` takes a Slack or Discord channel, or \`off\`.`);
      return t;
    case 'escalate-after': {
      if (OFF.test(t)) return 'off';
      const ms = parseDuration(t);
      if (ms === undefined || ms < 3_600_000 || ms > 90 * 86_400_000)
        throw invalidArgs(`\`escalate-after:${t}\` is not a time I can use.`, 'Write it like `2d`, `36h` or `1w` (at least an hour, at most 90 days), or `off`.');
      return `${ms / 60_000}m`;
    }
    case 'quiet-hours': {
      if (OFF.test(t)) return 'off';
      const m = /^(\d{1,2})(?::00)?\s*[-–to]+\s*(\d{1,2})(?::00)?$/i.exec(t);
      const from = m ? Number(m[1]) : NaN;
      const to = m ? Number(m[2]) : NaN;
      if (!(from >= 0 && from <= 23 && to >= 0 && to <= 23) || from === to)
        throw invalidArgs(`\`quiet-hours:${t}\` is not a range of hours.`, 'Write it like `22-07` (from 22:00 to 07:00 in the owner’s zone), or `off`.');
      return `${pad(from)}-${pad(to)}`;
    }
    case 'risk': {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 1 || n > 99) throw invalidArgs(`\`risk:${t}\` is not a churn-risk threshold.`, 'It is a whole number from 1 to 99 (default 60).');
      return String(n);
    }
    case 'top-share': {
      const pct = /%$/.test(t) ? Number(t.slice(0, -1)) : Number(t) <= 1 ? Number(t) * 100 : Number(t);
      if (!(pct > 0 && pct <= 100) || !/^\d+(\.\d+)?%?$/.test(t))
        throw invalidArgs(`\`top-share:${t}\` is not a share.`, 'Write a percentage like `20%` (more than 0, at most 100).');
      return `${Math.round(pct * 10) / 10}%`;
    }
    case 'silent-after': {
      const n = Number(t.replace(/x$/i, ''));
      if (!(n >= 1.5 && n <= 20)) throw invalidArgs(`\`silent-after:${t}\` is not a number of usual gaps.`, 'Write it like `3x` (from 1.5 to 20).');
      return `${n}x`;
    }
  }
}

/** Settings from the stored rows (a row that no longer reads is ignored: the default stands). */
export function settingsFromRows(rows: readonly { key: string; value: string }[]): AlertSettings {
  const s: AlertSettings = { ...DEFAULT_ALERT_SETTINGS };
  for (const { key, value } of rows) {
    try {
      apply(s, key as AlertSettingKey, normaliseSetting(key as AlertSettingKey, value));
    } catch {
      /* a value written by a newer or older Pulse: keep the default */
    }
  }
  return s;
}

function apply(s: AlertSettings, key: AlertSettingKey, v: string): void {
  const off = v === 'off';
  if (key === 'channel') s.channel = off ? null : v;
  else if (key === 'managers') s.managers = off ? null : v;
  else if (key === 'escalate-after') s.escalateAfterMs = off ? null : parseDuration(v)!;
  else if (key === 'quiet-hours') s.quietHours = off ? null : { from: Number(v.slice(0, 2)), to: Number(v.slice(3, 5)) };
  else if (key === 'risk') s.risk = Number(v);
  else if (key === 'top-share') s.topShare = Number(v.slice(0, -1)) / 100;
  else if (key === 'silent-after') s.silentGaps = Number(v.slice(0, -1));
}

/** How a setting reads in `/alerts settings`. */
export function describeSetting(key: AlertSettingKey, s: AlertSettings): string {
  switch (key) {
    case 'channel':
      return s.channel ?? 'not set';
    case 'managers':
      return s.managers ?? (s.channel ? `not set (the team’s channel, ${s.channel})` : 'not set');
    case 'escalate-after':
      return s.escalateAfterMs === null ? 'off (never escalated)' : formatDuration(s.escalateAfterMs);
    case 'quiet-hours':
      return s.quietHours ? `${pad(s.quietHours.from)}:00–${pad(s.quietHours.to)}:00 in the owner’s zone` : 'off';
    case 'risk':
      return String(s.risk);
    case 'top-share':
      return formatPercent(s.topShare, Math.abs(s.topShare * 100 - Math.round(s.topShare * 100)) < 1e-9 ? 0 : 1);
    case 'silent-after':
      return `${s.silentGaps}× the usual gap`;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
