// The platform-neutral answer every command returns. Renderers (console text, Slack Block Kit,
// Discord embeds) turn it into a platform's format; no command knows which one.
import type { ErrorCode } from './errors.ts';

export type Visibility = 'private' | 'channel';

export interface ReplyField {
  label: string;
  value: string;
  /** Personal data (email, phone): removed when the reply is shared into a channel. */
  pii?: boolean;
  inline?: boolean;
}

export interface ReplyColumn {
  label: string;
  align?: 'left' | 'right';
  pii?: boolean;
}

export interface ReplyTable {
  title?: string;
  columns: ReplyColumn[];
  rows: string[][];
  /** How many rows exist in all, when `rows` is a prefix ("showing 10 of 240"). */
  total?: number;
}

export interface ChartSeries {
  name: string;
  points: { x: string; y: number | null }[];
}

export interface ReplyChart {
  kind: 'line' | 'bar';
  title: string;
  xLabel?: string;
  yLabel?: string;
  series: ChartSeries[];
}

/** What pressing a button does; adapters encode it in the platform's button value. */
export type ButtonAction =
  | { kind: 'run'; command: string }
  | { kind: 'share'; command: string }
  | { kind: 'feedback-form'; customerId?: string };

export interface ReplyButton {
  label: string;
  action: ButtonAction;
  style?: 'primary' | 'danger';
}

export interface Reply {
  title?: string;
  /** Plain text with light markdown (**bold**, `code`); lines separated by \n. */
  text?: string;
  fields?: ReplyField[];
  tables?: ReplyTable[];
  chart?: ReplyChart;
  buttons?: ReplyButton[];
  /** Small print under the answer: data freshness, notes. */
  footer?: string;
  visibility: Visibility;
  error?: { code: ErrorCode; message: string; hint?: string; incidentId?: string };
}

export const EMAIL_OR_PHONE = /[\w.+-]+@[\w-]+\.[\w.-]+|\+?\(?\d[\d\s().-]{7,}\d/g;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/;

/** Hides emails and phone numbers; dates (2026-11-16) and short numbers are not phone numbers. */
export function scrubPersonalData(text: string): string {
  return text.replace(EMAIL_OR_PHONE, (m) => {
    if (m.includes('@')) return '[hidden]';
    const digits = m.replace(/\D/g, '').length;
    return DATE_LIKE.test(m.trim()) || digits < 9 ? m : '[hidden]';
  });
}

/** The same answer without personal data, for sharing in a channel. */
export function withoutPersonalData(reply: Reply): Reply {
  const scrub = scrubPersonalData;
  const tables = reply.tables?.map((t) => {
    const keep = t.columns.map((c) => !c.pii);
    return {
      ...t,
      columns: t.columns.filter((_, i) => keep[i]),
      rows: t.rows.map((r) => r.filter((_, i) => keep[i]).map(scrub)),
    };
  });
  const out: Reply = {
    ...reply,
    visibility: 'channel',
  };
  delete out.buttons;
  if (reply.title !== undefined) out.title = scrub(reply.title);
  if (reply.text !== undefined) out.text = scrub(reply.text);
  if (reply.fields) out.fields = reply.fields.filter((f) => !f.pii).map((f) => ({ ...f, value: scrub(f.value) }));
  if (tables) out.tables = tables;
  return out;
}

export function textReply(text: string, visibility: Visibility = 'private'): Reply {
  return { text, visibility };
}
