// RFM scoring (Hughes 1994, "Strategic Database Marketing"): quintile scores 1–5 and the common 11-segment R×F grid.

/** The named RFM segments, best first. */
export const RFM_SEGMENTS = [
  'Champions',
  'Loyal',
  'Potential Loyalists',
  'New',
  'Promising',
  'Need Attention',
  'About To Sleep',
  'At Risk',
  "Can't Lose Them",
  'Hibernating',
  'Lost',
] as const;

export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** A score from 1 (worst) to 5 (best). */
export type RfmScore = 1 | 2 | 3 | 4 | 5;

/**
 * The R×F segment grid, `RFM_SEGMENT_GRID[r - 1][f - 1]`: rows are recency scores 1..5, columns
 * frequency scores 1..5. It is the widely used 10-segment map (Champions = R5 F4–5, Loyal =
 * R3–4 F4–5, Potential Loyalists = R4–5 F2–3, New = R5 F1, Promising = R4 F1, Need Attention =
 * R3 F3, About To Sleep = R3 F1–2, At Risk = R1–2 F3–4, Can't Lose Them = R1–2 F5, Hibernating =
 * R1–2 F1–2) with its Hibernating block split so the longest-gone rare buyers (R1 F1–2) are Lost.
 */
export const RFM_SEGMENT_GRID: readonly (readonly RfmSegment[])[] = Object.freeze([
  //        F1                F2                     F3                     F4                 F5
  Object.freeze(['Lost', 'Lost', 'At Risk', 'At Risk', "Can't Lose Them"] as const), // R1
  Object.freeze(['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose Them"] as const), // R2
  Object.freeze(['About To Sleep', 'About To Sleep', 'Need Attention', 'Loyal', 'Loyal'] as const), // R3
  Object.freeze(['Promising', 'Potential Loyalists', 'Potential Loyalists', 'Loyal', 'Loyal'] as const), // R4
  Object.freeze(['New', 'Potential Loyalists', 'Potential Loyalists', 'Champions', 'Champions'] as const), // R5
]);

/** What each segment means, in a rep's words. */
export const RFM_SEGMENT_DESCRIPTIONS: Readonly<Record<RfmSegment, string>> = Object.freeze({
  Champions: 'bought very recently and buy often',
  Loyal: 'buy often and fairly recently',
  'Potential Loyalists': 'recent buyers with a few purchases who could become regulars',
  New: 'first purchase very recently',
  Promising: 'a single recent purchase',
  'Need Attention': 'average recency and frequency, starting to slip',
  'About To Sleep': 'few purchases and not recently',
  'At Risk': 'used to buy regularly, not for a long time',
  "Can't Lose Them": 'among the most frequent buyers, gone quiet for a long time',
  Hibernating: 'few purchases, long ago',
  Lost: 'few purchases, longest ago of all',
});

/**
 * Segment of one R×F cell.
 * @example rfmSegment(5, 5) // 'Champions'
 */
export function rfmSegment(recencyScore: number, frequencyScore: number): RfmSegment {
  if (!isScore(recencyScore) || !isScore(frequencyScore)) {
    throw new RangeError(`rfmSegment requires integer scores 1–5, got R${recencyScore} F${frequencyScore}`);
  }
  return RFM_SEGMENT_GRID[recencyScore - 1]![frequencyScore - 1]!;
}

function isScore(value: number): value is RfmScore {
  return Number.isInteger(value) && value >= 1 && value <= 5;
}

/**
 * Quintile scores by share of the population strictly below each value:
 * score = 1 + floor(5 × #{values < v} / n) (SQL's RANK()-based quintile). Equal values get equal
 * scores (the lowest of their tie block), the smallest value always scores 1, and with distinct
 * values each score holds one fifth of the population. With heavy ties some scores go unused
 * (if 60% bought once, they all score 1 and two purchases already score 4).
 * Pass `higherIsBetter: false` to score low values high (recency in days).
 * @example quintileScores([10, 20, 30, 40, 50]) // Uint8Array [1, 2, 3, 4, 5]
 */
export function quintileScores(values: ArrayLike<number>, higherIsBetter = true): Uint8Array {
  const [t1, t2, t3, t4] = quintileThresholds(values, higherIsBetter);
  const n = values.length;
  const scores = new Uint8Array(n);
  const sign = higherIsBetter ? 1 : -1;
  // compare sign·v with sign·t: one loop for both directions
  const c1 = sign * t1;
  const c2 = sign * t2;
  const c3 = sign * t3;
  const c4 = sign * t4;
  for (let i = 0; i < n; i++) {
    const v = sign * values[i]!;
    scores[i] = 1 + (v > c1 ? 1 : 0) + (v > c2 ? 1 : 0) + (v > c3 ? 1 : 0) + (v > c4 ? 1 : 0);
  }
  return scores;
}

/**
 * The four cut values behind `quintileScores`: a value scores 1 + the number of thresholds it
 * beats (exceeds, or for `higherIsBetter: false` falls below), so a single customer can be scored
 * against a stored population. Threshold s is the ceil(s·n/5)-th smallest value, since
 * floor(5·below/n) ≥ s exactly when at least that many values lie strictly below.
 * @example quintileThresholds([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) // [2, 4, 6, 8]
 */
export function quintileThresholds(values: ArrayLike<number>, higherIsBetter = true): [number, number, number, number] {
  const n = values.length;
  if (n === 0) return [Infinity, Infinity, Infinity, Infinity];
  const work = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) throw new RangeError('quintileThresholds requires numbers, got NaN');
    work[i] = higherIsBetter ? v : -v;
  }
  // four order statistics by selection (O(n)) rather than a full sort; each select leaves
  // everything before its position ≤ it, so the next search starts just after it
  const cuts: number[] = [];
  let from = 0;
  for (let s = 1; s <= 4; s++) {
    const k = Math.ceil((s * n) / 5) - 1;
    const t = selectInPlace(work, k, from, n - 1);
    cuts.push(higherIsBetter ? t : -t);
    from = k;
  }
  return cuts as [number, number, number, number];
}

