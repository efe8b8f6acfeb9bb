// The satisfaction rollups of one refresh: responses per day, as counts per score of each scale (everyone, per owner,
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
/** A scale's counts per score as stored ("0,1,0,3,2"), null when there are none. */
const countsOf = (counts: Int32Array): string | null => (counts.some((n) => n > 0) ? counts.join(',') : null);

/**
 * The rollups, the answers inside the windows given one at a time (addWindowAnswer) as they are
 * read: a large store's ~600k are then never held at once.
 */
export class SatisfactionRollupBuilder {
  readonly #input: SatisfactionRollupInput;
  // Everything is counted once per group of customers sharing an owner and a segment (a few
  // hundred groups), then summed into the scopes each group belongs to: an answer is counted once,
  // not once per scope (four with an owner).
  readonly #groups: ScopeGroups;
  // Terms: one id each; per (group, window), then per (scope, window), the comments carrying each term, by band.
  readonly #ids = new Map<string, number>();
  readonly #termList: CommentTerm[] = [];
  /** Answers often share one list of terms (the same decoded array): its ids are looked up once. */
  readonly #idsOfTerms = new Map<readonly CommentTerm[], number[]>();
  /** Per group × window, created when an answer of the group falls in the window. */
  readonly #groupCells: (Cell | undefined)[] = [];

  constructor(input: SatisfactionRollupInput) {
    this.#input = input;
    this.#groups = new ScopeGroups(input.ownerKeys, input.segmentKeys);
  }

