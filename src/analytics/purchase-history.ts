// Customer-base summary (x, t_x, T, z̄) as defined in Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", §2 and the CDNOW data notes (repeat purchases = purchase days after the first).

// API, shaped for a million customers: `summarizePurchases` for one customer (an object per call);
// `summarizeCustomers` for all of them from one compressed-row order table into typed arrays (no
// per-customer allocation; ~8M orders in a few hundred ms); `groupHistories` merges equal (x, t_x, T)
// into weighted rows with the distinct-value indexes the models evaluate on, so a likelihood pass
// costs distinct histories, not customers; `expandToCustomers` spreads per-row scores back.

/**
 * One customer's history as of a day. Times are in the unit of the input day numbers.
 * A purchase day is a day with at least one order of amount ≥ 0 on or before the as-of day;
 * negative amounts are refunds: they count in `revenue` only.
 */
export interface PurchaseSummary {
  /** Distinct purchase days. 0 when the customer had no purchase by the as-of day. */
  purchaseDays: number;
  /** x: repeat purchase days (purchaseDays − 1; 0 when there is none). */
  frequency: number;
  /** t_x: last purchase day − first purchase day (NaN without a purchase). */
  recency: number;
  /** T: as-of day − first purchase day (NaN without a purchase). */
  age: number;
  firstPurchaseDay: number;
  lastPurchaseDay: number;
  /** z̄: mean of the per-day purchase totals over repeat days (first day left out); 0 when x = 0. */
  meanRepeatSpend: number;
  /** Every amount on or before the as-of day, refunds included. */
  revenue: number;
}

/** Many customers at once, one typed array per field (index = customer position). */
export interface PurchaseSummaries {
  count: number;
  purchaseDays: Int32Array;
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  firstPurchaseDay: Float64Array;
  lastPurchaseDay: Float64Array;
  meanRepeatSpend: Float64Array;
  revenue: Float64Array;
}

/**
 * Orders of many customers in compressed-row layout: customer i owns entries
 * offsets[i] … offsets[i + 1] − 1 of `days` and `amounts` (any order inside a customer).
 */
export interface CustomerPurchases {
  offsets: ArrayLike<number>;
  days: ArrayLike<number>;
  amounts: ArrayLike<number>;
}

/**
 * Summarises one customer's orders as of `asOfDay` (orders after it are ignored).
 * Same-day orders form one transaction-day, their amounts summed. For a million customers use
 * `summarizeCustomers`, which writes into typed arrays instead of allocating an object each.
 * @example summarizePurchases([3, 0, 3, 10, 12], [5, 20, 7, -4, 0], 12)
 *   // { purchaseDays: 3, frequency: 2, recency: 12, age: 12, meanRepeatSpend: 6, revenue: 28, … }
 */
export function summarizePurchases(
  days: ArrayLike<number>,
  amounts: ArrayLike<number>,
  asOfDay: number,
): PurchaseSummary {
  if (days.length !== amounts.length) {
    throw new RangeError(`summarizePurchases: ${days.length} days but ${amounts.length} amounts`);
  }
  const out = allocateSummaries(1);
  summarizeRange(days, amounts, 0, days.length, asOfDay, out, 0, { order: new Int32Array(0) });
  return {
    purchaseDays: out.purchaseDays[0]!,
    frequency: out.frequency[0]!,
    recency: out.recency[0]!,
    age: out.age[0]!,
    firstPurchaseDay: out.firstPurchaseDay[0]!,
    lastPurchaseDay: out.lastPurchaseDay[0]!,
    meanRepeatSpend: out.meanRepeatSpend[0]!,
    revenue: out.revenue[0]!,
  };
}

/**
 * `summarizePurchases` for every customer of a compressed-row order table.
 * Linear in the number of orders when each customer's orders are sorted by day.
 * @example summarizeCustomers({ offsets: [0, 2, 3], days: [0, 5, 1], amounts: [10, 4, 9] }, 7).frequency // [1, 0]
 */
export function summarizeCustomers(purchases: CustomerPurchases, asOfDay: number): PurchaseSummaries {
  const { offsets, days, amounts } = purchases;
  if (days.length !== amounts.length) {
    throw new RangeError(`summarizeCustomers: ${days.length} days but ${amounts.length} amounts`);
  }
  const count = Math.max(0, offsets.length - 1);
  const out = allocateSummaries(count);
  const scratch = { order: new Int32Array(64) };
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (!(start >= 0 && end >= start && end <= days.length)) {
      throw new RangeError(`summarizeCustomers: bad offsets for customer ${i}: ${start}…${end}`);
    }
    summarizeRange(days, amounts, start, end, asOfDay, out, i, scratch);
  }
  return out;
}

