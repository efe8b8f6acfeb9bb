// What each kind of file's rows must hold, and how a record becomes the values the store writes.
// A row arrives as `cells`, one per column of COLUMNS[kind] (undefined: the file has no such
// column), is checked field by field, and lands in a PackedRowsBuilder with a mask of the columns
// the file carries, so a partial file updates only those. Reasons name the field; codes group them.
import { createHash } from 'node:crypto';
import type { ParsedDate } from '../core/time.ts';
import { COLUMNS, type FileKind } from './columns.ts';
import type { DateOrder } from './dates.ts';
import { parseAmount, parseDateField, parseEmail, parseId, parseInteger, type FieldResult } from './fields.ts';
import { CONTENT_ID } from '../db/bulk.ts';
import type { Layout, PackedRowsBuilder } from './packed-rows.ts';

export interface RowProblem {
  field: string;
  code: string;
  reason: string;
}

/** The values each kind writes, one letter per column (`s` text, `n` number); see db/bulk.ts TABLES. */
export const LAYOUTS: Record<FileKind, Layout> = {
  customers: 'sssssss', // customer_id name email company owner created_at attributes
  orders: 'sssnns', // order_id customer_id ordered_at day amount attributes
  'order-items': 'ssnns', // order_id product quantity unit_price attributes
  feedback: 'sssnssssns', // feedback_id customer_id scale score comment author platform created_at day attributes
  // order_id customer_id ordered_at day product sku quantity unit_price name email company owner country attributes
  transactions: 'sssnssnnssssss',
};

export interface RowOptions {
  kind: FileKind;
  timeZone: string;
  dateOrder: DateOrder | undefined;
  /** Amounts like `1.234,50`: files delimited by `;` come from places where the comma is the decimal mark. */
  decimalComma: boolean;
  /** Transactions without a customer id column: the email is the customer. */
  customerIsEmail?: boolean;
  /** Filled as rows pass: the newest order day seen (orders and transactions). */
  stats?: { newestOrderDay?: number };
}

/** Extra columns of one row: key → text, or null for an empty cell (which clears the key). */
export type Extras = Record<string, string | null> | null;

export type RowCheck = (
  cells: (string | undefined)[],
  extras: Extras,
  line: number,
  raw: string | undefined,
  out: PackedRowsBuilder,
) => RowProblem[] | undefined;

const text = (s: string | undefined): string | null => {
  if (s === undefined) return null;
  const t = s.trim();
  return t === '' ? null : t;
};
const bit = (present: boolean, i: number) => (present ? 1 << i : 0);
const attributesJson = (extras: Extras): string | null => (extras ? JSON.stringify(extras) : null);

class Problems {
  list: RowProblem[] | undefined;
  take<T>(field: string, r: FieldResult<T>): T | undefined {
    if (r.ok) return r.value;
    (this.list ??= []).push({ field, code: r.code, reason: r.reason });
    return undefined;
  }
  add(field: string, code: string, reason: string): void {
    (this.list ??= []).push({ field, code, reason });
  }
}

