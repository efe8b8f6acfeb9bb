// Calendar days in a time zone. A "day number" is the count of days since 1970-01-01 of a local
// calendar date; all purchase-day arithmetic (one transaction-day per customer per local day) uses it.
export const MS_PER_DAY = 86_400_000;

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** `2024-03-05` for a day number. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

const offsetCache = new Map<string, Map<number, number>>();
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds (Berlin in summer: +7_200_000). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  let cache = offsetCache.get(timeZone);
  if (!cache) offsetCache.set(timeZone, (cache = new Map()));
  // Offsets change on whole quarter-hours at most; one lookup per 15-minute slot is exact and cheap.
  const slot = Math.floor(ms / 900_000);
  const hit = cache.get(slot);
  if (hit !== undefined) return hit;
  const parts = formatterFor(timeZone).formatToParts(new Date(slot * 900_000));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = asUtc - slot * 900_000;
  if (cache.size > 200_000) cache.clear();
  cache.set(slot, offset);
  return offset;
}

/** The local calendar day (day number) of an instant in a zone. */
export function localDay(ms: number, timeZone: string): number {
  return Math.floor((ms + zoneOffsetMs(ms, timeZone)) / MS_PER_DAY);
}

/** The instant at which the wall-clock time (given as if UTC, `wallMs`) occurs in `timeZone`. */
export function wallTimeToInstant(wallMs: number, timeZone: string): number {
  let guess = wallMs - zoneOffsetMs(wallMs, timeZone);
  const second = wallMs - zoneOffsetMs(guess, timeZone);
  if (second !== guess) guess = second;
  return guess;
}

export interface ParsedDate {
  /** Local calendar day in the zone used for parsing. */
  day: number;
  /** Normalised text to store: `YYYY-MM-DD` for a date, an ISO instant in UTC for a date-time. */
  iso: string;
  /** The instant (ms since epoch); midnight local for a date. */
  ms: number;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses ISO-8601 dates and date-times (with or without zone) and YYYYMMDD. A date-time without a
 * zone is wall-clock time in `timeZone`. Returns undefined for anything else, or an impossible date.
 */
export function parseDate(text: string, timeZone: string): ParsedDate | undefined {
  const fast = parseCanonical(text, timeZone);
  if (fast !== null) return fast;
  const s = text.trim();
  let m = DATE_ONLY.exec(s) ?? COMPACT.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!validYmd(y, mo, d)) return undefined;
    const day = dayNumber(y, mo, d);
    return { day, iso: formatDay(day), ms: wallTimeToInstant(day * MS_PER_DAY, timeZone) };
  }
  m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const sec = m[6] ? Number(m[6]) : 0;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || sec > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec) + Math.round(frac);
  let ms: number;
  const zone = m[8];
  if (!zone) ms = wallTimeToInstant(wall, timeZone);
  else if (zone.toUpperCase() === 'Z') ms = wall;
  else {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offH = Number(digits.slice(0, 2));
    const offM = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offH > 23 || offM > 59) return undefined;
    ms = wall - sign * (offH * 60 + offM) * 60_000;
  }
  return { day: localDay(ms, timeZone), iso: new Date(ms).toISOString(), ms };
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const num2 = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);
const isDigits = (s: string, positions: readonly number[]) => positions.every((i) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
});
const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];
const TIME_DIGITS = [11, 12, 14, 15, 17, 18];

/**
 * The two shapes most exports use, without regular expressions or Intl: `YYYY-MM-DD` and
 * `YYYY-MM-DDTHH:MM:SS[.sss]Z`. Null means "not this shape, use the general parser"; an impossible
 * date in this shape is undefined, as in the general parser.
 */
function parseCanonical(s: string, timeZone: string): ParsedDate | undefined | null {
  const n = s.length;
  if ((n !== 10 && n !== 20 && n !== 24) || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || !isDigits(s, DATE_DIGITS)) return null;
  const y = num2(s, 0) * 100 + num2(s, 2);
  const mo = num2(s, 5);
  const d = num2(s, 8);
  if (n === 10) {
    if (!validYmd(y, mo, d)) return undefined;
    const day = dayNumber(y, mo, d);
    return { day, iso: s, ms: wallTimeToInstant(day * MS_PER_DAY, timeZone) };
  }
  const t = s.charCodeAt(10);
  if ((t !== 84 && t !== 32) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(n - 1) !== 90 || !isDigits(s, TIME_DIGITS)) return null;
  let frac = 0;
  if (n === 24) {
    if (s.charCodeAt(19) !== 46 || !isDigits(s, [20, 21, 22])) return null;
    frac = digit(s, 20) * 100 + num2(s, 21);
  }
  const h = num2(s, 11);
  const mi = num2(s, 14);
  const sec = num2(s, 17);
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec) + frac;
  const iso = n === 24 && t === 84 ? s : new Date(ms).toISOString();
  return { day: localDay(ms, timeZone), iso, ms };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1000) return false;
  const leap = m === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  return d <= DAYS_IN_MONTH[m - 1]! + (leap ? 1 : 0);
}

/** Parse a `YYYY-MM-DD` (or YYYYMMDD) argument into a day number, or undefined. */
export function parseDayArg(text: string): number | undefined {
  const m = DATE_ONLY.exec(text.trim()) ?? COMPACT.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validYmd(y, mo, d) ? dayNumber(y, mo, d) : undefined;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
export const fixedClock = (iso: string | Date): Clock => {
  const at = new Date(iso);
  return { now: () => new Date(at) };
};
