// Source: Monroe, Colaresi & Quinn (2008) "Fightin' Words", Political Analysis 16:4, §3.5.1 (weighted log-odds, informative Dirichlet prior, eq. 16–22).
import { assertScore, type SatisfactionScale } from './satisfaction.ts';
import { CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS, NEGATIONS } from './stopwords.ts';

/** How comments become terms. */
export interface TermOptions {
  /** Locale handed to `Intl.Segmenter` (default 'zh': its dictionary splits Chinese, and English is unaffected). */
  readonly locale?: string;
  /** Also emit two-word phrases (default true). */
  readonly bigrams?: boolean;
  /** Extra stop words for this call (lower-case), on top of the shipped lists. */
  readonly stopWords?: ReadonlySet<string>;
}

/** A term and how many comments mention it (each comment counts once). */
export interface Theme {
  readonly term: string;
  readonly comments: number;
  /** comments / number of comments with any text. */
  readonly share: number;
}

export interface ThemeOptions extends TermOptions {
  /** At most this many themes (default 10). */
  readonly limit?: number;
  /** Ignore terms in fewer comments than this (default 2). */
  readonly minComments?: number;
}

/** One piece of feedback: the score, its scale, and the free-text comment if any. */
export interface ScoredComment {
  readonly score: number;
  readonly scale: SatisfactionScale;
  readonly comment?: string | null;
}

/** low = CSAT 1–2 or NPS 0–6; high = CSAT 4–5 or NPS 9–10; everything else is neutral. */
export type ScoreBand = 'low' | 'neutral' | 'high';

/** A term over-represented in low-score comments. */
export interface PainPoint {
  readonly term: string;
  /** Fightin' Words z-score: log-odds ratio (low vs high) over its standard deviation; > 1.96 is notable at 5%. */
  readonly z: number;
  /** The prior-smoothed log-odds ratio δ (low minus high). */
  readonly logOdds: number;
  /** Low-score comments carrying the term. */
  readonly lowComments: number;
  /** High-score comments carrying the term. */
  readonly highComments: number;
  /** All comments carrying the term, neutral included. */
  readonly comments: number;
}

export interface PainPointOptions extends TermOptions {
  /** At most this many pain points (default 10). */
  readonly limit?: number;
  /** A term must appear in at least this many low-score comments (default 2). */
  readonly minComments?: number;
  /** Only terms with z at least this (default 1.96). */
  readonly minZ?: number;
  /**
   * Prior strength: αw = priorWeight × (comments of any band carrying w), so by default the prior
   * is the whole feedback set, the informative prior of Monroe et al. with the corpus as background.
   */
  readonly priorWeight?: number;
}

const ENDS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
const STARTS_CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const ONLY_SPACE = /^\s*$/u;
const NUMBER = /^[\p{N}.,:/%-]+$/u;
const LATIN_LETTER = /^\p{Script=Latin}$/u;
const PLAIN_LATIN = /^[a-z]+$/;
/** Words ending in s that are not plurals, or whose singular the rules below would get wrong. */
const NOT_PLURAL = new Set([
  'always', 'news', 'series', 'species', 'lens', 'bias', 'alias', 'canvas', 'goes', 'christmas',
  'whereas', 'perhaps', 'besides', 'sometimes', 'pants', 'glasses', 'thanks', 'analytics', 'logistics',
]);

type TokenKind = 'content' | 'negation' | 'stop';
interface Token {
  readonly word: string;
  readonly kind: TokenKind;
}
interface Term {
  readonly text: string;
  /** The words of a phrase; a single word for a unigram. */
  readonly parts: readonly string[];
}

/**
 * The distinct terms of one comment, in order of first appearance: content words and two-word
 * phrases, lower-cased, stop words removed, simple English plurals singular.
 * @example commentTerms('Late deliveries, again!') // ['late', 'delivery', 'late delivery']
 * @example commentTerms('物流太慢了') // ['物流', '太慢', '物流太慢']
 */
export function commentTerms(comment: string, options: TermOptions = {}): string[] {
  return [...termsOf(comment, segmenterFor(options.locale), options)].map(([text]) => text);
}

/**
 * The most frequent terms, by the number of comments that mention them. A word that only ever
 * appears inside one phrase (every comment with "late" says "late delivery") is left out in
 * favour of the phrase. Ties break alphabetically so the list is stable.
 * @example topThemes(['late delivery', 'late delivery again', 'great price'], { minComments: 2 })
 *          // [{ term: 'late delivery', comments: 2, share: 0.667 }]
 */
export function topThemes(comments: readonly string[], options: ThemeOptions = {}): Theme[] {
  const segmenter = segmenterFor(options.locale);
  const tally = newTermTally();
  for (const comment of comments) addComment(tally, [...termsOf(comment, segmenter, options).values()], 'neutral');
  return themesFromTally(tally, options);
}

/** A comment's terms: content words and two-word phrases (a phrase keeps its two words). */
export interface CommentTerm {
  readonly text: string;
  readonly parts: readonly string[];
}