export function rowCheck(o: RowOptions): RowCheck {
  // The lines of one order share its time: the date read last is often the one asked for next.
  let lastText: string | undefined;
  let lastDate: FieldResult<ParsedDate> | undefined;
  const date = (s: string) => {
    if (s !== lastText) {
      lastText = s;
      lastDate = parseDateField(s, o.timeZone, o.dateOrder);
    }
    return lastDate!;
  };
  const amount = (s: string) => parseAmount(s, o.decimalComma);
  const missing = (): FieldResult<never> => ({ ok: false, code: 'missing', reason: 'is missing' });
  switch (o.kind) {
    case 'customers':
      return (c, extras, line, raw, out) => {
        const p = new Problems();
        const id = p.take('customer_id', parseId(c[0]));
        const email = c[2] === undefined ? null : p.take('email', parseEmail(c[2]));
        const created = c[5] === undefined || c[5].trim() === '' ? null : p.take('created_at', date(c[5]))?.iso;
        if (p.list) return p.list;
        out.str(id!);
        out.str(text(c[1]));
        out.str(email ?? null);
        out.str(text(c[3]));
        out.str(text(c[4]));
        out.str(created ?? null);
        out.str(attributesJson(extras));
        const present =
          1 | bit(c[1] !== undefined, 1) | bit(c[2] !== undefined, 2) | bit(c[3] !== undefined, 3) | bit(c[4] !== undefined, 4) | bit(c[5] !== undefined, 5);
        out.endRow(line, present | bit(extras !== null, 6), raw);
        return undefined;
      };
    case 'orders':
      return (c, extras, line, raw, out) => {
        const p = new Problems();
        const id = p.take('order_id', parseId(c[0]));
        const customer = p.take('customer_id', parseId(c[1]));
        const at = p.take('ordered_at', c[2] === undefined ? missing() : date(c[2]));
        const value = p.take('amount', c[3] === undefined ? missing() : amount(c[3]));
        if (p.list) return p.list;
        out.str(id!);
        out.str(customer!);
        out.str(at!.iso);
        out.num(at!.day);
        if (o.stats && !(at!.day <= (o.stats.newestOrderDay ?? -Infinity))) o.stats.newestOrderDay = at!.day;
        out.num(value!);
        out.str(attributesJson(extras));
        out.endRow(line, 0b11111 | bit(extras !== null, 5), raw);
        return undefined;
      };
    case 'order-items':
      return (c, extras, line, raw, out) => {
        const p = new Problems();
        const order = p.take('order_id', parseId(c[0]));
        const named = text(c[1]);
        const sku = text(c[2]);
        const product = p.take('product', parseId(named ?? sku ?? undefined));
        let quantity = c[3] === undefined || c[3].trim() === '' ? 1 : p.take('quantity', amount(c[3]));
        if (quantity !== undefined && !(quantity > 0)) {
          p.add('quantity', 'not-positive', 'must be more than 0');
          quantity = undefined;
        }
        const price = c[4] === undefined || c[4].trim() === '' ? 0 : p.take('unit_price', amount(c[4]));
        if (p.list) return p.list;
        // Beside a product name, the code is kept as the item's `sku`.
        const withSku = named && sku ? { ...extras, sku } : extras;
        out.str(order!);
        out.str(product!);
        out.num(quantity!);
        out.num(price!);
        out.str(attributesJson(withSku));
        out.endRow(line, 0b11 | bit(c[3] !== undefined, 2) | bit(c[4] !== undefined, 3) | bit(withSku !== null, 4), raw);
        return undefined;
      };
    case 'feedback':
      // COLUMNS.feedback: feedback_id customer_id score scale comment author created_at platform
      return (c, extras, line, raw, out) => {
        const p = new Problems();
        const customer = p.take('customer_id', parseId(c[1]));
        const score = p.take('score', c[2] === undefined ? missing() : parseInteger(c[2]));
        const scaleText = (c[3] ?? '').trim().toLowerCase();
        if (scaleText !== '' && scaleText !== 'csat' && scaleText !== 'nps')
          p.add('scale', 'bad-scale', `"${c[3]}" is not a scale: use csat (1–5) or nps (0–10)`);
        const at = p.take('created_at', c[6] === undefined ? missing() : date(c[6]));
        if (p.list) return p.list;
        // A survey export without a scale: 0–10 answers are NPS, 1–5 are CSAT.
        const scale: 'csat' | 'nps' = scaleText === 'csat' || scaleText === 'nps' ? scaleText : score! > 5 || score === 0 ? 'nps' : 'csat';
        const [lo, hi] = scale === 'csat' ? [1, 5] : [0, 10];
        if (score! < lo || score! > hi)
          return [{ field: 'score', code: 'out-of-scale', reason: `${score} is outside the ${scale.toUpperCase()} scale ${lo}–${hi}` }];
        const comment = text(c[4]);
        const given = c[0] === undefined ? null : parseId(c[0]);
        const id = given?.ok ? given.value : feedbackId(customer!, scale, score!, comment, at!.iso);
        out.str(id);
        out.str(customer!);
        out.str(scale);
        out.num(score!);
        out.str(comment);
        out.str(text(c[5]));
        out.str(text(c[7]));
        out.str(at!.iso);
        out.num(at!.day);
        out.str(attributesJson(extras));
        const present = 0b1111 | bit(c[4] !== undefined, 4) | bit(c[5] !== undefined, 5) | bit(c[7] !== undefined, 6) | 0b110000000;
        out.endRow(line, present | bit(extras !== null, 9) | (given?.ok ? 0 : CONTENT_ID), raw);
        return undefined;
      };
    case 'transactions':
      return transactionLineCheck(o, date, amount);
  }
}

