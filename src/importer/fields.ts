// Field parsers for messy exports: each returns a value or a reason a person can act on.
import { parseDate, type ParsedDate } from '../core/time.ts';

export type FieldResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const CURRENCY = /^[$€£¥]|^(USD|EUR|GBP|CNY|JPY)\s*|\s*(USD|EUR|GBP|CNY|JPY)$/i;

/** `1234.50`, `-19.99`, `1,234.50`, `$12.00`, `(12.00)` (accounting refund) → number. */
export function parseAmount(raw: string): FieldResult<number> {
  let s = raw.trim();
  if (s === '') return { ok: false, reason: 'is empty' };
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith('-') && CURRENCY.test(s.slice(1))) {
    negative = !negative;
    s = s.slice(1);
  }
  s = s.replace(CURRENCY, '').trim();
  if (THOUSANDS.test(s)) s = s.replace(/,/g, '');
  if (!PLAIN_NUMBER.test(s)) return { ok: false, reason: `"${raw}" is not a number (use a dot for decimals, e.g. 1234.50)` };
  const v = Number(s);
  if (!Number.isFinite(v)) return { ok: false, reason: `"${raw}" is not a finite number` };
  return { ok: true, value: negative ? -v : v };
}

export function parseInteger(raw: string): FieldResult<number> {
  const s = raw.trim();
  if (!/^[+-]?\d+(\.0+)?$/.test(s)) return { ok: false, reason: s === '' ? 'is empty' : `"${raw}" is not a whole number` };
  return { ok: true, value: Number(s) };
}

export function parseDateField(raw: string, timeZone: string): FieldResult<ParsedDate> {
  const s = raw.trim();
  if (s === '') return { ok: false, reason: 'is empty' };
  const d = parseDate(s, timeZone);
  if (!d) return { ok: false, reason: `"${raw}" is not a date (use ISO-8601 like 2024-03-05 or 2024-03-05T14:30:00Z, or YYYYMMDD)` };
  return { ok: true, value: d };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseEmail(raw: string): FieldResult<string | null> {
  const s = raw.trim();
  if (s === '') return { ok: true, value: null };
  if (!EMAIL.test(s)) return { ok: false, reason: `"${raw}" is not an email address` };
  return { ok: true, value: s.toLowerCase() };
}
