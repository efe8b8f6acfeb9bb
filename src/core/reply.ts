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

/** What replaces an email address or a phone number in anything posted to a channel. */
export const HIDDEN = '[hidden]';

// Characters that change how text looks but not what it says: zero-width and soft hyphens (which
// split an address invisibly) and Slack/Discord markdown (`ann@*acme*.com` still shows the address).
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF*_~`]/u;

const AT = String.raw`(?:[@＠﹫]|%40|&#0*64;|&#x0*40;|\s*[\[({<]\s*at\s*[\])}>]\s*)`;
const DOT = String.raw`(?:[.．。]|\s*[\[({<]\s*dot\s*[\])}>]\s*)`;
const LOCAL = String.raw`(?:"[^"\n]{1,64}"|[\p{L}\p{N}!#$%&'+/=?^{}.-]+)`;
const LABEL = String.raw`[\p{L}\p{N}-]+`;
const EMAIL = new RegExp(String.raw`${LOCAL}${AT}(?:\[[\d.:a-f]+\]|${LABEL}(?:${DOT}${LABEL})*)`, 'giu');
// `ann at acme dot com`: spelled out, only with a dot spelled out too (so "meet at noon" stays).
const SPELLED_EMAIL = /[\p{L}\p{N}.+-]+\s+at\s+[\p{L}\p{N}-]+(?:\s+dot\s+[\p{L}\p{N}-]+)+/giu;
// A run of digits (any script) with the separators phone numbers are written with; no commas, so
// `$1,234,567` is money. Its digits are counted below: 7 to 15 (E.164) make a phone number.
const PHONE = /(?:tel:|\+)?(?<![\p{L}\p{N}])\(?\+?\p{Nd}(?:[ .\-–‐‑/()\u00A0]{0,3}\p{Nd})+(?:\s*(?:x|ext\.?)\s*\p{Nd}{1,5})?/giu;
const LEADING_DATE = /^(?:\p{Nd}{4}[-/.]\p{Nd}{1,2}[-/.]\p{Nd}{1,2}|\p{Nd}{1,2}[-/.]\p{Nd}{1,2}[-/.]\p{Nd}{4})(?![\p{Nd}])/u;
const YEAR_RANGE = /^(?:19|20)\d\d\s*[-–/]\s*(?:19|20)?\d\d$/u;

/**
 * Hides email addresses and phone numbers, however they are written: `ann@acme.com`,
 * `ann[at]acme[dot]com`, `ann%40acme.com`, `ＡＮＮ＠ａｃｍｅ.com`, an address split by markdown or
 * zero-width characters; `555-0199`, `+44 20 7946 0958`, `(415) 555-2671`, `0151 496 0000`,
 * `tel:+14155552671`, digits of any script. Dates (`2026-11-16`), year ranges, money (`$1,234.50`)
 * and ids longer than a phone number (Slack timestamps, Discord snowflakes) are left alone.
 */
export function scrubPersonalData(text: string): string {
  if (!text) return text;
  // Matched on a skeleton without invisible characters; the ranges are mapped back to the original.
  const keep: number[] = [];
  let skeleton = '';
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (!INVISIBLE.test(ch)) {
      skeleton += ch;
      for (let k = 0; k < ch.length; k++) keep.push(i + k);
    }
    i += ch.length;
  }
  const ranges: [number, number][] = [];
  const collect = (re: RegExp, accept: (m: string) => [number, number] | undefined) => {
    re.lastIndex = 0;
    for (let m = re.exec(skeleton); m; m = re.exec(skeleton)) {
      const r = accept(m[0]);
      if (r) ranges.push([m.index + r[0], m.index + r[1]]);
      if (m[0].length === 0) re.lastIndex++;
    }
  };
  collect(EMAIL, (m) => [0, m.length]);
  collect(SPELLED_EMAIL, (m) => [0, m.length]);
  collect(PHONE, phoneRange);
  const cut = cutTails(text);
  if (ranges.length === 0 && cut.length === 0) return text;
  // Back to positions in the original text, merged, replaced from the end.
  const spans = [...ranges.map(([a, b]) => [keep[a]!, keep[b - 1]! + 1] as [number, number]), ...cut]
    .sort((x, y) => x[0] - y[0])
    .reduce<[number, number][]>((acc, r) => {
      const last = acc[acc.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else acc.push([...r]);
      return acc;
    }, []);
  let out = text;
  for (let i = spans.length - 1; i >= 0; i--) out = out.slice(0, spans[i]![0]) + HIDDEN + out.slice(spans[i]![1]);
  return out;
}

/**
 * Text cut short for display (`…`) may have been cut inside an address or a number, where the
 * patterns no longer see it. The last few words before each cut are judged on their own (in the
 * original text: underscores and dots belong to addresses); the longest that could be the start of
 * an address or a phone number is hidden. Rarely, a harmless phrase before a cut goes too.
 */
function cutTails(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of text.matchAll(/…|\.\.\./g)) {
    const end = m.index!;
    const lineStart = Math.max(text.lastIndexOf('\n', end - 1) + 1, end - 60);
    const before = text.slice(lineStart, end);
    if (before === '' || /\s$/.test(before)) continue;
    // From the last word back: the first run that looks personal, extended while it still does.
    const starts = [...before.matchAll(/\S+/g)].map((w) => w.index!).slice(-5).reverse();
    let from: number | undefined;
    for (const start of starts) {
      const looks = cutLooksPersonal(before.slice(start).replace(/[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]/g, ''));
      if (looks) from = start;
      else if (from !== undefined) break;
    }
    if (from !== undefined) spans.push([lineStart + from, end + m[0].length]);
  }
  return spans;
}

/** Whether the run before a cut could be the start of an address or a phone number. */
function cutLooksPersonal(run: string): boolean {
  const t = run.trim();
  if (t === '') return false;
  if (/^\S*(?:[@＠﹫]|%4|&#)\S*$/.test(t)) return true; // an address cut after its at-sign
  if (/^\S+(?:\s+at(?:\s|$)|\s*[\[({<]\s*a)/i.test(t)) return true; // an address with its at spelled out
  const digits = (t.match(/\p{Nd}/gu) ?? []).length;
  // The start of a phone number: digits and its separators only, at least five digits or grouped.
  if (/^(?:tel:)?[\p{Nd}\s().+\-–‐‑/]+$/iu.test(t) && (digits >= 5 || (digits >= 3 && /\p{Nd}[\s.\-–‐‑/)]+\p{Nd}/u.test(t)))) return true;
  // An address cut before its at-sign: letters joined by dots, underscores or a plus, with no space.
  return /^[\p{L}\p{N}]+(?:[._+'][\p{L}\p{N}]*)+$/u.test(t) && !/^\p{Nd}+(?:\.\p{Nd}+)?$/u.test(t);
}

/** The part of a digit run that is a phone number, or undefined (a date, a year range, too few or too many digits). */
function phoneRange(run: string): [number, number] | undefined {
  let start = 0;
  let body = run;
  // `2026-11-16 14` (a date, then an hour), `2026-11-16 – 2026-11-22`: dates are no phone numbers,
  // what follows them may be.
  for (let date = LEADING_DATE.exec(body); date && !/^(?:tel:|\+)/i.test(body); date = LEADING_DATE.exec(body)) {
    const skip = date[0].length + /^[^\p{Nd}(+]*/u.exec(body.slice(date[0].length))![0].length;
    start += skip;
    body = body.slice(skip);
  }
  body = body.replace(/[ .\-–‐‑/\u00A0]+$/u, '');
  const digits = body.replace(/\P{Nd}/gu, '').length;
  const main = body.replace(/\s*(?:x|ext\.?)\s*\p{Nd}{1,5}$/iu, '').replace(/\P{Nd}/gu, '').length;
  if (main < 7 || main > 15 || digits === 0) return undefined;
  if (YEAR_RANGE.test(body.trim())) return undefined;
  return [start, start + body.length];
}

/**
 * The one share policy: what may leave for a channel, on any platform — a shared card, a digest,
 * an answer meant for the channel. Personal fields and columns are dropped, buttons are dropped
 * (they would re-run private lookups as whoever clicks), and every string left — title, text,
 * field labels and values, table titles, headers and cells, chart titles, labels, series and
 * points, footer, error words — goes through `scrubPersonalData`.
 */
export function withoutPersonalData(reply: Reply): Reply {
  const tables = reply.tables?.map((t) => {
    const keep = t.columns.map((c) => !c.pii);
    return { ...t, columns: t.columns.filter((_, i) => keep[i]), rows: t.rows.map((r) => r.filter((_, i) => keep[i])) };
  });
  const out: Reply = { ...reply, visibility: 'channel' };
  delete out.buttons;
  if (reply.fields) out.fields = reply.fields.filter((f) => !f.pii);
  if (tables) out.tables = tables;
  return scrubStrings(out);
}

/** Every string in a plain object tree through the scrub (numbers, booleans and keys untouched). */
function scrubStrings<T>(value: T): T {
  if (typeof value === 'string') return scrubPersonalData(value) as T;
  if (Array.isArray(value)) return value.map(scrubStrings) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubStrings(v);
    return out as T;
  }
  return value;
}

export function textReply(text: string, visibility: Visibility = 'private'): Reply {
  return { text, visibility };
}