/** Transaction columns that belong to the order, not the line: customer_id ordered_at name email company owner country. */
const ORDER_LEVEL = [1, 2, 8, 9, 10, 11, 12];

/** COLUMNS.transactions: order_id customer_id ordered_at product sku quantity unit_price line_total name email company owner country */
function transactionLineCheck(o: RowOptions, date: (s: string) => FieldResult<ParsedDate>, amount: (s: string) => FieldResult<number>): RowCheck {
  const byEmail = o.customerIsEmail === true;
  // Shops write the order's own fields (customer, date, billing details) on its first line only:
  // a blank one on the next line of the same order takes the value from the line above.
  let previousOrder: string | undefined;
  let previous: (string | undefined)[] = [];
  return (c, extras, line, raw, out) => {
    const orderText = c[0]?.trim();
    if (orderText && orderText === previousOrder) {
      for (const k of ORDER_LEVEL) if (c[k] !== undefined && c[k]!.trim() === '' && previous[k]) c[k] = previous[k];
    }
    previousOrder = orderText;
    previous = c;
    const p = new Problems();
    const email = c[9] === undefined ? null : p.take('email', parseEmail(c[9]));
    const customer = byEmail
      ? p.take('email', email ? { ok: true, value: email } : { ok: false, code: 'missing', reason: 'is empty: the line names no customer' })
      : p.take(
          'customer_id',
          c[1] === undefined || c[1].trim() === '' ? { ok: false, code: 'missing', reason: 'is empty: the line names no customer' } : parseId(c[1]),
        );
    const order = p.take('order_id', parseId(c[0]));
    const at = p.take('ordered_at', c[2] === undefined ? { ok: false, code: 'missing', reason: 'is missing' } : date(c[2]));
    const named = text(c[3]);
    const sku = text(c[4]);
    const product = p.take('product', parseId(named ?? sku ?? undefined));
    const quantity = c[5] === undefined || c[5].trim() === '' ? 1 : p.take('quantity', amount(c[5]));
    let price: number | undefined;
    if (c[6] !== undefined) price = p.take('unit_price', amount(c[6]));
    else {
      const total = p.take('line_total', c[7] === undefined ? { ok: false, code: 'missing', reason: 'is missing' } : amount(c[7]));
      if (total !== undefined && quantity !== undefined) price = quantity === 0 ? 0 : total / quantity;
    }
    if (p.list) return p.list;
    out.str(order!);
    out.str(customer!);
    out.str(at!.iso);
    out.num(at!.day);
    if (o.stats && !(at!.day <= (o.stats.newestOrderDay ?? -Infinity))) o.stats.newestOrderDay = at!.day;
    out.str(named ?? sku);
    out.str(named ? sku : null);
    out.num(quantity!);
    out.num(price!);
    out.str(text(c[8]));
    out.str(email ?? null);
    out.str(text(c[10]));
    out.str(text(c[11]));
    out.str(text(c[12]));
    out.str(attributesJson(extras));
    out.endRow(line, -1 & ~CONTENT_ID, raw);
    return undefined;
  };
}

/** Our columns of a kind, in the order `cells` holds them. */
export function columnsOf(kind: FileKind): readonly string[] {
  return COLUMNS[kind];
}

/**
 * Feedback files rarely carry an id: the content is the identity (re-importing changes nothing).
 * Identical rows are told apart by their place among the identical rows (db/bulk.ts).
 */
export function feedbackId(customerId: string, scale: string, score: number, comment: string | null, createdAt: string): string {
  return (
    'fb_' +
    createHash('sha1')
      .update([customerId, scale, score, comment ?? '', createdAt].join('\u0000'))
      .digest('hex')
      .slice(0, 20)
  );
}
