// The shapes the refresh works on: every customer's orders in compressed-row layout, the answers
// the churn model uses, and basket items as flat index pairs. RefreshIO reads them from a store.

export interface OrderHistories {
  /** Every customer, sorted by id; index i is "customer i" in the arrays below. */
  customerIds: string[];
  owners: (string | null)[];
  /** Customer i's orders are offsets[i] … offsets[i+1]−1 of days/amounts, oldest first. */
  offsets: Int32Array;
  days: Int32Array;
  amounts: Float64Array;
}

/**
 * Every answer as columns: answer k is customer `customerIndex[k]`'s, on `day[k]`, `score[k]` on the
 * NPS scale when `nps[k]` is 1, else CSAT. 1.6M answers at 1M customers are four typed arrays here,
 * not 1.6M objects that every full garbage collection of the refresh walks.
 */
export interface FeedbackAnswers {
  readonly length: number;
  readonly customerIndex: Int32Array;
  readonly day: Int32Array;
  readonly nps: Uint8Array;
  readonly score: Float64Array;
}

export const scaleOf = (answers: FeedbackAnswers, k: number): 'csat' | 'nps' => (answers.nps[k] ? 'nps' : 'csat');

/**
 * FeedbackAnswers one answer at a time. The columns start at `expected` answers when the caller
 * knows how many are coming (the store's count): a column grown by doubling from a
 * thousand to 1.6M answers, then cut to length, allocated and touched its memory about three times.
 * Past `expected` they grow by doubling; `finish` copies them to length only when most is unused.
 */
export class FeedbackBuilder {
  #n = 0;
  #customerIndex: Int32Array<ArrayBuffer>;
  #day: Int32Array<ArrayBuffer>;
  #nps: Uint8Array<ArrayBuffer>;
  #score: Float64Array<ArrayBuffer>;

  constructor(expected = 0) {
    const size = presizedRows(expected, 1 << 10);
    this.#customerIndex = new Int32Array(size);
    this.#day = new Int32Array(size);
    this.#nps = new Uint8Array(size);
    this.#score = new Float64Array(size);
  }

  push(customerIndex: number, day: number, scale: 'csat' | 'nps', score: number): void {
    if (this.#n === this.#day.length) {
      this.#customerIndex = grown(this.#customerIndex);
      this.#day = grown(this.#day);
      this.#nps = grown(this.#nps);
      this.#score = grown(this.#score);
    }
    const k = this.#n++;
    this.#customerIndex[k] = customerIndex;
    this.#day[k] = day;
    this.#nps[k] = scale === 'nps' ? 1 : 0;
    this.#score[k] = score;
  }

