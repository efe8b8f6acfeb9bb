// Customer names in memory for Discord's autocomplete, which must answer within 3 seconds and feels
// broken above ~100 ms. Pure: rows in, suggestions out.
//
// Each customer's search terms (id, email, name, company and their words, lower-cased) live in two
// sorted tables: terms many customers share (first names, company words) once each with a posting
// list, and terms one customer owns (id, email) once per customer. A prefix is two binary searches
// per table and a short walk, whatever the number of customers. Building is a generator that
// yields after bounded work, so a bot can build a million-customer index without stalling its
// event loop (Discord's 3 seconds do not wait for a sort).
import { normalizeSearch } from '../../db/search-terms.ts';
import { clip, DISCORD_LIMITS } from './limits.ts';

export interface IndexedCustomer {
  customer_id: string;
  name: string | null;
  company: string | null;
  email: string | null;
}

export interface CustomerSuggestion {
  customerId: string;
  /** `Ann Lee · Acme (C00042)`, at most 100 characters (Discord's choice name). */
  label: string;
}

/** Rows, comparisons or postings handled between two yields of the build. */
export const BUILD_STEP_WORK = 50_000;
const RUN = 4096;
/** Postings a multi-word query may mark; beyond it candidates are checked one by one, at most MAX_CHECKED. */
const MARK_BUDGET = 400_000;
const MAX_CHECKED = 5_000;
const WORD_SPLIT = /[\s,.;:()/&+'"@_-]+/u;
const HAS_SEPARATOR = /[\s,.;:()/&+'"@_-]/u;
const NON_ASCII = /[^\x00-\x7f]/;

/** Sorted terms with their customers: customers of term r are postings[starts[r] .. starts[r + 1]). */
interface TermTable {
  terms: string[];
  starts: Uint32Array;
  postings: Uint32Array;
}

const EMPTY_TABLE: TermTable = { terms: [], starts: new Uint32Array(1), postings: new Uint32Array(0) };

export class CustomerIndex {
  readonly #ids: string[];
  readonly #names: (string | null)[];
  readonly #companies: (string | null)[];
  readonly #tables: readonly TermTable[];
  /** Scratch marks for multi-word queries (one slot per customer), allocated on first use. */
  #marks: Uint32Array | undefined;
  #markBase = 0;

  private constructor(ids: string[], names: (string | null)[], companies: (string | null)[], tables: readonly TermTable[]) {
    this.#ids = ids;
    this.#names = names;
    this.#companies = companies;
    this.#tables = tables;
  }

  static empty(): CustomerIndex {
    return new CustomerIndex([], [], [], [EMPTY_TABLE]);
  }

  /** Builds in one go (tests, small stores); see `buildCustomerIndex` for the stepwise build. */
  static build(rows: Iterable<IndexedCustomer>): CustomerIndex {
    const steps = buildCustomerIndex(rows);
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
    }
  }

  /** @internal used by the builder. */
  static fromParts(ids: string[], names: (string | null)[], companies: (string | null)[], tables: readonly TermTable[]): CustomerIndex {
    return new CustomerIndex(ids, names, companies, tables);
  }

  get size(): number {
    return this.#ids.length;
  }

  /**
   * Customers whose id, email, name or company (or one of their words) starts with the query, in
   * alphabetical order of the matching term (so an exact term comes first); then, for a query of
   * several words, customers with a term starting with each word.
   */
  search(query: string, limit: number = DISCORD_LIMITS.autocompleteChoices): CustomerSuggestion[] {
    const q = normalizeSearch(query);
    if (q === '' || limit <= 0 || this.size === 0) return [];
    const found: number[] = [];
    const seen = new Set<number>();
    const add = (c: number) => {
      if (!seen.has(c)) {
        seen.add(c);
        found.push(c);
      }
    };
    this.#walkPrefix(q, (c) => {
      add(c);
      return found.length < limit;
    });
    const words = [...new Set(q.split(WORD_SPLIT).filter(Boolean))];
    if (found.length < limit && words.length > 1) this.#everyWord(words, limit, add, () => found.length);
    return found.map((c) => ({ customerId: this.#ids[c]!, label: this.label(c) }));
  }

  /** The customer's name for a choice list, ending with the id. */
  label(c: number): string {
    return customerLabel({ customer_id: this.#ids[c]!, name: this.#names[c] ?? null, company: this.#companies[c] ?? null });
  }

  /** Calls `visit` for the customers of every term starting with `prefix`, in term order, until it returns false. */
  #walkPrefix(prefix: string, visit: (c: number) => boolean): void {
    const ranges = this.#tables.map((t) => prefixRange(t.terms, prefix));
    for (;;) {
      // The table whose next term is smallest goes next (a merge of the sorted tables).
      let pick = -1;
      for (let i = 0; i < ranges.length; i++) {
        const [lo, hi] = ranges[i]!;
        if (lo < hi && (pick < 0 || this.#tables[i]!.terms[lo]! < this.#tables[pick]!.terms[ranges[pick]![0]]!)) pick = i;
      }
      if (pick < 0) return;
      const t = this.#tables[pick]!;
      const r = ranges[pick]![0]++;
      for (let p = t.starts[r]!; p < t.starts[r + 1]!; p++) if (!visit(t.postings[p]!)) return;
    }
  }

  #postingCount(prefix: string): number {
    let n = 0;
    for (const t of this.#tables) {
      const [lo, hi] = prefixRange(t.terms, prefix);
      n += t.starts[hi]! - t.starts[lo]!;
    }
    return n;
  }

  /** Calls `visit` for the customers of every term starting with `prefix`, table by table (order does not matter). */
  #eachPosting(prefix: string, visit: (c: number) => boolean): void {
    for (const t of this.#tables) {
      const [lo, hi] = prefixRange(t.terms, prefix);
      const end = t.starts[hi]!;
      for (let p = t.starts[lo]!; p < end; p++) if (!visit(t.postings[p]!)) return;
    }
  }

  /**
   * Customers with a term starting with every word. Candidates come from the rarest word; the other
   * words are checked by marking their customers when that is cheap, else by reading the
   * candidate's own words (bounded, so a query of common one-letter words stays fast).
   */
  #everyWord(words: string[], limit: number, add: (c: number) => void, count: () => number): void {
    const byCount = words.map((w) => ({ w, n: this.#postingCount(w) })).sort((a, b) => a.n - b.n);
    if (byCount[0]!.n === 0) return;
    const others = byCount.slice(1);
    if (others.reduce((n, o) => n + o.n, 0) > MARK_BUDGET) {
      let checked = 0;
      const rest = others.map((o) => o.w);
      this.#eachPosting(byCount[0]!.w, (c) => {
        if (this.#hasEveryWord(c, rest)) add(c);
        return count() < limit && ++checked < MAX_CHECKED;
      });
      return;
    }
    const marks = (this.#marks ??= new Uint32Array(this.size));
    if (this.#markBase + words.length + 1 >= 0xffffffff) {
      marks.fill(0);
      this.#markBase = 0;
    }
    const base = this.#markBase;
    this.#markBase += words.length;
    for (let j = 0; j < others.length; j++) {
      // A customer reaches base + j + 1 only if it already carried every earlier word.
      const to = base + j + 1;
      for (const t of this.#tables) {
        const [lo, hi] = prefixRange(t.terms, others[j]!.w);
        markPostings(t.postings, t.starts[lo]!, t.starts[hi]!, marks, j === 0 ? -1 : base + j, base, to);
      }
    }
    const want = base + others.length;
    this.#eachPosting(byCount[0]!.w, (c) => {
      if (marks[c] === want) add(c);
      return count() < limit;
    });
  }

  /** Whether every word starts a word of the customer's id, name or company. */
  #hasEveryWord(c: number, words: readonly string[]): boolean {
    const own: string[] = [];
    for (const text of [this.#ids[c], this.#names[c], this.#companies[c]]) if (text) own.push(...lower(text).split(WORD_SPLIT));
    return words.every((w) => own.some((o) => o.startsWith(w)));
  }
}

/** `Ann Lee · Acme (C00042)`: name and company for a choice list, ending with the id, ≤ 100 characters. */
export function customerLabel(c: Pick<IndexedCustomer, 'customer_id' | 'name' | 'company'>): string {
  const who = [c.name, c.company && c.company !== c.name ? c.company : null].filter(Boolean).join(' · ');
  const max = DISCORD_LIMITS.choiceName;
  if (!who) return clip(c.customer_id, max);
  const suffix = ` (${c.customer_id})`;
  if (suffix.length > max / 2) return clip(who, max);
  return clip(who, max - suffix.length) + suffix;
}

/**
 * Builds the index, yielding after about `work` units (rows read, comparisons, postings placed);
 * the generator's return value is the index.
 */
export function* buildCustomerIndex(rows: Iterable<IndexedCustomer>, work = BUILD_STEP_WORK): Generator<void, CustomerIndex, void> {
  const ids: string[] = [];
  const names: (string | null)[] = [];
  const companies: (string | null)[] = [];
  const sharedIds = new Map<string, number>();
  const shared = new PairList();
  const ownTerms: string[] = [];
  const own = new PairList();
  const words: string[] = [];
  let done = 0;
  for (const row of rows) {
    const c = ids.length;
    ids.push(row.customer_id);
    names.push(row.name);
    companies.push(row.company);
    const id = lower(row.customer_id);
    ownTerms.push(id);
    own.push(ownTerms.length - 1, c);
    const email = row.email ? lower(row.email) : '';
    if (email && email !== id) {
      ownTerms.push(email);
      own.push(ownTerms.length - 1, c);
    }
    words.length = 0;
    for (const text of [row.name, row.company]) {
      if (!text) continue;
      const l = lower(text);
      addTerm(words, l);
      if (HAS_SEPARATOR.test(l)) for (const w of l.split(WORD_SPLIT)) addTerm(words, w);
    }
    for (const w of words) {
      if (w === id || w === email) continue;
      let t = sharedIds.get(w);
      if (t === undefined) sharedIds.set(w, (t = sharedIds.size));
      shared.push(t, c);
    }
    // About ten units of work a row (terms, map look-ups, pushes).
    if (++done % Math.max(1, Math.round(work / 10)) === 0) yield;
  }
  const sharedTerms = [...sharedIds.keys()];
  sharedIds.clear();
  const sharedTable = yield* tableFrom(sharedTerms, shared, work);
  const ownTable = yield* tableFrom(ownTerms, own, work);
  return CustomerIndex.fromParts(ids, names, companies, [sharedTable, ownTable]);
}

/** Sorts `terms` and lays the (term, customer) pairs out by sorted term. */
function* tableFrom(terms: string[], pairs: PairList, work: number): Generator<void, TermTable, void> {
  const order = yield* sortedOrder(terms, work);
  const rankOf = new Uint32Array(terms.length);
  const sorted = new Array<string>(terms.length);
  for (let r = 0; r < order.length; r++) {
    rankOf[order[r]!] = r;
    sorted[r] = terms[order[r]!]!;
    if (r % work === work - 1) yield;
  }
  const starts = new Uint32Array(terms.length + 1);
  for (let i = 0; i < pairs.length; i++) {
    starts[rankOf[pairs.term[i]!]! + 1]!++;
    if (i % (work * 4) === work * 4 - 1) yield;
  }
  for (let r = 0; r < terms.length; r++) starts[r + 1]! += starts[r]!;
  yield;
  const fill = starts.slice(0, terms.length);
  const postings = new Uint32Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    postings[fill[rankOf[pairs.term[i]!]!]!++] = pairs.customer[i]!;
    if (i % (work * 4) === work * 4 - 1) yield;
  }
  return { terms: sorted, starts, postings };
}

/** Indices of `keys` in sorted order: sorted runs, then merges, yielding between bounded pieces. */
export function* sortedOrder(keys: readonly string[], work = BUILD_STEP_WORK): Generator<void, Uint32Array, void> {
  const n = keys.length;
  let a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  let alreadySorted = true;
  for (let i = 1; i < n && alreadySorted; i++) if (keys[i - 1]! > keys[i]!) alreadySorted = false;
  if (alreadySorted) return a;
  const byKey = (x: number, y: number) => (keys[x]! < keys[y]! ? -1 : keys[x]! > keys[y]! ? 1 : x - y);
  let spent = 0;
  for (let lo = 0; lo < n; lo += RUN) {
    const run = Array.from(a.subarray(lo, Math.min(n, lo + RUN))).sort(byKey);
    a.set(run, lo);
    spent += RUN * 12;
    if (spent >= work) {
      spent = 0;
      yield;
    }
  }
  let b = new Uint32Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = keys[a[j]!]! < keys[a[i]!]! ? a[j++]! : a[i++]!;
      while (i < mid) b[k++] = a[i++]!;
      while (j < hi) b[k++] = a[j++]!;
      spent += hi - lo;
      if (spent >= work) {
        spent = 0;
        yield;
      }
    }
    [a, b] = [b, a];
  }
  return a;
}

/**
 * Sets marks[c] = `to` for the customers in postings[from, end) whose mark is `need` (or, with
 * need = -1, at most `base`: not yet marked in this query). A small function of its own so V8
 * optimises it after a call or two rather than interpreting a million iterations.
 */
function markPostings(postings: Uint32Array, from: number, end: number, marks: Uint32Array, need: number, base: number, to: number): void {
  if (need < 0) {
    for (let p = from; p < end; p++) {
      const c = postings[p]!;
      if (marks[c]! <= base) marks[c] = to;
    }
  } else {
    for (let p = from; p < end; p++) {
      const c = postings[p]!;
      if (marks[c] === need) marks[c] = to;
    }
  }
}

/** [first, end) positions of the terms starting with `prefix` in sorted `terms`. */
export function prefixRange(terms: readonly string[], prefix: string): [number, number] {
  return [lowerBound(terms, prefix), lowerBound(terms, prefix + '\uffff')];
}

/** First index in sorted `a` whose value is ≥ `key`. */
export function lowerBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lower-cased, NFKC-normalised (only when needed: most names are ASCII, and normalising is slow). */
function lower(text: string): string {
  return (NON_ASCII.test(text) ? text.normalize('NFKC') : text).toLowerCase().trim();
}

function addTerm(terms: string[], t: string): void {
  if (t.length > 0 && t.length <= 120 && !terms.includes(t)) terms.push(t);
}

/** A growable list of (term, customer) pairs in two typed arrays. */
class PairList {
  term: Uint32Array = new Uint32Array(1 << 16);
  customer: Uint32Array = new Uint32Array(1 << 16);
  length = 0;

  push(term: number, customer: number): void {
    if (this.length === this.term.length) {
      this.term = grow(this.term);
      this.customer = grow(this.customer);
    }
    this.term[this.length] = term;
    this.customer[this.length++] = customer;
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

