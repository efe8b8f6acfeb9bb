// What both stores' refresh reads share: per-customer lists of numbers sent as text (crossing from
// the driver into JS once per customer, not once per order) and a walk matching ids in order.
import { grown, presizedRows, type FeedbackBuilder, type OrderHistories } from './histories.ts';

/**
 * Finds ids in `sorted` for a caller that asks in the same order (both lists come from the store in
 * customer-id order): a forward walk, with a map for an id the walk cannot find (never expected).
 */
export function walker(sorted: readonly string[]): (id: string) => number {
  let p = 0;
  let map: Map<string, number> | undefined;
  return (id) => {
    const start = p;
    while (p < sorted.length && sorted[p] !== id) p++;
    if (p < sorted.length) return p;
    p = start;
    map ??= new Map(sorted.map((s, i) => [s, i]));
    return map.get(id) ?? -1;
  };
}

/**
 * One shared string per distinct value: a million customers' owners and stages are a few dozen
 * values, but the driver hands each row its own copy (with the answers' scales, 4.6M strings and
 * 130 MB of a refresh's heap at 1M customers). Past `limit` distinct values (owners unique per
 * customer), values pass through.
 */
export function interner(limit = 10_000): <T extends string | null>(value: T) => T {
  const seen = new Map<string, string>();
  return <T extends string | null>(value: T): T => {
    if (value === null) return value;
    const shared = seen.get(value);
    if (shared !== undefined) return shared as T;
    if (seen.size < limit) seen.set(value, value);
    return value;
  };
}

/** Parses "12,-3,40" into `out` from `at`; returns the index after the last number. */
export function parseIntList(text: string, out: Int32Array, at: number): number {
  let v = 0;
  let neg = false;
  let any = false;
  for (let c = 0; c < text.length; c++) {
    const ch = text.charCodeAt(c);
    if (ch === 44) {
      out[at++] = neg ? -v : v;
      v = 0;
      neg = false;
      any = false;
    } else if (ch === 45) neg = true;
    else {
      v = v * 10 + (ch - 48);
      any = true;
    }
  }
  if (any) out[at++] = neg ? -v : v;
  return at;
}

/**
 * Parses "12,-3,4.5" into `out` from `at`, as Number() reads each item (whole numbers of up to 15
 * digits without building a string): lists of numbers as SQLite and PostgreSQL write them (`12.5`,
 * `-3.0`, `1.0e-05`). Returns the index after the last number.
 */
export function parseNumbers(text: string, out: Float64Array, at: number): number {
  let v = 0;
  let neg = false;
  let digits = 0;
  let plain = true;
  let start = 0;
  for (let c = 0; c <= text.length; c++) {
    const ch = c === text.length ? 44 : text.charCodeAt(c);
    if (ch === 44) {
      out[at++] = plain && digits > 0 && digits <= 15 ? (neg ? -v : v) : Number(text.slice(start, c));
      v = 0;
      neg = false;
      digits = 0;
      plain = true;
      start = c + 1;
    } else if (ch >= 48 && ch <= 57) {
      v = v * 10 + (ch - 48);
      digits++;
    } else if (ch === 45 && c === start) neg = true;
    else plain = false;
  }
  return at;
}

/**
 * Parses a list of amounts as `CENTS_AMOUNT` writes them: whole cents as an integer ("1999" is
 * 19.99), any other amount as "f" and its text ("f0.125"). Equal to the stored doubles: SQLite
 * writes cents only when the amount is exactly cents / 100.0, the division done here.
 */
export function parseCentsList(text: string, out: Float64Array, at: number): number {
  let v = 0;
  let neg = false;
  let start = 0;
  let float = false;
  for (let c = 0; c <= text.length; c++) {
    const ch = c === text.length ? 44 : text.charCodeAt(c);
    if (ch === 44) {
      out[at++] = float ? Number(text.slice(start + 1, c)) : (neg ? -v : v) / 100;
      v = 0;
      neg = false;
      float = false;
      start = c + 1;
    } else if (float) continue;
    else if (ch === 45) neg = true;
    else if (ch === 102) float = true;
    else v = v * 10 + (ch - 48);
  }
  return at;
}

/**
 * An order's amount as parseCentsList reads it. Turning a double into text is most of what
 * grouping a store's orders costs SQLite (3.3 of 4.7 s for 9.5M orders); an integer is cheap.
 */
export const CENTS_AMOUNT = "CASE WHEN abs(amount) < 1e13 AND round(amount * 100) / 100.0 = amount THEN cast(round(amount * 100) AS integer) ELSE 'f' || amount END";

/** group_concat follows the index order in practice, but SQL does not promise it: check, and sort if needed. */
export function sortCustomerSlice(days: Int32Array, amounts: Float64Array, from: number, to: number): void {
  let sorted = true;
  for (let i = from + 1; i < to && sorted; i++) if (days[i]! < days[i - 1]!) sorted = false;
  if (sorted) return;
  const idx = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => days[a]! - days[b]!);
  const d = idx.map((i) => days[i]!);
  const a = idx.map((i) => amounts[i]!);
  days.set(d, from);
  amounts.set(a, from);
}