/**
 * The distinct terms of one comment with their parts, as `painPoints` and `topThemes` count them:
 * what a store keeps so a comment is tokenised once.
 * @example commentTermList('物流太慢') // [{ text: '物流', parts: ['物流'] }, …, { text: '物流太慢', parts: ['物流', '太慢'] }]
 */
export function commentTermList(comment: string, options: TermOptions = {}): CommentTerm[] {
  return [...termsOf(comment, segmenterFor(options.locale), options).values()];
}

/** The term a list of parts reads as: one word, or two joined the way the comment had them. */
export function termOfParts(parts: readonly string[]): CommentTerm {
  return { text: parts.length === 2 ? joinPhrase(parts[0]!, parts[1]!) : parts.join(' '), parts };
}

/** Document frequencies by score band: what `painPoints` and `topThemes` rank, accumulated comment by comment. */
export interface TermTally {
  readonly counts: Map<string, { low: number; high: number; all: number }>;
  readonly phrases: Map<string, readonly string[]>;
  nLow: number;
  nHigh: number;
  nAll: number;
  /** Comments with at least one term. */
  withText: number;
}

export function newTermTally(): TermTally {
  return { counts: new Map(), phrases: new Map(), nLow: 0, nHigh: 0, nAll: 0, withText: 0 };
}

/** Counts one comment's distinct terms in its band. */
export function addComment(tally: TermTally, terms: readonly CommentTerm[], band: ScoreBand): void {
  if (terms.length === 0) return;
  tally.withText++;
  for (const term of terms) {
    let count = tally.counts.get(term.text);
    if (count === undefined) tally.counts.set(term.text, (count = { low: 0, high: 0, all: 0 }));
    count.all++;
    tally.nAll++;
    if (band === 'low') {
      count.low++;
      tally.nLow++;
    } else if (band === 'high') {
      count.high++;
      tally.nHigh++;
    }
    if (term.parts.length > 1) tally.phrases.set(term.text, term.parts);
  }
}

/** `topThemes` of a tally. */
export function themesFromTally(tally: TermTally, options: Pick<ThemeOptions, 'limit' | 'minComments'> = {}): Theme[] {
  const limit = checkCount('topThemes', 'limit', options.limit ?? 10);
  const minComments = checkCount('topThemes', 'minComments', options.minComments ?? 2);
  const all = new Map([...tally.counts].map(([text, count]) => [text, count.all]));
  const hidden = subsumedWords(all, tally.phrases);
  return [...all]
    .filter(([term, count]) => count >= minComments && !hidden.has(term))
    .sort(([a, x], [b, y]) => y - x || compareText(a, b))
    .slice(0, limit)
    .map(([term, count]) => ({ term, comments: count, share: count / tally.withText }));
}

/**
 * Which band a score falls in on its scale; throws for a score off the scale.
 * @example scoreBand(2, 'csat') // 'low'
 */
export function scoreBand(score: number, scale: SatisfactionScale): ScoreBand {
  return scoreBandFor('scoreBand', score, scale);
}

/**
 * Terms over-represented in low-score comments versus high-score ones, by weighted log-odds with
 * an informative Dirichlet prior (Monroe et al. 2008, eq. 16 and 18–22). With yw the comments of
 * a band carrying w, n the sum of yw over the band's vocabulary, αw the prior and α0 = Σ αw:
 *   δw = log((yLow + αw) / (nLow + α0 − yLow − αw)) − log((yHigh + αw) / (nHigh + α0 − yHigh − αw))
 *   σ²w ≈ 1/(yLow + αw) + 1/(yHigh + αw),   z = δw / σw.
 * Counts are document frequencies (a term counts once per comment), so one long rant cannot
 * make a pain point. Feedback without a comment is skipped; neutral comments only feed the prior.
 * Sorted by z, highest first.
 */
export function painPoints(feedback: readonly ScoredComment[], options: PainPointOptions = {}): PainPoint[] {
  checkPainOptions(options);
  const segmenter = segmenterFor(options.locale);
  const tally = newTermTally();
  for (const { score, scale, comment } of feedback) {
    const band = scoreBandFor('painPoints', score, scale);
    if (comment === undefined || comment === null) continue;
    addComment(tally, [...termsOf(comment, segmenter, options).values()], band);
  }
  return painPointsFromTally(tally, options);
}

