// The satisfaction rollups of one refresh: responses per day, scale and score (everyone, per owner,
// per segment and per owner and segment), and for each standard window the themes, pain points and most valuable detractors. Terms
// are counted by integer id (a comment's terms come tokenised from the store), and only turned back
// into a tally, for ranking, where a term reaches two comments — the least either ranking keeps —
// so the result is exactly what painPoints/topThemes give on the same comments.
import { painPointsFromTally, scoreBand, themesFromTally, type CommentTerm, type TermTally } from '../analytics/themes.ts';
import type { ReportDetractorsTable, ReportSatisfactionTable, ReportTermWindowsTable, ReportTermsTable } from '../db/schema.ts';
import { compareDetractors, WINDOW_TERMS } from '../reports/scan-data.ts';
import { scaleOf, type FeedbackAnswers } from '../db/histories.ts';

/** One answer, by customer index. */
export interface AnswerPoint {
  customerIndex: number;
  day: number;
  scale: 'csat' | 'nps';
  score: number;
}

/** An answer inside the standard windows, with its comment's terms (empty without a comment). */
export interface WindowAnswer extends AnswerPoint {
  feedbackId: string;
  hasComment: boolean;
  terms: readonly CommentTerm[];
}

export interface SatisfactionRollupInput {
  runId: number;
  /** Every answer (the daily counts). */
  answers: FeedbackAnswers;
  windowAnswers: readonly WindowAnswer[];
  windows: readonly { from: number; to: number }[];
  /** Owner key per customer index ('' for none: no owner rollup). */
  ownerKeys: readonly string[];
  /** RFM segment per customer index ('' for none: the scope of customers without a segment). */
  segmentKeys: readonly string[];
  /** What a detractor is worth: 12-month CLV, else revenue, else 0, per customer index. */
  valueOf: (customerIndex: number) => number;
  detractorsPerWindow: number;
}

export interface SatisfactionRollups {
  daily: ReportSatisfactionTable[];
  windows: ReportTermWindowsTable[];
  terms: ReportTermsTable[];
  detractors: ReportDetractorsTable[];
}

/** Every scope the rollups are kept for (see the model card's `satisfactionScopes`). */
export const SATISFACTION_SCOPES = ['all', 'owner', 'segment', 'owner-segment'] as const;

const SCORES = 16; // csat 1–5 at 0–4, nps 0–10 at 5–15
const slot = (scale: 'csat' | 'nps', score: number) => (scale === 'csat' ? score - 1 : 5 + score);