/** One customer's answers as one text list of "day,nps,score,seq" quadruples (an aggregate over the feedback table; see AnswerLists). */
export const ANSWER_LIST = "group_concat(day || ',' || (scale = 'nps') || ',' || score || ',' || rowid)";

/**
 * Adds each customer's ANSWER_LIST to a FeedbackBuilder, by day, then arrival: a list per customer
 * crosses from the driver into JS once (1.6 s for 1.58M answers a row each, 0.8 s as 546k lists).
 */
export class AnswerLists {
  readonly #into: FeedbackBuilder;
  #quads = new Float64Array(4 * 64);

  constructor(into: FeedbackBuilder) {
    this.#into = into;
  }

  add(customerIndex: number, list: string): void {
    let commas = 0;
    for (let c = 0; c < list.length; c++) if (list.charCodeAt(c) === 44) commas++;
    if (commas + 1 > this.#quads.length) this.#quads = new Float64Array(2 * (commas + 1));
    const quads = this.#quads;
    const count = parseNumbers(list, quads, 0) / 4;
    inArrivalOrder(quads, count);
    for (let k = 0; k < count; k++) this.#into.push(customerIndex, quads[4 * k]!, quads[4 * k + 1] ? 'nps' : 'csat', quads[4 * k + 2]!);
  }
}

/**
 * Puts one customer's answers (quadruples day, nps, score, seq) in order of day, then arrival: the
 * index holds them by day, then scale and score, so only answers on one day may need sorting.
 */
function inArrivalOrder(quads: Float64Array, count: number): void {
  const before = (a: number, b: number) => quads[4 * a]! - quads[4 * b]! || quads[4 * a + 3]! - quads[4 * b + 3]!;
  let sorted = true;
  for (let k = 1; k < count && sorted; k++) if (before(k - 1, k) > 0) sorted = false;
  if (sorted) return;
  const order = Array.from({ length: count }, (_, k) => k).sort(before);
  const copy = quads.slice(0, 4 * count);
  order.forEach((from, to) => quads.set(copy.subarray(4 * from, 4 * from + 4), 4 * to));
}

/**
 * Builds every customer's order history from one row per customer that has orders — its days and
 * amounts as comma-separated text, in customer-id order — into the flat arrays the refresh uses.
 * Crossing from the driver into JS per row is the cost, not the bytes: a row per customer, not per order.
 */
export class HistoryBuilder {
  readonly #customerIds: string[];
  readonly #owners: (string | null)[];
  readonly #find: (id: string) => number;
  readonly #offsets: Int32Array;
  #days: Int32Array<ArrayBuffer>;
  #amounts: Float64Array<ArrayBuffer>;
  #k = 0;
  #last = -1;

  readonly #parseAmounts: (text: string, out: Float64Array, at: number) => number;

  /**
   * `amounts`: the lists' format, numbers as text (PostgreSQL) or CENTS_AMOUNT's (SQLite).
   * `expectedOrders`: about how many orders are coming (the last refresh's count), to allocate the
   * columns once. Grown by doubling from a million, 9.6M orders allocated and touched 360 MB for
   * 115 MB of days and amounts, and the copies between were a third of the reader's page faults.
   */
  constructor(customerIds: string[], owners: (string | null)[], amounts: 'text' | 'cents' = 'text', expectedOrders = 0) {
    // A little over the estimate: the orders imported since the last refresh.
    const size = presizedRows(expectedOrders > 0 ? expectedOrders * 1.05 + (1 << 16) : 0, 1 << 20);
    this.#days = new Int32Array(size);
    this.#amounts = new Float64Array(size);
    this.#parseAmounts = amounts === 'cents' ? parseCentsList : parseNumbers;
    this.#customerIds = customerIds;
    this.#owners = owners;
    this.#find = walker(customerIds);
    this.#offsets = new Int32Array(customerIds.length + 1);
  }

  add(customerId: string, dayList: string, amountList: string): void {
    const i = this.#find(customerId);
    if (i < 0) return; // an order whose customer is gone (cannot happen with the foreign key on)
    for (let j = this.#last + 1; j <= i; j++) this.#offsets[j] = this.#k;
    this.#last = i;
    const from = this.#k;
    let need = from + 1;
    for (let c = 0; c < dayList.length; c++) if (dayList.charCodeAt(c) === 44) need++;
    if (need > this.#days.length) {
      this.#days = grown(this.#days, need);
      this.#amounts = grown(this.#amounts, need);
    }
    this.#k = parseIntList(dayList, this.#days, from);
    this.#parseAmounts(amountList, this.#amounts, from);
    sortCustomerSlice(this.#days, this.#amounts, from, this.#k);
  }

  finish(): OrderHistories {
    const n = this.#customerIds.length;
    for (let j = this.#last + 1; j <= n; j++) this.#offsets[j] = this.#k;
    return { customerIds: this.#customerIds, owners: this.#owners, offsets: this.#offsets, days: this.#days.subarray(0, this.#k), amounts: this.#amounts.subarray(0, this.#k) };
  }
}