function allocateSummaries(count: number): PurchaseSummaries {
  return {
    count,
    purchaseDays: new Int32Array(count),
    frequency: new Float64Array(count),
    recency: new Float64Array(count),
    age: new Float64Array(count),
    firstPurchaseDay: new Float64Array(count),
    lastPurchaseDay: new Float64Array(count),
    meanRepeatSpend: new Float64Array(count),
    revenue: new Float64Array(count),
  };
}

function summarizeRange(
  days: ArrayLike<number>,
  amounts: ArrayLike<number>,
  start: number,
  end: number,
  asOfDay: number,
  out: PurchaseSummaries,
  i: number,
  scratch: { order: Int32Array },
): void {
  let sorted = true;
  for (let k = start; k < end; k++) {
    const day = days[k]!;
    if (!Number.isFinite(day) || !Number.isFinite(amounts[k]!)) {
      throw new RangeError(`summarizePurchases: order ${k} has day ${day} and amount ${amounts[k]}`);
    }
    if (k > start && day < days[k - 1]!) sorted = false;
  }
  let order: Int32Array | undefined;
  if (!sorted) {
    const length = end - start;
    if (scratch.order.length < length) scratch.order = new Int32Array(Math.max(length, 2 * scratch.order.length));
    order = scratch.order.subarray(0, length);
    for (let k = 0; k < length; k++) order[k] = start + k;
    order.sort((p, q) => days[p]! - days[q]! || p - q);
  }
  let purchaseDays = 0;
  let first = NaN;
  let last = NaN;
  let repeatSpend = 0;
  let revenue = 0;
  for (let k = 0; k < end - start; k++) {
    const at = order === undefined ? start + k : order[k]!;
    const day = days[at]!;
    if (day > asOfDay) {
      if (order === undefined) break;
      continue;
    }
    const amount = amounts[at]!;
    revenue += amount;
    if (amount < 0) continue;
    if (day !== last) {
      purchaseDays++;
      if (purchaseDays === 1) first = day;
      last = day;
    }
    if (purchaseDays > 1) repeatSpend += amount;
  }
  out.purchaseDays[i] = purchaseDays;
  out.frequency[i] = Math.max(0, purchaseDays - 1);
  out.recency[i] = last - first;
  out.age[i] = asOfDay - first;
  out.firstPurchaseDay[i] = first;
  out.lastPurchaseDay[i] = last;
  out.meanRepeatSpend[i] = purchaseDays > 1 ? repeatSpend / (purchaseDays - 1) : 0;
  out.revenue[i] = revenue;
}

/**
 * Customers with identical (x, t_x, T), merged into weighted rows, plus the indexes the models
 * use to evaluate their likelihoods once per distinct value instead of once per customer.
 */
export interface HistoryGroups {
  /** Distinct histories. */
  size: number;
  /** Σ weight: the number of customers. */
  customers: number;
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  weight: Float64Array;
  /** Distinct frequencies, ascending; `frequencyIndex[row]` points into it. */
  frequencies: Float64Array;
  frequencyIndex: Int32Array;
  /** Distinct times (recencies and ages together), ascending. */
  times: Float64Array;
  recencyIndex: Int32Array;
  ageIndex: Int32Array;
  /** Row of each input customer (present when asked for with `keepCustomerRows`). */
  rowOfCustomer: Int32Array | undefined;
}

export interface GroupOptions {
  /** Customers per input entry (default 1 each), e.g. the counts of an already grouped table. */
  weights?: ArrayLike<number>;
  /** Keep the customer → row map, to spread per-row scores back to customers. */
  keepCustomerRows?: boolean;
}

/**
 * Groups customers by identical (x, t_x, T). Inputs are parallel arrays in any time unit.
 * Rows come out sorted by (x, T, t_x), whatever the input order: values are mapped to indexes of
 * their distinct values, then customers are radix-sorted on those indexes (linear time, no hashing).
 * Guards: x a non-negative integer, 0 ≤ t_x ≤ T, t_x = 0 when x = 0, weights ≥ 0.
 * @example groupHistories([0, 2, 0], [0, 5, 0], [9, 9, 9]).weight // [2, 1]
 */