export function satisfactionRollups(input: SatisfactionRollupInput): SatisfactionRollups {
  const { runId } = input;
  const scopes = new ScopeIndex(input.ownerKeys, input.segmentKeys);
  const customerScopes = new Int32Array(4);

  // Responses per scope and day.
  const perScope: Map<number, Int32Array>[] = [];
  const all = input.answers;
  for (let k = 0; k < all.length; k++) {
    const day = all.day[k]!;
    const count = scopes.of(all.customerIndex[k]!, customerScopes);
    for (let s = 0; s < count; s++) {
      const days = (perScope[customerScopes[s]!] ??= new Map());
      let c = days.get(day);
      if (!c) days.set(day, (c = new Int32Array(SCORES)));
      c[slot(scaleOf(all, k), all.score[k]!)]!++;
    }
  }
  const daily: ReportSatisfactionTable[] = [];
  perScope.forEach((days, id) => {
    const [scope, key] = scopes.name(id);
    for (const [day, c] of days) {
      for (let s = 0; s < SCORES; s++) {
        if (c[s]) daily.push({ run_id: runId, scope, key, day, scale: s < 5 ? 'csat' : 'nps', score: s < 5 ? s + 1 : s - 5, responses: c[s]! });
      }
    }
  });

  // Terms: one id each; per (scope, window) the comments carrying each term, by band.
  const ids = new Map<string, number>();
  const termList: CommentTerm[] = [];
  const idOf = (t: CommentTerm) => {
    let id = ids.get(t.text);
    if (id === undefined) {
      ids.set(t.text, (id = termList.length));
      termList.push(t);
    }
    return id;
  };
  // Answers often share one list of terms (the same decoded array): its ids are looked up once.
  const idsOfTerms = new Map<readonly CommentTerm[], number[]>();
  const termIds = (terms: readonly CommentTerm[]) => {
    if (terms.length === 0) return NO_TERMS;
    let list = idsOfTerms.get(terms);
    if (!list) idsOfTerms.set(terms, (list = terms.map(idOf)));
    return list;
  };
  interface Cell {
    scope: string;
    key: string;
    from: number;
    to: number;
    /** Per term id: comments with the term that scored low, high, and in all. */
    counts: Map<number, Int32Array>;
    nLow: number;
    nHigh: number;
    nAll: number;
    withText: number;
    comments: number;
    detractors: TopDetractors;
  }
  /** Cells by scope id × window, in the order they were first met (the rows' order). */
  const cells: Cell[] = [];
  const cellAt: (Cell | undefined)[] = [];
  const windowCount = input.windows.length;
  const cell = (scopeId: number, w: number) => {
    const at = scopeId * windowCount + w;
    let c = cellAt[at];
    if (!c) {
      const [scope, key] = scopes.name(scopeId);
      const { from, to } = input.windows[w]!;
      c = { scope, key, from, to, counts: new Map(), nLow: 0, nHigh: 0, nAll: 0, withText: 0, comments: 0, detractors: new TopDetractors(input.detractorsPerWindow, input.valueOf) };
      cellAt[at] = c;
      cells.push(c);
    }
    return c;
  };
  // Every window is stored for everyone, even an empty one (so a report knows it was stored).
  for (let w = 0; w < windowCount; w++) cell(scopes.all, w);
  for (const a of input.windowAnswers) {
    const band = scoreBand(a.score, a.scale);
    const terms = termIds(a.terms);
    const count = scopes.of(a.customerIndex, customerScopes);
    for (let w = 0; w < windowCount; w++) {
      const { from, to } = input.windows[w]!;
      if (a.day < from || a.day > to) continue;
      for (let s = 0; s < count; s++) {
        const c = cell(customerScopes[s]!, w);
        if (band === 'low') c.detractors.offer(a);
        if (!a.hasComment) continue;
        c.comments++;
        if (terms.length === 0) continue;
        c.withText++;
        for (const t of terms) {
          let n = c.counts.get(t);
          if (!n) c.counts.set(t, (n = new Int32Array(3)));
          n[2]!++;
          c.nAll++;
          if (band === 'low') {
            n[0]!++;
            c.nLow++;
          } else if (band === 'high') {
            n[1]!++;
            c.nHigh++;
          }
        }
      }
    }
  }

  const windows: ReportTermWindowsTable[] = [];
  const terms: ReportTermsTable[] = [];
  const detractors: ReportDetractorsTable[] = [];
  for (const c of cells) {
    const base = { run_id: runId, scope: c.scope, key: c.key, from_day: c.from, to_day: c.to };
    windows.push({ ...base, comments: c.comments });
    const tally: TermTally = { counts: new Map(), phrases: new Map(), nLow: c.nLow, nHigh: c.nHigh, nAll: c.nAll, withText: c.withText };
    for (const [t, n] of c.counts) {
      if (n[2]! < 2) continue;
      const term = termList[t]!;
      tally.counts.set(term.text, { low: n[0]!, high: n[1]!, all: n[2]! });
      if (term.parts.length > 1) tally.phrases.set(term.text, term.parts);
    }
    painPointsFromTally(tally, { limit: WINDOW_TERMS }).forEach((p, rank) =>
      terms.push({ ...base, kind: 'pain', rank, term: p.term, comments: p.comments, low: p.lowComments, high: p.highComments, z: p.z, log_odds: p.logOdds, share: null }),
    );
    themesFromTally(tally, { limit: WINDOW_TERMS }).forEach((t, rank) =>
      terms.push({ ...base, kind: 'theme', rank, term: t.term, comments: t.comments, low: tally.counts.get(t.term)!.low, high: tally.counts.get(t.term)!.high, z: null, log_odds: null, share: t.share }),
    );
    c.detractors.best().forEach((d, rank) => detractors.push({ ...base, rank, feedback_id: d.feedback_id }));
  }
  return { daily, windows, terms, detractors };
}

