// Source: Agrawal, Imieliński & Swami (1993) association rules (support, confidence) with Brin et al. (1997) lift, mined Apriori-style (Agrawal & Srikant 1994).

/**
 * Order items in a flat, columnar form: item k belongs to order `orderIndex[k]` and is product
 * `productIds[productIndex[k]]`. Typed arrays (Int32Array, Uint32Array) keep 10M items compact.
 */
export interface FlatBaskets {
  readonly orderIndex: ArrayLike<number>;
  readonly productIndex: ArrayLike<number>;
  readonly productIds: readonly string[];
  /**
   * How many identical orders order o stands for (default 1 each): a store with a small catalogue
   * repeats the same few baskets millions of times, and counts each distinct one once.
   */
  readonly orderWeights?: ArrayLike<number>;
}

export interface BasketOptions {
  /** Minimum share of orders containing the whole rule (default 0.01). */
  readonly minSupport?: number;
  /** Minimum P(consequent | antecedent) (default 0.1). */
  readonly minConfidence?: number;
  /** Minimum lift (default 1: at least as likely together as by chance). */
  readonly minLift?: number;
  /** Minimum number of orders containing the whole rule (default 1), on top of minSupport. */
  readonly minCount?: number;
  /** 1: rules item → item only; 2: also {item, item} → item (default 1). */
  readonly maxAntecedent?: 1 | 2;
  /**
   * Up to this many products the pair counts live in a dense triangular Uint32Array
   * (P(P−1)/2 cells: 4096 products ≈ 34 MB); beyond it, in a Map of the pairs seen (default 4096).
   */
  readonly denseProductLimit?: number;
}

/**
 * "Orders with every antecedent item also contain the consequent." Support = count / orders;
 * confidence = count / orders containing the antecedent; lift = confidence / share of orders
 * containing the consequent. Orders are the orders with at least one item.
 */
export interface AssociationRule {
  readonly antecedent: readonly string[];
  readonly consequent: string;
  readonly support: number;
  readonly confidence: number;
  readonly lift: number;
  /** Orders containing antecedent and consequent together. */
  readonly count: number;
}

export interface CrossSellSuggestion {
  readonly product: string;
  /** lift × confidence of the justifying rule. */
  readonly score: number;
  /** The strongest rule whose antecedent the customer owns and whose consequent is `product`. */
  readonly rule: AssociationRule;
}

/**
 * Flattens baskets given as arrays of product ids; products are numbered in order of first sight.
 * @example encodeBaskets([['tea', 'cup'], ['tea']]) // { orderIndex: [0,0,1], productIndex: [0,1,0], productIds: ['tea','cup'] }
 */
export function encodeBaskets(transactions: readonly (readonly string[])[]): FlatBaskets {
  let items = 0;
  for (const basket of transactions) items += basket.length;
  const orderIndex = new Int32Array(items);
  const productIndex = new Int32Array(items);
  const productIds: string[] = [];
  const indexOf = new Map<string, number>();
  let k = 0;
  transactions.forEach((basket, order) => {
    for (const product of basket) {
      let index = indexOf.get(product);
      if (index === undefined) {
        index = productIds.length;
        indexOf.set(product, index);
        productIds.push(product);
      }
      orderIndex[k] = order;
      productIndex[k] = index;
      k++;
    }
  });
  return { orderIndex, productIndex, productIds };
}

/**
 * Association rules between products bought in the same order. A product listed twice in one
 * order counts once. Pairs are counted in one pass over the orders; with `maxAntecedent: 2` a
 * second pass counts only triples whose three pairs are all frequent (the Apriori property).
 * Sorted by lift, then confidence, then count, then ids.
 * @example associationRules([['tea','cup'],['tea','cup'],['tea'],['jam']], { minSupport: 0.5 })
 *          // cup → tea: support 0.5, confidence 1, lift 1.333, count 2; tea → cup: confidence 0.667, lift 1.333
 */
