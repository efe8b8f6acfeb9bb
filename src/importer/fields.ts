// Field parsers for messy exports: each returns a value, or a stable code (what the summary groups
// by) and a reason a person can act on.
import type { ParsedDate } from '../core/time.ts';
import { parseAnyDate, type DateOrder } from './dates.ts';

export type FieldCode =
  | 'missing'
  | 'too-long'
  | 'not-a-number'
  | 'not-a-whole-number'
  | 'not-a-date'
  | 'date-order-needed'
  | 'not-an-email'
  | 'not-positive'
  | 'out-of-scale'
  | 'bad-scale';

export type FieldResult<T> = { ok: true; value: T } | { ok: false; code: FieldCode; reason: string };

const fail = (code: FieldCode, reason: string) => ({ ok: false as const, code, reason });

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const SIMPLE = /^-?\d+(\.\d+)?$/;
const COMMA_THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const DOT_THOUSANDS = /^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/;
const COMMA_DECIMAL = /^[+-]?\d*,\d+$/;
const SPACES = /[\s\u00a0\u202f']/g;
const CURRENCY = /^[$€£¥₹₩₽]|^(USD|EUR|GBP|CNY|JPY|CHF|CAD|AUD|INR)\s*|\s*(USD|EUR|GBP|CNY|JPY|CHF|CAD|AUD|INR|[$€£¥₹₩₽])$/i;

/**
 * `1234.50`, `-19.99`, `1,234.50`, `$12.00`, `(12.00)` (an accounting refund), `12,50` → number.
 * With `decimalComma` (files whose delimiter is `;`, as Excel writes them where the comma is the
 * decimal mark) `1.234,50` and `1,5` read the European way.
 */
export function parseAmount(raw: string, decimalComma = false): FieldResult<number> {
  if (SIMPLE.test(raw) && !(decimalComma && DOT_THOUSANDS.test(raw))) return { ok: true, value: Number(raw) };
  let s = raw.trim();
  if (s === '') return fail('missing', 'is empty');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith('-') && CURRENCY.test(s.slice(1))) {
    negative = !negative;
    s = s.slice(1);
  }
  s = s.replace(CURRENCY, '').trim().replace(SPACES, '');
  if (decimalComma) {
    if (DOT_THOUSANDS.test(s)) s = s.replace(/\./g, '').replace(',', '.');
    else if (COMMA_DECIMAL.test(s)) s = s.replace(',', '.');
  } else if (COMMA_THOUSANDS.test(s)) s = s.replace(/,/g, '');
  else if (COMMA_DECIMAL.test(s)) s = s.replace(',', '.'); // not a thousands group, so a decimal comma
  if (!PLAIN_NUMBER.test(s)) return fail('not-a-number', `"${raw}" is not a number (e.g. 1234.50)`);
  const v = Number(s);
  if (!Number.isFinite(v)) return fail('not-a-number', `"${raw}" is not a finite number`);
  return { ok: true, value: negative ? -v : v };
}

export function parseInteger(raw: string): FieldResult<number> {
  const s = raw.trim();
  if (!/^[+-]?\d+(\.0+)?$/.test(s)) return s === '' ? fail('missing', 'is empty') : fail('not-a-whole-number', `"${raw}" is not a whole number`);
  return { ok: true, value: Number(s) };
}

const ZERO_FRACTION = /^([+-]?\d+)\.0+$/;

/**
 * An id: trimmed, at most 200 characters; a number written with a zero fraction (`17850.0`, as
 * spreadsheets turn integer columns into floats) is the same id as the number (`17850`).
 */
export function parseId(raw: string | undefined): FieldResult<string> {
  if (raw === undefined) return fail('missing', 'is missing');
  let s = raw.length > 0 && raw.charCodeAt(0) > 32 && raw.charCodeAt(raw.length - 1) > 32 ? raw : raw.trim();
  if (s === '') return fail('missing', 'is missing');
  if (s.length > 200) return fail('too-long', 'is longer than 200 characters');
  if (s.charCodeAt(s.length - 1) === 48 && s.includes('.')) {
    const m = ZERO_FRACTION.exec(s);
    if (m) s = m[1]!;
  }
  return { ok: true, value: s };
}

export function parseDateField(raw: string, timeZone: string, order: DateOrder | undefined): FieldResult<ParsedDate> {
  const s = raw.trim();
  if (s === '') return fail('missing', 'is empty');
  const d = parseAnyDate(s, timeZone, order);
  if (d === 'order-needed') {
    return fail('date-order-needed', `"${raw}" could be month/day or day/month; say which with --date-format mdy or --date-format dmy`);
  }
  if (!d) return fail('not-a-date', `"${raw}" is not a date (use ISO-8601 like 2024-03-05 or 2024-03-05T14:30:00Z, YYYYMMDD, or a slash date)`);
  return { ok: true, value: d };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseEmail(raw: string): FieldResult<string | null> {
  const s = raw.trim();
  if (s === '') return { ok: true, value: null };
  if (!EMAIL.test(s)) return fail('not-an-email', `"${raw}" is not an email address`);
  return { ok: true, value: s.toLowerCase() };
}