export function groupHistories(
  frequency: ArrayLike<number>,
  recency: ArrayLike<number>,
  age: ArrayLike<number>,
  options: GroupOptions = {},
): HistoryGroups {
  const n = frequency.length;
  const weights = options.weights === undefined ? undefined : Float64Array.from(options.weights);
  if (recency.length !== n || age.length !== n || (weights && weights.length !== n)) {
    throw new RangeError('groupHistories: frequency, recency, age (and weights) must have the same length');
  }
  // Pass 1: validate, and mark which values occur (a lookup table when they are day counts).
  const seenX = new Uint8Array(1024);
  let seenTime: Uint8Array = new Uint8Array(4096);
  let smallIntegers = true;
  for (let i = 0; i < n; i++) {
    const x = frequency[i]!;
    const tx = recency[i]!;
    const T = age[i]!;
    if (!(x >= 0 && Math.floor(x) === x && tx >= 0 && tx <= T && T < Infinity && (x > 0 || tx === 0))) {
      throw new RangeError(`groupHistories: customer ${i} has x=${x}, t_x=${tx}, T=${T}`);
    }
    if (weights && !(weights[i]! >= 0 && weights[i]! < Infinity)) {
      throw new RangeError(`groupHistories: customer ${i} has weight ${weights[i]}`);
    }
    if (smallIntegers) {
      if (x < 1024 && T < SMALL_TIME_LIMIT && Math.floor(tx) === tx && Math.floor(T) === T) {
        if (T >= seenTime.length) seenTime = grow(seenTime, T);
        seenX[x] = 1;
        seenTime[tx] = 1;
        seenTime[T] = 1;
      } else {
        smallIntegers = false;
      }
    }
  }
  const xOf = new Int32Array(n);
  const txOf = new Int32Array(n);
  const TOf = new Int32Array(n);
  let frequencies: Float64Array;
  let times: Float64Array;
  if (smallIntegers) {
    const xPosition = positions(seenX);
    const timePosition = positions(seenTime);
    frequencies = xPosition.values;
    times = timePosition.values;
    for (let i = 0; i < n; i++) {
      xOf[i] = xPosition.index[frequency[i]!]!;
      txOf[i] = timePosition.index[recency[i]!]!;
      TOf[i] = timePosition.index[age[i]!]!;
    }
  } else {
    // Map keys compare with SameValueZero, so −0 and 0 are one value here as in the table path.
    frequencies = distinctValues([frequency], [xOf]);
    times = distinctValues([recency, age], [txOf, TOf]);
  }

  // LSD radix sort: by t_x, then by (x, T) — one combined key when the table of buckets is small.
  const nT = times.length;
  const nX = frequencies.length;
  const order = new Int32Array(n);
  const spare = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const key = new Int32Array(n);
  countingSort(order, spare, txOf, nT);
  if (nX * nT <= 1 << 22) {
    for (let i = 0; i < n; i++) key[i] = xOf[i]! * nT + TOf[i]!;
    countingSort(spare, order, key, nX * nT);
  } else {
    countingSort(spare, order, TOf, nT);
    countingSort(order, spare, xOf, nX);
    order.set(spare);
  }

  // Merge runs of equal (x, T, t_x) into rows; the sort's scratch arrays are free to hold them.
  const rowOfCustomer = options.keepCustomerRows ? new Int32Array(n) : undefined;
  const frequencyIndex = key;
  const recencyIndex = spare;
  const ageIndex = new Int32Array(n);
  const weight = new Float64Array(n);
  let size = 0;
  let lastX = -1;
  let lastR = -1;
  let lastA = -1;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const xi = xOf[i]!;
    const ri = txOf[i]!;
    const ai = TOf[i]!;
    if (xi !== lastX || ai !== lastA || ri !== lastR) {
      frequencyIndex[size] = lastX = xi;
      recencyIndex[size] = lastR = ri;
      ageIndex[size] = lastA = ai;
      size++;
    }
    weight[size - 1] = weight[size - 1]! + (weights ? weights[i]! : 1);
    if (rowOfCustomer) rowOfCustomer[i] = size - 1;
  }
  return historyGroups(
    frequencies,
    times,
    frequencyIndex.slice(0, size),
    recencyIndex.slice(0, size),
    ageIndex.slice(0, size),
    weight.slice(0, size),
    rowOfCustomer,
  );
}

/** Times below this that are whole numbers (day counts) are indexed through a lookup table. */
const SMALL_TIME_LIMIT = 1 << 22;

function grow(table: Uint8Array, atLeast: number): Uint8Array {
  let length = table.length;
  while (length <= atLeast) length *= 2;
  const out = new Uint8Array(length);
  out.set(table);
  return out;
}