export function associationRules(
  baskets: FlatBaskets | readonly (readonly string[])[],
  options: BasketOptions = {},
): AssociationRule[] {
  const flat = isFlat(baskets) ? baskets : encodeBaskets(baskets);
  const settings = checkOptions(options);
  const orders = groupByOrder(flat);
  const productCount = flat.productIds.length;
  const orderCount = countOrders(orders);
  if (orderCount === 0) return [];
  // The smallest count that meets both minCount and minSupport (the 1e-9 absorbs 0.3 × 10 = 3.0000000000000004).
  const minCount = Math.max(settings.minCount, Math.ceil(settings.minSupport * orderCount - 1e-9));
  const { itemCounts, pairs } = countItemsAndPairs(orders, productCount, settings.denseProductLimit, minCount);
  const rules: AssociationRule[] = [];
  const ids = flat.productIds;
  const consider = (antecedent: readonly number[], consequent: number, together: number, antecedentCount: number): void => {
    const confidence = together / antecedentCount;
    const consequentCount = itemCounts[consequent] ?? 0;
    const lift = (together * orderCount) / (antecedentCount * consequentCount);
    if (confidence >= settings.minConfidence && lift >= settings.minLift) {
      rules.push({
        antecedent: antecedent.map((index) => ids[index] ?? ''),
        consequent: ids[consequent] ?? '',
        support: together / orderCount,
        confidence,
        lift,
        count: together,
      });
    }
  };

  pairs.forEach((a, b, together) => {
    if (together < minCount) return;
    consider([a], b, together, itemCounts[a] ?? 0);
    consider([b], a, together, itemCounts[b] ?? 0);
  });

  if (settings.maxAntecedent === 2) {
    const triples = countFrequentTriples(orders, productCount, itemCounts, pairs, minCount);
    for (const [key, together] of triples) {
      if (together < minCount) continue;
      const [a, b, c] = decodeTriple(key, productCount);
      consider([a, b], c, together, pairs.get(a, b));
      consider([a, c], b, together, pairs.get(a, c));
      consider([b, c], a, together, pairs.get(b, c));
    }
  }

  return rules.sort(
    (x, y) =>
      y.lift - x.lift ||
      y.confidence - x.confidence ||
      y.count - x.count ||
      compareText(x.antecedent.join('\u0000'), y.antecedent.join('\u0000')) ||
      compareText(x.consequent, y.consequent),
  );
}

/**
 * Up to `limit` products to offer a customer who owns `ownedProducts`: for each product they do
 * not own, the best rule whose whole antecedent they own, scored by lift × confidence (lift alone
 * favours rare items; confidence alone favours best-sellers). Ties go to the higher confidence,
 * then the product id.
 * @example crossSell(rules, ['phone'], 2) // [{ product: 'case', score: 2.4, rule: phone → case }, …]
 */
export function crossSell(
  rules: readonly AssociationRule[],
  ownedProducts: Iterable<string>,
  limit = 5,
): CrossSellSuggestion[] {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`crossSell: limit must be a whole number ≥ 0, got ${String(limit)}`);
  const owned = new Set(ownedProducts);
  const best = new Map<string, CrossSellSuggestion>();
  for (const rule of rules) {
    if (owned.has(rule.consequent) || !rule.antecedent.every((product) => owned.has(product))) continue;
    const score = rule.lift * rule.confidence;
    const current = best.get(rule.consequent);
    if (current === undefined || score > current.score || (score === current.score && rule.confidence > current.rule.confidence)) {
      best.set(rule.consequent, { product: rule.consequent, score, rule });
    }
  }
  return [...best.values()]
    .sort((x, y) => y.score - x.score || y.rule.confidence - x.rule.confidence || compareText(x.product, y.product))
    .slice(0, limit);
}

interface Settings {
  minSupport: number;
  minConfidence: number;
  minLift: number;
  minCount: number;
  maxAntecedent: 1 | 2;
  denseProductLimit: number;
}

function checkOptions(options: BasketOptions): Settings {
  const settings: Settings = {
    minSupport: options.minSupport ?? 0.01,
    minConfidence: options.minConfidence ?? 0.1,
    minLift: options.minLift ?? 1,
    minCount: options.minCount ?? 1,
    maxAntecedent: options.maxAntecedent ?? 1,
    denseProductLimit: options.denseProductLimit ?? 4096,
  };
  const fail = (what: string): never => {
    throw new RangeError(`associationRules: ${what}`);
  };
  if (!(settings.minSupport >= 0 && settings.minSupport <= 1)) fail(`minSupport must be in [0, 1], got ${settings.minSupport}`);
  if (!(settings.minConfidence >= 0 && settings.minConfidence <= 1)) fail(`minConfidence must be in [0, 1], got ${settings.minConfidence}`);
  if (!(settings.minLift >= 0)) fail(`minLift must be ≥ 0, got ${settings.minLift}`);
  if (!Number.isInteger(settings.minCount) || settings.minCount < 1) fail(`minCount must be a whole number ≥ 1, got ${settings.minCount}`);
  if (settings.maxAntecedent !== 1 && settings.maxAntecedent !== 2) fail(`maxAntecedent must be 1 or 2, got ${String(settings.maxAntecedent)}`);
  if (!(settings.denseProductLimit >= 0)) fail(`denseProductLimit must be ≥ 0, got ${settings.denseProductLimit}`);
  return settings;
}

