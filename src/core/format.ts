// How numbers, money and days read in chat. One place, so every command says them the same way.
import { formatDay } from './time.ts';

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const moneyShort = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatMoney(v: number): string {
  const sign = v < 0 ? '−' : '';
  const abs = Math.abs(v);
  return abs >= 100_000 ? `${sign}$${moneyShort.format(abs)}` : `${sign}$${money.format(abs)}`;
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
