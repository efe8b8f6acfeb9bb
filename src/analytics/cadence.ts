// Purchase cadence: the usual gap is the median gap between a customer's distinct purchase days (robust to one long pause).

/**
 * A customer's rhythm of buying, as of one day. Days are integer day numbers (e.g. days since
 * 1970-01-01 in PULSE_TIMEZONE); only distinct purchase days on or before `asOfDay` count.
 */
export interface CustomerCadence {
  /** Distinct purchase days on or before the as-of day (0 = never bought). */
  readonly purchaseDays: number;
  /** Days from the first purchase to the as-of day; null when the customer never bought. */
  readonly daysSinceFirstPurchase: number | null;
  /** Days from the latest purchase to the as-of day; null when the customer never bought. */
  readonly daysSinceLastPurchase: number | null;
  /** Median gap between consecutive purchase days; null with fewer than two purchase days. */
  readonly usualGapDays: number | null;
  /** The gap that ended with the latest purchase; null with fewer than two purchase days. */
  readonly lastGapDays: number | null;
  /**
   * Median of the gaps before the last one: the rhythm the customer had before their latest
   * purchase, used to tell a comeback from routine. Null with fewer than three purchase days.
   */
  readonly usualGapBeforeLastDays: number | null;
}

/** Where a gap the customer is judged against comes from. */
export interface ExpectedGap {
  readonly days: number;
  /** `customer`: their own median gap; `population`: the median of customers' usual gaps. */
  readonly source: 'customer' | 'population';
}

/**
 * Median of a list of numbers (mean of the two middle values for an even count).
 * @example medianOf([5, 1, 3]) // 3
 */
export function medianOf(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new RangeError('medianOf requires at least one value');
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Distinct purchase days on or before `asOfDay`, ascending. Same-day orders are one purchase.
 * @example distinctPurchaseDays([3, 1, 3, 9], 5) // [1, 3]
 */
export function distinctPurchaseDays(days: ArrayLike<number>, asOfDay = Infinity): Float64Array {
  const sorted = Float64Array.from(days).sort();
  let out = 0;
  for (let i = 0; i < sorted.length; i++) {
    const day = sorted[i]!;
    if (!Number.isFinite(day)) throw new RangeError('distinctPurchaseDays requires finite day numbers');
    if (day > asOfDay) break;
    if (out === 0 || day !== sorted[out - 1]) sorted[out++] = day;
  }
  return sorted.subarray(0, out);
}

/**
 * Gaps in days between consecutive distinct purchase days.
 * @example purchaseGaps([1, 3, 3, 10]) // [2, 7]
 */
export function purchaseGaps(purchaseDays: ArrayLike<number>): number[] {
  const days = distinctPurchaseDays(purchaseDays);
  const gaps: number[] = [];
  for (let i = 1; i < days.length; i++) gaps.push(days[i]! - days[i - 1]!);
  return gaps;
}

/**
 * The customer's usual gap: median of gaps between distinct purchase days; null below two days.
 * @example usualGap([0, 10, 20, 200]) // 10 (one long pause does not move it)
 */
export function usualGap(purchaseDays: ArrayLike<number>): number | null {
  const gaps = purchaseGaps(purchaseDays);
  return gaps.length === 0 ? null : medianOf(gaps);
}

/**
 * Cadence facts for one customer as of `asOfDay` (orders after that day are ignored).
 * @example customerCadence([0, 30, 60, 80], 100).usualGapDays // 30
 */
export function customerCadence(purchaseDays: ArrayLike<number>, asOfDay: number): CustomerCadence {
  if (!Number.isFinite(asOfDay)) throw new RangeError('customerCadence requires a finite asOfDay');
  const days = distinctPurchaseDays(purchaseDays, asOfDay);
  const n = days.length;
  if (n === 0) {
    return {
      purchaseDays: 0,
      daysSinceFirstPurchase: null,
      daysSinceLastPurchase: null,
      usualGapDays: null,
      lastGapDays: null,
      usualGapBeforeLastDays: null,
    };
  }
  const gaps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) gaps[i - 1] = days[i]! - days[i - 1]!;
  return {
    purchaseDays: n,
    daysSinceFirstPurchase: asOfDay - days[0]!,
    daysSinceLastPurchase: asOfDay - days[n - 1]!,
    usualGapDays: n >= 2 ? medianOf(gaps) : null,
    lastGapDays: n >= 2 ? gaps[n - 2]! : null,
    usualGapBeforeLastDays: n >= 3 ? medianOf(gaps.subarray(0, n - 2)) : null,
  };
}