function isFlat(baskets: FlatBaskets | readonly (readonly string[])[]): baskets is FlatBaskets {
  return !Array.isArray(baskets);
}

/** Items grouped by order: order o's products are products[start[o] .. start[o + 1]), and it stands for weight(o) orders. */
interface OrderGroups {
  readonly start: Uint32Array;
  readonly products: ArrayLike<number>;
  readonly weight: (order: number) => number;
}

/** Already-sorted input (the usual case: items exported order by order) is used as is; else a counting sort. */
function groupByOrder(flat: FlatBaskets): OrderGroups {
  const { orderIndex, productIndex, productIds, orderWeights } = flat;
  const items = orderIndex.length;
  if (productIndex.length !== items) {
    throw new RangeError(`associationRules: orderIndex has ${items} items but productIndex has ${productIndex.length}`);
  }
  if (orderWeights) {
    for (let o = 0; o < orderWeights.length; o++) {
      const w = orderWeights[o] as number;
      if (!(w >= 0 && Number.isInteger(w))) throw new RangeError(`associationRules: order ${o} has weight ${w}`);
    }
  }
  const weight = orderWeights ? (o: number) => (orderWeights[o] as number | undefined) ?? 1 : () => 1;
  const productCount = productIds.length;
  let maxOrder = -1;
  let sorted = true;
  let previous = -1;
  for (let k = 0; k < items; k++) {
    const order = orderIndex[k] as number;
    const product = productIndex[k] as number;
    if (!(order >= 0 && Number.isInteger(order))) throw new RangeError(`associationRules: item ${k} has order index ${order}`);
    if (!(product >= 0 && product < productCount && Number.isInteger(product))) {
      throw new RangeError(`associationRules: item ${k} has product index ${product}, outside 0…${productCount - 1}`);
    }
    if (order < previous) sorted = false;
    previous = order;
    if (order > maxOrder) maxOrder = order;
  }
  const start = new Uint32Array(maxOrder + 2);
  for (let k = 0; k < items; k++) start[(orderIndex[k] as number) + 1]!++;
  for (let o = 0; o <= maxOrder; o++) start[o + 1]! += start[o]!;
  if (sorted) return { start, products: productIndex, weight };
  const products = new Int32Array(items);
  const cursor = start.slice(0, maxOrder + 1);
  for (let k = 0; k < items; k++) products[cursor[orderIndex[k] as number]!++] = productIndex[k] as number;
  return { start, products, weight };
}

/** Orders with at least one item. */
function countOrders(orders: OrderGroups): number {
  let count = 0;
  for (let o = 0; o + 1 < orders.start.length; o++) if (orders.start[o + 1]! > orders.start[o]!) count += orders.weight(o);
  return count;
}

/** Pair counts for a < b, dense when the catalogue is small, sparse otherwise. */
interface PairCounter {
  add(a: number, b: number, times: number): void;
  get(a: number, b: number): number;
  forEach(visit: (a: number, b: number, count: number) => void): void;
}

function densePairCounter(productCount: number): PairCounter {
  // Row a holds pairs (a, a+1 … P−1); cell of (a, b) = rowOffset[a] + b.
  const cells = new Uint32Array((productCount * (productCount - 1)) / 2);
  const rowOffset = new Float64Array(productCount);
  for (let a = 0; a < productCount; a++) rowOffset[a] = (a * (2 * productCount - a - 1)) / 2 - a - 1;
  return {
    add: (a, b, times) => {
      cells[rowOffset[a]! + b]! += times;
    },
    get: (a, b) => cells[rowOffset[a]! + b] ?? 0,
    forEach: (visit) => {
      for (let a = 0; a < productCount; a++) {
        const offset = rowOffset[a]!;
        for (let b = a + 1; b < productCount; b++) {
          const count = cells[offset + b]!;
          if (count > 0) visit(a, b, count);
        }
      }
    },
  };
}