/** For a presence table: the present values ascending, and each value's position among them. */
function positions(seen: Uint8Array): { values: Float64Array; index: Int32Array } {
  const index = new Int32Array(seen.length).fill(-1);
  let count = 0;
  for (let v = 0; v < seen.length; v++) if (seen[v] === 1) index[v] = count++;
  const values = new Float64Array(count);
  for (let v = 0; v < seen.length; v++) if (index[v]! >= 0) values[index[v]!] = v;
  return { values, index };
}

/**
 * About `customers` customers drawn from grouped histories by systematic sampling (every k-th
 * customer in row order, k = total / customers): deterministic, and since rows are sorted by
 * (x, T, t_x) it is stratified on them. Used to find a starting point cheaply before a full fit.
 * @example sampleHistories(groups, 50_000).customers // ≈ 50 000
 */
export function sampleHistories(groups: HistoryGroups, customers: number): HistoryGroups {
  const fraction = Math.min(1, customers / groups.customers);
  const keep: number[] = [];
  const kept: number[] = [];
  let cumulative = 0.5; // the first pick sits halfway into the first interval
  for (let row = 0; row < groups.size; row++) {
    const before = Math.floor(cumulative);
    cumulative += groups.weight[row]! * fraction;
    const count = Math.floor(cumulative) - before;
    if (count > 0) {
      keep.push(row);
      kept.push(count);
    }
  }
  const pick = (source: Int32Array): Int32Array => Int32Array.from(keep, (row) => source[row]!);
  return historyGroups(
    groups.frequencies,
    groups.times,
    pick(groups.frequencyIndex),
    pick(groups.recencyIndex),
    pick(groups.ageIndex),
    Float64Array.from(kept),
    undefined,
  );
}

function historyGroups(
  frequencies: Float64Array,
  times: Float64Array,
  frequencyIndex: Int32Array,
  recencyIndex: Int32Array,
  ageIndex: Int32Array,
  weight: Float64Array,
  rowOfCustomer: Int32Array | undefined,
): HistoryGroups {
  const size = weight.length;
  const frequency = new Float64Array(size);
  const recency = new Float64Array(size);
  const age = new Float64Array(size);
  let customers = 0;
  for (let row = 0; row < size; row++) {
    frequency[row] = frequencies[frequencyIndex[row]!]!;
    recency[row] = times[recencyIndex[row]!]!;
    age[row] = times[ageIndex[row]!]!;
    customers += weight[row]!;
  }
  return {
    size,
    customers,
    frequency,
    recency,
    age,
    weight,
    frequencies,
    frequencyIndex,
    times,
    recencyIndex,
    ageIndex,
    rowOfCustomer,
  };
}

/** Stable counting sort of `order` by keys[order[k]] ∈ [0, buckets), into `out`. */
function countingSort(order: Int32Array, out: Int32Array, keys: Int32Array, buckets: number): void {
  const start = new Int32Array(buckets + 1);
  for (let k = 0; k < order.length; k++) {
    const b = keys[order[k]!]! + 1;
    start[b] = start[b]! + 1;
  }
  for (let b = 0; b < buckets; b++) start[b + 1] = start[b + 1]! + start[b]!;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const b = keys[i]!;
    out[start[b]!] = i;
    start[b] = start[b]! + 1;
  }
}

/**
 * Spreads one value per history row back to one value per customer (needs `keepCustomerRows`).
 * @example expandToCustomers(new Float64Array([0.5, 0.9]), groups) // one entry per customer
 */
export function expandToCustomers(rowValues: ArrayLike<number>, groups: HistoryGroups): Float64Array {
  const rows = groups.rowOfCustomer;
  if (!rows) throw new RangeError('expandToCustomers: group with { keepCustomerRows: true } first');
  if (rowValues.length !== groups.size) {
    throw new RangeError(`expandToCustomers: ${rowValues.length} values for ${groups.size} rows`);
  }
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rowValues[rows[i]!]!;
  return out;
}

/** Sorted distinct values over several arrays; writes each entry's position in the result into `indexes`. */
function distinctValues(columns: ArrayLike<number>[], indexes: Int32Array[]): Float64Array {
  const seen = new Map<number, number>();
  for (const column of columns) for (let i = 0; i < column.length; i++) seen.set(column[i]!, 0);
  const values = Float64Array.from(seen.keys()).sort();
  values.forEach((v, k) => seen.set(v, k));
  columns.forEach((column, c) => {
    const index = indexes[c]!;
    for (let i = 0; i < column.length; i++) index[i] = seen.get(column[i]!)!;
  });
  return values;
}