  addWindowAnswer(a: WindowAnswer): void {
    const { windows } = this.#input;
    const windowCount = windows.length;
    const band = scoreBand(a.score, a.scale);
    const terms = this.#termIds(a.terms);
    const g = this.#groups.of(a.customerIndex);
    for (let w = 0; w < windowCount; w++) {
      const { from, to } = windows[w]!;
      if (a.day < from || a.day > to) continue;
      const c = (this.#groupCells[g * windowCount + w] ??= this.#newCell());
      if (band === 'low') c.detractors.offer({ customerIndex: a.customerIndex, value: this.#input.valueOf(a.customerIndex), day: a.day, feedback_id: a.feedbackId });
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

  build(): SatisfactionRollups {
    const input = this.#input;
    const { runId } = input;
    const groups = this.#groups;

    // Responses per group and day, then per scope and day.
    const perGroup: Map<number, Int32Array>[] = [];
    const all = input.answers;
    for (let k = 0; k < all.length; k++) {
      const day = all.day[k]!;
      const days = (perGroup[groups.of(all.customerIndex[k]!)] ??= new Map());
      let c = days.get(day);
      if (!c) days.set(day, (c = new Int32Array(SCORES)));
      c[slot(scaleOf(all, k), all.score[k]!)]!++;
    }
    const perScope: Map<number, Int32Array>[] = [];
    perGroup.forEach((days, g) => {
      for (const scopeId of groups.scopesOf(g)) {
        const into = (perScope[scopeId] ??= new Map());
        for (const [day, c] of days) {
          const sum = into.get(day);
          if (sum) for (let s = 0; s < SCORES; s++) sum[s]! += c[s]!;
          else into.set(day, c.slice());
        }
      }
    });
    const daily: ReportSatisfactionTable[] = [];
    perScope.forEach((days, id) => {
      const [scope, key] = groups.name(id);
      for (const day of [...days.keys()].sort((a, b) => a - b)) {
        const c = days.get(day)!;
        daily.push({ run_id: runId, scope, key, day, csat: countsOf(c.subarray(0, 5)), nps: countsOf(c.subarray(5, SCORES)) });
      }
    });

    // Summed into scopes. Every window is stored for everyone, even an empty one (so a report knows it was stored).
    const windowCount = input.windows.length;
    const scopeCells = new Map<number, Cell>();
    for (let w = 0; w < windowCount; w++) scopeCells.set(groups.all * windowCount + w, this.#newCell());
    this.#groupCells.forEach((from, at) => {
      if (!from) return;
      const g = Math.floor(at / windowCount);
      const w = at % windowCount;
      for (const scopeId of groups.scopesOf(g)) {
        const key = scopeId * windowCount + w;
        let c = scopeCells.get(key);
        if (!c) scopeCells.set(key, (c = this.#newCell()));
        addCell(c, from);
      }
    });

    const windows: ReportTermWindowsTable[] = [];
    const terms: ReportTermsTable[] = [];
    const detractors: ReportDetractorsTable[] = [];
    for (const at of [...scopeCells.keys()].sort((a, b) => a - b)) {
      const c = scopeCells.get(at)!;
      const [scope, key] = groups.name(Math.floor(at / windowCount));
      const { from, to } = input.windows[at % windowCount]!;
      const base = { run_id: runId, scope, key, from_day: from, to_day: to };
      windows.push({ ...base, comments: c.comments });
      const tally: TermTally = { counts: new Map(), phrases: new Map(), nLow: c.nLow, nHigh: c.nHigh, nAll: c.nAll, withText: c.withText };
      for (const [t, n] of c.counts) {
        if (n[2]! < 2) continue;
        const term = this.#termList[t]!;
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

  #newCell(): Cell {
    return { counts: new Map(), nLow: 0, nHigh: 0, nAll: 0, withText: 0, comments: 0, detractors: new TopDetractors(this.#input.detractorsPerWindow) };
  }

  #termIds(terms: readonly CommentTerm[]): readonly number[] {
    if (terms.length === 0) return NO_TERMS;
    let list = this.#idsOfTerms.get(terms);
    if (!list) this.#idsOfTerms.set(terms, (list = terms.map((t) => this.#idOf(t))));
    return list;
  }

  #idOf(t: CommentTerm): number {
    let id = this.#ids.get(t.text);
    if (id === undefined) {
      this.#ids.set(t.text, (id = this.#termList.length));
      this.#termList.push(t);
    }
    return id;
  }
}

/** The comments of one (group or scope, window). */
interface Cell {
  /** Per term id: comments with the term that scored low, high, and in all. */
  counts: Map<number, Int32Array>;
  nLow: number;
  nHigh: number;
  nAll: number;
  withText: number;
  comments: number;
  detractors: TopDetractors;
}

/** Adds a group's cell into its scope's. A customer is in one group: its best answer is in the group's list. */
function addCell(into: Cell, from: Cell): void {
  for (const [t, n] of from.counts) {
    const sum = into.counts.get(t);
    if (sum) {
      sum[0]! += n[0]!;
      sum[1]! += n[1]!;
      sum[2]! += n[2]!;
    } else into.counts.set(t, n.slice());
  }
  into.nLow += from.nLow;
  into.nHigh += from.nHigh;
  into.nAll += from.nAll;
  into.withText += from.withText;
  into.comments += from.comments;
  for (const d of from.detractors.best()) into.detractors.offer(d);
}

const NO_TERMS: number[] = [];

/**
 * Customers grouped by owner and segment, and the scopes each group counts in (their keys as
 * precomputed-data.ts's scopeOf builds them): everyone, the owner, the segment and the owner's
 * segment; everyone and the segment for a customer without an owner.
 */
class ScopeGroups {
  readonly all: number;
  readonly #names: [string, string][] = [];
  readonly #ids = new Map<string, number>();
  readonly #groups = new Map<string, number>();
  readonly #scopesOf: number[][] = [];
  /** Per customer: its group, or −1 when not worked out yet. */
  readonly #ofCustomer: Int32Array;
  readonly #ownerKeys: readonly string[];
  readonly #segmentKeys: readonly string[];

  constructor(ownerKeys: readonly string[], segmentKeys: readonly string[]) {
    this.#ownerKeys = ownerKeys;
    this.#segmentKeys = segmentKeys;
    this.#ofCustomer = new Int32Array(ownerKeys.length).fill(-1);
    this.all = this.#id('all', '');
  }

  /** Customer i's group. */
  of(i: number): number {
    let g = this.#ofCustomer[i]!;
    if (g < 0) {
      const owner = this.#ownerKeys[i]!;
      const segment = this.#segmentKeys[i] ?? '';
      const key = `${owner}\u001f${segment}`;
      g = this.#groups.get(key) ?? -1;
      if (g < 0) {
        this.#groups.set(key, (g = this.#scopesOf.length));
        this.#scopesOf.push(
          owner
            ? [this.all, this.#id('owner', owner), this.#id('segment', segment), this.#id('owner-segment', key)]
            : [this.all, this.#id('segment', segment)],
        );
      }
      this.#ofCustomer[i] = g;
    }
    return g;
  }

  /** The scopes of group g. */
  scopesOf(g: number): readonly number[] {
    return this.#scopesOf[g]!;
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

  constructor(limit: number) {
    this.#limit = limit;
  }

  offer(d: Detractor): void {
    if (this.#limit <= 0) return;
    const list = this.#list;
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