function sparsePairCounter(productCount: number): PairCounter {
  const cells = new Map<number, number>();
  return {
    add: (a, b, times) => {
      const key = a * productCount + b;
      cells.set(key, (cells.get(key) ?? 0) + times);
    },
    get: (a, b) => cells.get(a * productCount + b) ?? 0,
    forEach: (visit) => {
      for (const [key, count] of cells) visit(Math.floor(key / productCount), key % productCount, count);
    },
  };
}

interface Counts {
  itemCounts: Uint32Array;
  pairs: PairCounter;
}

/** Walks each non-empty order's distinct products, sorted ascending, and its weight through `visit`. */
function forEachBasket(orders: OrderGroups, productCount: number, visit: (basket: Int32Array, size: number, weight: number) => void): void {
  const lastSeen = new Int32Array(productCount).fill(-1);
  const basket = new Int32Array(productCount);
  const { start, products } = orders;
  for (let o = 0; o + 1 < start.length; o++) {
    const end = start[o + 1]!;
    let size = 0;
    for (let k = start[o]!; k < end; k++) {
      const product = products[k] as number;
      if (lastSeen[product] === o) continue;
      lastSeen[product] = o;
      // Insertion sort: baskets hold a handful of products.
      let i = size++;
      while (i > 0 && basket[i - 1]! > product) {
        basket[i] = basket[i - 1]!;
        i--;
      }
      basket[i] = product;
    }
    if (size > 0) visit(basket, size, orders.weight(o));
  }
}

/**
 * One pass when the pair counter is dense. With a sparse counter, products are counted first so
 * that only pairs of products frequent on their own enter the Map (the Apriori property): a long
 * tail of rare products would otherwise fill it with pairs that can never pass minCount.
 */
function countItemsAndPairs(orders: OrderGroups, productCount: number, denseProductLimit: number, minCount: number): Counts {
  const itemCounts = new Uint32Array(productCount);
  if (productCount <= denseProductLimit) {
    const pairs = densePairCounter(productCount);
    forEachBasket(orders, productCount, (basket, size, weight) => {
      for (let i = 0; i < size; i++) {
        const a = basket[i]!;
        itemCounts[a]! += weight;
        for (let j = i + 1; j < size; j++) pairs.add(a, basket[j]!, weight);
      }
    });
    return { itemCounts, pairs };
  }
  forEachBasket(orders, productCount, (basket, size, weight) => {
    for (let i = 0; i < size; i++) itemCounts[basket[i]!]! += weight;
  });
  const pairs = sparsePairCounter(productCount);
  const frequent = new Int32Array(productCount);
  forEachBasket(orders, productCount, (basket, size, weight) => {
    let n = 0;
    for (let i = 0; i < size; i++) if (itemCounts[basket[i]!]! >= minCount) frequent[n++] = basket[i]!;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.add(frequent[i]!, frequent[j]!, weight);
  });
  return { itemCounts, pairs };
}

type TripleKey = number | string;

function countFrequentTriples(
  orders: OrderGroups,
  productCount: number,
  itemCounts: Uint32Array,
  pairs: PairCounter,
  minCount: number,
): Map<TripleKey, number> {
  const triples = new Map<TripleKey, number>();
  const numericKeys = productCount ** 3 < Number.MAX_SAFE_INTEGER;
  const frequent = new Int32Array(productCount);
  forEachBasket(orders, productCount, (basket, size, weight) => {
    let n = 0;
    for (let i = 0; i < size; i++) if (itemCounts[basket[i]!]! >= minCount) frequent[n++] = basket[i]!;
    for (let i = 0; i < n; i++) {
      const a = frequent[i]!;
      for (let j = i + 1; j < n; j++) {
        const b = frequent[j]!;
        if (pairs.get(a, b) < minCount) continue;
        for (let k = j + 1; k < n; k++) {
          const c = frequent[k]!;
          if (pairs.get(a, c) < minCount || pairs.get(b, c) < minCount) continue;
          const key = numericKeys ? (a * productCount + b) * productCount + c : `${a},${b},${c}`;
          triples.set(key, (triples.get(key) ?? 0) + weight);
        }
      }
    }
  });
  return triples;
}

function decodeTriple(key: TripleKey, productCount: number): [number, number, number] {
  if (typeof key === 'string') {
    const [a = 0, b = 0, c = 0] = key.split(',').map(Number);
    return [a, b, c];
  }
  const c = key % productCount;
  const ab = (key - c) / productCount;
  return [Math.floor(ab / productCount), ab % productCount, c];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