/** `painPoints` of a tally. */
export function painPointsFromTally(tally: TermTally, options: Pick<PainPointOptions, 'limit' | 'minComments' | 'minZ' | 'priorWeight'> = {}): PainPoint[] {
  const { limit, minComments, minZ, priorWeight } = checkPainOptions(options);
  const { nLow, nHigh, nAll } = tally;
  const alpha0 = priorWeight * nAll;
  const hidden = subsumedWords(new Map([...tally.counts].map(([text, count]) => [text, count.all])), tally.phrases);
  const found: PainPoint[] = [];
  for (const [term, { low, high, all }] of tally.counts) {
    if (low < minComments || hidden.has(term)) continue;
    const alpha = priorWeight * all;
    const logOdds =
      Math.log((low + alpha) / (nLow + alpha0 - low - alpha)) - Math.log((high + alpha) / (nHigh + alpha0 - high - alpha));
    const z = logOdds / Math.sqrt(1 / (low + alpha) + 1 / (high + alpha));
    if (z >= minZ) found.push({ term, z, logOdds, lowComments: low, highComments: high, comments: all });
  }
  return found.sort((a, b) => b.z - a.z || compareText(a.term, b.term)).slice(0, limit);
}

function checkPainOptions(options: PainPointOptions): { limit: number; minComments: number; minZ: number; priorWeight: number } {
  const limit = checkCount('painPoints', 'limit', options.limit ?? 10);
  const minComments = checkCount('painPoints', 'minComments', options.minComments ?? 2);
  const priorWeight = options.priorWeight ?? 1;
  if (!(priorWeight > 0)) throw new RangeError(`painPoints: priorWeight must be > 0, got ${String(priorWeight)}`);
  return { limit, minComments, minZ: options.minZ ?? 1.96, priorWeight };
}

function scoreBandFor(caller: string, score: number, scale: SatisfactionScale): ScoreBand {
  assertScore(caller, score, scale);
  if (scale === 'csat') return score <= 2 ? 'low' : score >= 4 ? 'high' : 'neutral';
  return score <= 6 ? 'low' : score >= 9 ? 'high' : 'neutral';
}

/** Single words that only ever occur inside one phrase: same number of comments as the phrase. */
function subsumedWords(counts: ReadonlyMap<string, number>, phrases: ReadonlyMap<string, readonly string[]>): Set<string> {
  const hidden = new Set<string>();
  for (const [phrase, parts] of phrases) {
    const count = counts.get(phrase);
    for (const part of parts) if (counts.get(part) === count) hidden.add(part);
  }
  return hidden;
}

function termsOf(comment: string, segmenter: Intl.Segmenter, options: TermOptions): Map<string, Term> {
  const terms = new Map<string, Term>();
  const withBigrams = options.bigrams ?? true;
  let previous: Token | null = null;
  const text = comment.normalize('NFKC').replace(/[\u2018\u2019\u02bc`]/gu, "'");
  for (const segment of segmenter.segment(text)) {
    if (!segment.isWordLike) {
      // Whitespace joins words into a phrase; punctuation ends the phrase.
      if (!ONLY_SPACE.test(segment.segment)) previous = null;
      continue;
    }
    const token = classify(segment.segment.toLowerCase(), options.stopWords);
    if (token === null) {
      previous = null;
      continue;
    }
    if (token.kind === 'content') {
      if (!terms.has(token.word)) terms.set(token.word, { text: token.word, parts: [token.word] });
      if (withBigrams && previous !== null && previous.kind !== 'stop' && previous.word !== token.word) {
        const phrase = joinPhrase(previous.word, token.word);
        if (!terms.has(phrase)) terms.set(phrase, { text: phrase, parts: [previous.word, token.word] });
      }
    }
    previous = token;
  }
  return terms;
}

/** null for tokens that are neither words nor stop words (numbers, stray letters): they break phrases. */
function classify(raw: string, extraStopWords: ReadonlySet<string> | undefined): Token | null {
  const kindOf = (word: string): TokenKind | null => {
    if (NEGATIONS.has(word)) return 'negation';
    if (ENGLISH_STOP_WORDS.has(word) || CHINESE_STOP_WORDS.has(word) || extraStopWords?.has(word)) return 'stop';
    return null;
  };
  const rawKind = kindOf(raw);
  if (rawKind !== null) return { word: raw, kind: rawKind };
  if (NUMBER.test(raw) || LATIN_LETTER.test(raw)) return null;
  const word = singular(raw.endsWith("'s") ? raw.slice(0, -2) : raw);
  return { word, kind: kindOf(word) ?? 'content' };
}

/** Light, conservative English plural folding: deliveries → delivery, boxes → box, orders → order. */
function singular(word: string): string {
  if (word.length < 4 || !PLAIN_LATIN.test(word) || NOT_PLURAL.has(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses') || word.endsWith('xes') || word.endsWith('shes') || word.endsWith('tches')) {
    return word.slice(0, -2);
  }
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Chinese and Japanese words join without a space; anything else with one. */
function joinPhrase(first: string, second: string): string {
  return ENDS_CJK.test(first) && STARTS_CJK.test(second) ? first + second : `${first} ${second}`;
}

/** One segmenter per call (about 0.1 ms to build), shared by every comment in that call. */
function segmenterFor(locale = 'zh'): Intl.Segmenter {
  return new Intl.Segmenter(locale, { granularity: 'word' });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkCount(caller: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${caller}: ${name} must be a whole number ≥ 0, got ${String(value)}`);
  }
  return value;
}