/**
 * The k-th smallest of a[lo..hi] (0-based), partitioning in place (Hoare/Wirth selection; equal keys
 * stop both scans, so heavy ties stay linear).
 */
function selectInPlace(a: Float64Array, k: number, lo: number, hi: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const swap = a[i]!;
        a[i] = a[j]!;
        a[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Score 1–5 of one value against `quintileThresholds` of its population.
 * @example scoreAgainst([2, 4, 6, 8], 5) // 3
 */
export function scoreAgainst(thresholds: readonly [number, number, number, number], value: number, higherIsBetter = true): RfmScore {
  let score = 1;
  for (const t of thresholds) if (higherIsBetter ? value > t : value < t) score++;
  return score as RfmScore;
}

/** Per-customer inputs, aligned arrays (index i = customer i). */
export interface RfmInput {
  /** Days from the latest purchase to the as-of day (ignored for customers with no purchase). */
  readonly daysSinceLastPurchase: ArrayLike<number>;
  /** Distinct purchase days; 0 = never bought: no RFM score. */
  readonly purchaseDays: ArrayLike<number>;
  /** Net revenue (refunds included). */
  readonly revenue: ArrayLike<number>;
}

/** Scores aligned with the input; 0 / null for customers who never bought. */
export interface RfmScores {
  /** 1–5, higher = more recent; 0 = not scored. */
  readonly recency: Uint8Array;
  /** 1–5, higher = more purchase days; 0 = not scored. */
  readonly frequency: Uint8Array;
  /** 1–5, higher = more revenue; 0 = not scored. */
  readonly monetary: Uint8Array;
  /** Segment from the R×F grid; null = never bought. */
  readonly segment: (RfmSegment | null)[];
  /** Customers scored (those with at least one purchase day): the population the quintiles span. */
  readonly scored: number;
}

/**
 * RFM scores for a population. Customers with no purchase day are left out of the quintiles and get
 * no score (0) and no segment (null): "never bought" is not the bottom fifth of buyers.
 * @example rfmScores({ daysSinceLastPurchase: [1], purchaseDays: [1], revenue: [9] }).segment // ['New']
 */
export function rfmScores(input: RfmInput): RfmScores {
  const n = input.purchaseDays.length;
  if (input.daysSinceLastPurchase.length !== n || input.revenue.length !== n) {
    throw new RangeError('rfmScores requires aligned arrays of equal length');
  }
  let m = 0;
  for (let i = 0; i < n; i++) if (input.purchaseDays[i]! > 0) m++;
  const buyers = new Int32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (input.purchaseDays[i]! > 0) buyers[j++] = i;
  const recencyIn = new Float64Array(m);
  const frequencyIn = new Float64Array(m);
  const monetaryIn = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const i = buyers[j]!;
    recencyIn[j] = input.daysSinceLastPurchase[i]!;
    frequencyIn[j] = input.purchaseDays[i]!;
    monetaryIn[j] = input.revenue[i]!;
  }
  const r = quintileScores(recencyIn, false);
  const f = quintileScores(frequencyIn);
  const mo = quintileScores(monetaryIn);

  const recency = new Uint8Array(n);
  const frequency = new Uint8Array(n);
  const monetary = new Uint8Array(n);
  const flatGrid = RFM_SEGMENT_GRID.flat();
  const segment: (RfmSegment | null)[] = new Array<RfmSegment | null>(n).fill(null);
  for (let j = 0; j < m; j++) {
    const i = buyers[j]!;
    recency[i] = r[j]!;
    frequency[i] = f[j]!;
    monetary[i] = mo[j]!;
    segment[i] = flatGrid[(r[j]! - 1) * 5 + f[j]! - 1]!;
  }
  return { recency, frequency, monetary, segment, scored: m };
}

/**
 * The grid as text, recency rows from 5 down to 1, for docs, tests and the model card.
 * @example formatRfmGrid().split('\n')[1] // 'R5 | New | Potential Loyalists | ...'
 */
export function formatRfmGrid(): string {
  const lines = ['R\\F | F1 | F2 | F3 | F4 | F5'];
  for (let r = 5; r >= 1; r--) lines.push(`R${r} | ${RFM_SEGMENT_GRID[r - 1]!.join(' | ')}`);
  return lines.join('\n');
}
