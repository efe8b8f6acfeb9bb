// Which customers cross into an alert at this refresh: pure, over the refresh's in-memory arrays
// (one entry per customer, NaN where there is no figure). Edge-triggered by construction: a
// customer is a candidate only when the condition holds now and did not hold at the previous
// refresh, so a refresh that changes nothing finds nobody — and the alerts table's episode key stops
// a second alert while an earlier one is still open.
//   slipping: value at risk in the top share, churn risk at or above the threshold now and below
//             it at the previous refresh;
//   silent:   a repeat customer (two purchase days or more) whose worth is in the top share, quiet
//             for more than k usual gaps now, and not yet at the previous refresh's as-of day.
// Both are about valuable customers: on the demo store every fortieth customer goes quiet in a week,
// which at a million customers would be 25,000 direct messages a week.

export interface AlertInputs {
  asOfDay: number;
  /** The previous refresh's as-of day; null when there is none (or this refresh is not later). */
  previousAsOfDay: number | null;
  risk: Float64Array;
  /** The previous refresh's churn risk (NaN: none). */
  previousRisk: Float64Array;
  /** 1 when the customer had a row in the previous refresh. */
  previousKnown: Uint8Array;
  valueAtRisk: Float64Array;
  /** What the customer is worth (12-month CLV, else revenue). */
  worth: Float64Array;
  purchaseDays: ArrayLike<number>;
  lastPurchaseDay: ArrayLike<number>;
  /** The customer's own usual gap between purchase days (NaN: fewer than two). */
  usualGap: Float64Array;
}

export interface AlertRules {
  risk: number;
  topShare: number;
  silentGaps: number;
}

export interface AlertCandidate {
  index: number;
  kind: 'slipping' | 'silent';
}

export interface Evaluation {
  candidates: AlertCandidate[];
  /** The smallest value at risk inside the top share (Infinity when nobody has one). */
  valueCutoff: number;
  /** The smallest worth inside the top share (Infinity when nobody has one). */
  worthCutoff: number;
}

export function evaluateAlerts(x: AlertInputs, rules: AlertRules): Evaluation {
  const valueCutoff = topShareCutoff(x.valueAtRisk, rules.topShare);
  const worthCutoff = topShareCutoff(x.worth, rules.topShare);
  const candidates: AlertCandidate[] = [];
  if (x.previousAsOfDay === null) return { candidates, valueCutoff, worthCutoff };
  const n = x.risk.length;
  const prevAsOf = x.previousAsOfDay;
  for (let i = 0; i < n; i++) {
    const risk = x.risk[i]!;
    if (risk >= rules.risk && x.valueAtRisk[i]! >= valueCutoff && x.previousKnown[i] === 1) {
      const before = x.previousRisk[i]!;
      // No score last time (no purchase yet) counts as below: the customer has crossed since.
      if (!(before >= rules.risk)) candidates.push({ index: i, kind: 'slipping' });
    }
    if (x.purchaseDays[i]! >= 2 && x.worth[i]! >= worthCutoff) {
      const gap = x.usualGap[i]!;
      if (gap > 0) {
        const last = x.lastPurchaseDay[i]!;
        const limit = rules.silentGaps * gap;
        if (x.asOfDay - last > limit && prevAsOf - last <= limit) candidates.push({ index: i, kind: 'silent' });
      }
    }
  }
  return { candidates, valueCutoff, worthCutoff };
}

/**
 * The smallest value among the largest `share` of the positive, finite values (Infinity when there
 * are none): a customer at or above it is in the top share.
 * @example topShareCutoff(Float64Array.from([5, 1, 4, 2, 3]), 0.4) // 4
 */
export function topShareCutoff(values: ArrayLike<number>, share: number): number {
  const pool = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 0 && Number.isFinite(v)) pool[m++] = v;
  }
  if (m === 0) return Infinity;
  const k = Math.min(m, Math.max(1, Math.ceil(share * m)));
  return kthLargest(pool.subarray(0, m), k);
}

/** The k-th largest value (1-based), by selection (Hoare's quickselect); reorders `a`. */
export function kthLargest(a: Float64Array, k: number): number {
  if (k < 1 || k > a.length) throw new RangeError(`kthLargest: k must be within 1..${a.length}`);
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}