  finish(): FeedbackAnswers {
    const n = this.#n;
    return { length: n, customerIndex: toLength(this.#customerIndex, n), day: toLength(this.#day, n), nps: toLength(this.#nps, n), score: toLength(this.#score, n) };
  }
}

/** The most rows a builder allocates up front on a caller's estimate (more grows as it comes). */
const MAX_PRESIZED = 1 << 27;

/** Rows a builder's columns start with: the caller's estimate, at least `least`, at most MAX_PRESIZED. */
export function presizedRows(expected: number, least: number): number {
  return Math.max(least, Math.min(Math.ceil(expected), MAX_PRESIZED));
}

/**
 * The first `n` values of a builder's column: a view when it fills most of it (no second copy), a
 * copy when most is unused (a view would keep the memory, and send all of it to a worker thread).
 */
function toLength<T extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(a: T, n: number): T {
  return (n >= a.length - (a.length >> 3) ? a.subarray(0, n) : a.slice(0, n)) as T;
}

/** No answers. */
export const noFeedback = (): FeedbackAnswers => new FeedbackBuilder().finish();

export interface BasketInput {
  orderIndex: Int32Array;
  productIndex: Int32Array;
  productIds: string[];
  /** How many identical orders each order stands for (absent: one each); see BasketTally. */
  orderWeights?: Int32Array;
}

/**
 * The basket input from whole baskets (one JSON list of products per order) counted by content: a
 * million orders of a small catalogue are a few hundred distinct baskets, each entered once with
 * its count. Excluded orders (refunds, orders after the day) are taken back out with `remove`.
 * Holds at most `limit` distinct baskets: `add` returns false past it, and the caller reads the
 * items one by one instead (BasketBuilder).
 *
 * Baskets arrive many to a string (`addLists`) and are looked up where they lie: each is hashed
 * from its characters and compared in place with the baskets of that hash. Splitting the string
 * instead made a substring per order whose hashing and comparing took more of the reading thread
 * than SQLite's grouping (9.4M orders at 1M customers). Every `add` comes before any `remove`: a
 * basket taken back to no orders still counts towards the limit.
 */
export class BasketTally {
  /** Distinct baskets by hash (FNV-1a of the characters), chained on collision. */
  readonly #byHash = new Map<number, TalliedBasket>();
  /** The same, in order of first sight (products are numbered in that order, as BasketBuilder does). */
  readonly #seen: TalliedBasket[] = [];
  readonly #limit: number;

  constructor(limit = DISTINCT_BASKETS_KEPT) {
    this.#limit = limit;
  }

  /** One order's basket; false when it would be one distinct basket too many. */
  add(basket: string): boolean {
    return this.#count(basket, 0, basket.length, hashOf(basket, 0, basket.length));
  }

  /**
   * Each basket of `lists`, one order each, separated by the character `separator` (one that never
   * occurs inside a basket); false when one would be a distinct basket too many.
   */
  addLists(lists: string, separator: string): boolean {
    for (let start = 0; start <= lists.length; ) {
      let end = lists.indexOf(separator, start);
      if (end < 0) end = lists.length;
      if (!this.#count(lists, start, end, hashOf(lists, start, end))) return false;
      start = end + 1;
    }
    return true;
  }

  /**
   * Takes back an order counted by `add` (the same list, read the same way); false when no such
   * list was counted (read otherwise: the caller reads the items one by one instead).
   */
  remove(basket: string): boolean {
    const entry = this.#find(basket, 0, basket.length, hashOf(basket, 0, basket.length));
    if (entry === undefined || entry.count === 0) return false;
    entry.count--;
    return true;
  }

  build(): BasketInput {
    const products = new Map<string, number>();
    const productIds: string[] = [];
    const orderIndex: number[] = [];
    const productIndex: number[] = [];
    const weights: number[] = [];
    for (const entry of this.#seen) {
      if (entry.count === 0) continue;
      const order = weights.length;
      for (const product of JSON.parse(entry.text) as string[]) {
        let p = products.get(product);
        if (p === undefined) {
          p = productIds.length;
          products.set(product, p);
          productIds.push(product);
        }
        orderIndex.push(order);
        productIndex.push(p);
      }
      weights.push(entry.count);
    }
    return { orderIndex: Int32Array.from(orderIndex), productIndex: Int32Array.from(productIndex), productIds, orderWeights: Int32Array.from(weights) };
  }

  /** Counts the basket at text[start, end) of hash `h`. */
  #count(text: string, start: number, end: number, h: number): boolean {
    const entry = this.#find(text, start, end, h);
    if (entry !== undefined) {
      entry.count++;
      return true;
    }
    if (this.#seen.length >= this.#limit) return false;
    // A copy of its own: a slice would keep the whole string of lists it came from alive.
    const own = start === 0 && end === text.length ? text : flatCopy(text.slice(start, end));
    const created: TalliedBasket = { text: own, count: 1, next: this.#byHash.get(h) };
    this.#byHash.set(h, created);
    this.#seen.push(created);
    return true;
  }

  #find(text: string, start: number, end: number, h: number): TalliedBasket | undefined {
    let entry = this.#byHash.get(h);
    while (entry !== undefined && !(entry.text.length === end - start && text.startsWith(entry.text, start))) entry = entry.next;
    return entry;
  }
}

interface TalliedBasket {
  readonly text: string;
  count: number;
  readonly next: TalliedBasket | undefined;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function hashOf(text: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return h;
}

/**
 * The same characters in a string of their own: V8 keeps a long slice as a view of its parent, which
 * would keep the parent alive and make every comparison with it take V8's slow path.
 */
function flatCopy(slice: string): string {
  return JSON.parse(JSON.stringify(slice)) as string;
}

/** Distinct baskets a BasketTally keeps (each a short string and a count: tens of MB at most). */
export const DISTINCT_BASKETS_KEPT = 200_000;

/**
 * The basket input from order items read in order id order (both stores read them so): orders are
 * numbered as they come, except those in `excluded` (refunds, orders after the day), whose items are
 * skipped; products are numbered as first seen. Pairs are kept in typed arrays that grow by doubling.
 */
export class BasketBuilder {
  readonly #excluded: ReadonlySet<string>;
  readonly #products = new Map<string, number>();
  readonly #productIds: string[] = [];
  #orderIndex = new Int32Array(1 << 16);
  #productIndex = new Int32Array(1 << 16);
  #n = 0;
  #lastOrder: string | undefined;
  #order = -1;
  #skip = false;

  constructor(excluded: ReadonlySet<string>) {
    this.#excluded = excluded;
  }

  /** One order item; items of one order come together. */
  item(orderId: string, product: string): void {
    if (orderId !== this.#lastOrder) {
      this.#lastOrder = orderId;
      this.#skip = this.#excluded.has(orderId);
      if (!this.#skip) this.#order++;
    }
    if (this.#skip) return;
    let p = this.#products.get(product);
    if (p === undefined) {
      p = this.#productIds.length;
      this.#products.set(product, p);
      this.#productIds.push(product);
    }
    if (this.#n === this.#orderIndex.length) {
      this.#orderIndex = grown(this.#orderIndex);
      this.#productIndex = grown(this.#productIndex);
    }
    this.#orderIndex[this.#n] = this.#order;
    this.#productIndex[this.#n] = p;
    this.#n++;
  }

  build(): BasketInput {
    // A view, not a copy: the spare capacity costs less than holding two copies at once.
    return { orderIndex: this.#orderIndex.subarray(0, this.#n), productIndex: this.#productIndex.subarray(0, this.#n), productIds: this.#productIds };
  }
}

/** A column twice as long (at least `atLeast`), holding `a`'s values first. */
export function grown<T extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(a: T, atLeast = 0): T {
  const b = new (a.constructor as new (length: number) => T)(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}
