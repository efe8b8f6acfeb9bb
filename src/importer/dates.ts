// Dates as spreadsheets and shops write them, beside ISO-8601: `12/1/2010 8:26` (month first, US),
// `1/12/2010 08:26:00` (day first), `2010/12/01`, `01.12.2010` (always day first), with an optional
// time and AM/PM. A slash date is read month-first or day-first as `--date-format` says, or as the
// file's first rows allow (inferDateOrder); a date-time without a zone is wall-clock time in the
// store's zone, as for ISO dates.
import { dayNumber, formatDay, localDay, MS_PER_DAY, parseDate, wallTimeToInstant, type ParsedDate } from '../core/time.ts';

export type DateOrder = 'mdy' | 'dmy';

const TIME = String.raw`(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp]\.?[Mm]\.?)?)?`;
const SLASH = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})` + TIME + '$');
const YMD_SLASH = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})` + TIME + '$');
const DOTTED = new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})` + TIME + '$');

export interface SlashReadings {
  mdy: boolean;
  dmy: boolean;
}

/** For a date written `a/b/y`: which readings make a real date; undefined when it is no such date. */
export function slashReadings(text: string): SlashReadings | undefined {
  const m = SLASH.exec(text.trim());
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = Number(m[2]);
  const y = fullYear(m[3]!);
  return { mdy: validYmd(y, a, b), dmy: validYmd(y, b, a) };
}

/**
 * ISO-8601 and YYYYMMDD (core/time), then the spreadsheet shapes. Returns the date, undefined
 * when the text is no date, or 'order-needed' for a slash date read without a known order.
 */
export function parseAnyDate(text: string, timeZone: string, order: DateOrder | undefined): ParsedDate | undefined | 'order-needed' {
  const fast = utcInstant(text, timeZone);
  if (fast) return fast;
  const iso = parseDate(text, timeZone);
  if (iso) return iso;
  const s = text.trim();
  let m = SLASH.exec(s);
  if (m) {
    if (!order) return 'order-needed';
    const [mo, d] = order === 'mdy' ? [Number(m[1]), Number(m[2])] : [Number(m[2]), Number(m[1])];
    return build(fullYear(m[3]!), mo, d, m, 4, timeZone);
  }
  m = YMD_SLASH.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]), m, 4, timeZone);
  m = DOTTED.exec(s);
  if (m) return build(fullYear(m[3]!), Number(m[2]), Number(m[1]), m, 4, timeZone);
  return undefined;
}

const d2 = (s: string, i: number) => {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
};

/**
 * `2024-03-05T14:30:00.000Z`, the shape machines export (and `toISOString` writes), read with a few
 * character codes instead of regular expressions: a tenth of an import's reading time went there.
 * Anything else (or an impossible date) is left to the general parser.
 */
function utcInstant(s: string, timeZone: string): ParsedDate | undefined {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58) return undefined;
  if (s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return undefined;
  const y = d2(s, 0) * 100 + d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  const sec = d2(s, 17);
  const ms = d2(s, 20) * 10 + s.charCodeAt(22) - 48;
  if (y < 1000 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0 || s.charCodeAt(22) > 57 || !validYmd(y, mo, d))
    return undefined;
  const at = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  return { day: localDay(at, timeZone), iso: s, ms: at };
}

function build(y: number, mo: number, d: number, m: RegExpExecArray, t: number, timeZone: string): ParsedDate | undefined {
  if (!validYmd(y, mo, d)) return undefined;
  const day = dayNumber(y, mo, d);
  if (m[t] === undefined) return { day, iso: formatDay(day), ms: wallTimeToInstant(day * MS_PER_DAY, timeZone) };
  let h = Number(m[t]);
  const mi = Number(m[t + 1]);
  const sec = m[t + 2] ? Number(m[t + 2]) : 0;
  const frac = m[t + 3] ? Math.round(Number(`0.${m[t + 3]}`) * 1000) : 0;
  const ampm = m[t + 4]?.[0]?.toLowerCase();
  if (ampm) {
    if (h < 1 || h > 12) return undefined;
    if (ampm === 'a' && h === 12) h = 0;
    if (ampm === 'p' && h < 12) h += 12;
  }
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = wallTimeToInstant(day * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + frac, timeZone);
  return { day: localDay(ms, timeZone), iso: new Date(ms).toISOString(), ms };
}

/** Two-digit years as spreadsheets mean them: 00–69 → 2000s, 70–99 → 1900s. */
function fullYear(y: string): number {
  const n = Number(y);
  return y.length === 4 ? n : n < 70 ? 2000 + n : 1900 + n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1000) return false;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS_IN_MONTH[m - 1]! + (leap ? 1 : 0);
}

export interface DateEvidence {
  /** Slash dates that read only month-first, only day-first, either way; with an example of each. */
  onlyMdy: number;
  onlyDmy: number;
  either: number;
  firstMdy?: { line: number; text: string };
  firstDmy?: { line: number; text: string };
  firstEither?: { line: number; text: string };
}

export function newEvidence(): DateEvidence {
  return { onlyMdy: 0, onlyDmy: 0, either: 0 };
}

export function addEvidence(e: DateEvidence, text: string, line: number): void {
  const r = slashReadings(text);
  if (!r) return;
  if (r.mdy && r.dmy) {
    e.either++;
    e.firstEither ??= { line, text };
  } else if (r.mdy) {
    e.onlyMdy++;
    e.firstMdy ??= { line, text };
  } else if (r.dmy) {
    e.onlyDmy++;
    e.firstDmy ??= { line, text };
  }
}

/**
 * The one reading the evidence allows: { order }, nothing to decide ({}), or a file-level
 * problem naming `--date-format` when the dates allow both readings or need both.
 */
export function inferDateOrder(e: DateEvidence, rows: number): { order?: DateOrder; problem?: string } {
  if (e.onlyMdy > 0 && e.onlyDmy > 0) {
    return {
      problem:
        `the dates read month-first on line ${e.firstMdy!.line} ("${e.firstMdy!.text}") but day-first on line ${e.firstDmy!.line} ("${e.firstDmy!.text}"); ` +
        'say how to read them with --date-format mdy (month/day/year) or --date-format dmy (day/month/year)',
    };
  }
  if (e.onlyMdy > 0) return { order: 'mdy' };
  if (e.onlyDmy > 0) return { order: 'dmy' };
  if (e.either > 0) {
    return {
      problem:
        `dates such as "${e.firstEither!.text}" (line ${e.firstEither!.line}) read as month/day or as day/month, and none of the first ` +
        `${rows.toLocaleString('en-US')} rows tells which; say how to read them with --date-format mdy (month/day/year) or --date-format dmy (day/month/year)`,
    };
  }
  return {};
}
