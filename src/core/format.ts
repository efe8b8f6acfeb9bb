// How numbers, money and days read in chat. One place, so every command says them the same way.
import { formatDay } from './time.ts';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const moneyFormats = new Map<string, { exact: Intl.NumberFormat; short: Intl.NumberFormat }>();

/**
 * An amount in the store's currency (PULSE_CURRENCY, ISO 4217): `$1,234.50`, `£96.2K`, `¥1,235`;
 * from 100,000 on in the short form. The currency's own minor units (none for JPY).
 * @example formatMoney(1234.5, 'GBP') // '£1,234.50'
 */
export function formatMoney(v: number, currency: string): string {
  let f = moneyFormats.get(currency);
  if (!f) {
    const base = { style: 'currency', currency, currencyDisplay: 'narrowSymbol' } as const;
    f = { exact: new Intl.NumberFormat('en-US', base), short: new Intl.NumberFormat('en-US', { ...base, notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 }) };
    moneyFormats.set(currency, f);
  }
  const sign = v < 0 ? '−' : '';
  const abs = Math.abs(v);
  return sign + (abs >= 100_000 ? f.short : f.exact).format(abs);
}

/** The currency's symbol alone (`$`, `£`), for axis titles. */
export function currencySymbol(currency: string): string {
  return formatMoney(0, currency).replace(/[\d.,\s]/g, '');
}

export function formatCount(v: number): string {
  return integer.format(v);
}

export function formatPercent(share: number, digits = 0): string {
  return `${(share * 100).toFixed(digits)}%`;
}

export function formatNumber(v: number, digits = 1): string {
  return Number.isInteger(v) ? integer.format(v) : v.toFixed(digits);
}

/** `2024-03-05 (12 days ago)` */
export function formatDayAgo(day: number, today: number): string {
  const ago = today - day;
  const rel = ago === 0 ? 'today' : ago === 1 ? 'yesterday' : ago > 0 ? `${formatCount(ago)} days ago` : `in ${formatCount(-ago)} days`;
  return `${formatDay(day)} (${rel})`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Cut a string to `max` characters with an ellipsis. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, Math.max(0, max - 1)) + '…';
}

/** How a customer is named in a list: `Acme Ltd (C00042)`, or the id alone when there is no name (an id twice reads as noise). */
export function customerLabel(c: { name: string | null; customer_id: string }): string {
  const name = c.name?.trim();
  return name && name !== c.customer_id ? `${name} (${c.customer_id})` : c.customer_id;
}