const NO_TERMS: number[] = [];

/**
 * The scopes an answer counts in, as small integers (their keys as precomputed-data.ts's scopeOf
 * builds them): worked out once per customer, not once per answer and window.
 */
class ScopeIndex {
  readonly all: number;
  readonly #names: [string, string][] = [];
  readonly #ids = new Map<string, number>();
  /** Per customer: its scope ids (−1: none), or −2 in the first cell when not worked out yet. */
  readonly #ofCustomer: Int32Array;
  readonly #ownerKeys: readonly string[];
  readonly #segmentKeys: readonly string[];

  constructor(ownerKeys: readonly string[], segmentKeys: readonly string[]) {
    this.#ownerKeys = ownerKeys;
    this.#segmentKeys = segmentKeys;
    this.#ofCustomer = new Int32Array(ownerKeys.length * 4).fill(-2);
    this.all = this.#id('all', '');
  }

  /** Writes customer i's scope ids into `out`; returns how many (2 without an owner, else 4). */
  of(i: number, out: Int32Array): number {
    const at = i * 4;
    if (this.#ofCustomer[at] === -2) {
      const owner = this.#ownerKeys[i]!;
      const segment = this.#segmentKeys[i] ?? '';
      this.#ofCustomer[at] = this.all;
      if (owner) {
        this.#ofCustomer[at + 1] = this.#id('owner', owner);
        this.#ofCustomer[at + 2] = this.#id('segment', segment);
        this.#ofCustomer[at + 3] = this.#id('owner-segment', `${owner}\u001f${segment}`);
      } else {
        this.#ofCustomer[at + 1] = this.#id('segment', segment);
        this.#ofCustomer[at + 2] = -1;
        this.#ofCustomer[at + 3] = -1;
      }
    }
    let count = 0;
    for (let s = 0; s < 4; s++) {
      const id = this.#ofCustomer[at + s]!;
      if (id >= 0) out[count++] = id;
    }
    return count;
  }

  name(id: number): [string, string] {
    return this.#names[id]!;
  }

  #id(scope: string, key: string): number {
    const k = `${scope}\u0000${key}`;
    let id = this.#ids.get(k);
    if (id === undefined) {
      this.#ids.set(k, (id = this.#names.length));
      this.#names.push([scope, key]);
    }
    return id;
  }
}

interface Detractor {
  customerIndex: number;
  value: number;
  day: number;
  feedback_id: string;
}

/**
 * The most valuable detractors of one cell, one answer per customer (its first in
 * compareDetractors' order): what sorting every low answer and taking the first `limit` customers
 * gives, kept in a list of at most `limit` instead of every low answer of a million.
 */
class TopDetractors {
  readonly #list: Detractor[] = [];
  readonly #limit: number;
  readonly #valueOf: (customerIndex: number) => number;

  constructor(limit: number, valueOf: (customerIndex: number) => number) {
    this.#limit = limit;
    this.#valueOf = valueOf;
  }

  offer(a: WindowAnswer): void {
    if (this.#limit <= 0) return;
    const list = this.#list;
    const d: Detractor = { customerIndex: a.customerIndex, value: this.#valueOf(a.customerIndex), day: a.day, feedback_id: a.feedbackId };
    const worst = list[list.length - 1];
    if (list.length === this.#limit && worst && compareDetractors(d, worst) >= 0) return;
    const same = list.findIndex((x) => x.customerIndex === d.customerIndex);
    if (same >= 0) {
      if (compareDetractors(d, list[same]!) >= 0) return;
      list.splice(same, 1);
    }
    let at = list.length;
    while (at > 0 && compareDetractors(d, list[at - 1]!) < 0) at--;
    list.splice(at, 0, d);
    if (list.length > this.#limit) list.pop();
  }

  best(): readonly Detractor[] {
    return this.#list;
  }
}