/**
 * `customerCadence` for days already sorted ascending (the first `count` of `sortedDays`), with a
 * scratch buffer of at least `count` for the gaps: no allocation but the result, for a million
 * customers a refresh.
 * @example customerCadenceSorted([0, 30, 60, 80], 4, 100, new Float64Array(4)).usualGapDays // 30
 */
export function customerCadenceSorted(sortedDays: ArrayLike<number>, count: number, asOfDay: number, scratch: Float64Array): CustomerCadence {
  let n = 0;
  let last = NaN;
  let first = NaN;
  // Distinct days on or before the as-of day, their gaps written into the scratch buffer.
  for (let i = 0; i < count; i++) {
    const day = sortedDays[i]!;
    if (day > asOfDay) break;
    if (n > 0 && day === last) continue;
    if (n === 0) first = day;
    else scratch[n - 1] = day - last;
    last = day;
    n++;
  }
  if (n === 0) return { purchaseDays: 0, daysSinceFirstPurchase: null, daysSinceLastPurchase: null, usualGapDays: null, lastGapDays: null, usualGapBeforeLastDays: null };
  const lastGap = n >= 2 ? scratch[n - 2]! : null;
  // Before the last gap, then with it: each median sorts the gaps in place, so the order matters.
  const beforeLast = n >= 3 ? medianSortingInPlace(scratch, n - 2) : null;
  if (n >= 3) scratch[n - 2] = lastGap!;
  const usual = n >= 2 ? medianSortingInPlace(scratch, n - 1) : null;
  return { purchaseDays: n, daysSinceFirstPurchase: asOfDay - first, daysSinceLastPurchase: asOfDay - last, usualGapDays: usual, lastGapDays: lastGap, usualGapBeforeLastDays: beforeLast };
}

/** Median of the first `n` values of `buffer`, which it sorts in place. */
function medianSortingInPlace(buffer: Float64Array, n: number): number {
  const values = buffer.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Population fallback for one-time buyers: the median of repeat customers' usual gaps.
 * Non-finite entries (customers without a usual gap, stored as NaN) are skipped; null if none remain.
 * A per-customer median (not the pooled gaps) so frequent buyers do not dominate the typical rhythm.
 * @example populationUsualGap([10, NaN, 30, 50]) // 30
 */
export function populationUsualGap(usualGaps: ArrayLike<number>): number | null {
  const finite = new Float64Array(usualGaps.length);
  let n = 0;
  for (let i = 0; i < usualGaps.length; i++) {
    const gap = usualGaps[i]!;
    if (Number.isFinite(gap)) finite[n++] = gap;
  }
  return n === 0 ? null : medianOf(finite.subarray(0, n));
}

/**
 * The gap a customer is judged against: their own usual gap, else the population's.
 * @example expectedGap({ usualGapDays: null, ... }, 45) // { days: 45, source: 'population' }
 */
export function expectedGap(cadence: Pick<CustomerCadence, 'usualGapDays'>, populationGapDays: number): ExpectedGap {
  if (cadence.usualGapDays !== null) return { days: cadence.usualGapDays, source: 'customer' };
  if (!(populationGapDays > 0)) throw new RangeError('expectedGap requires a positive populationGapDays');
  return { days: populationGapDays, source: 'population' };
}

/**
 * Days past the usual gap (0 while within it).
 * @example daysOverdue(142, 46) // 96
 */
export function daysOverdue(daysSinceLastPurchase: number, gapDays: number): number {
  return Math.max(0, daysSinceLastPurchase - gapDays);
}

/**
 * Days since the last purchase divided by the usual gap: 1 = exactly one usual gap, 3 = three.
 * @example overdueRatio(142, 46) // 3.087
 */
export function overdueRatio(daysSinceLastPurchase: number, gapDays: number): number {
  if (!(gapDays > 0)) throw new RangeError('overdueRatio requires a positive gap');
  return Math.max(0, daysSinceLastPurchase) / gapDays;
}
