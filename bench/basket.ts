// Times association-rule mining on synthetic orders: npx tsx bench/basket.ts [orders] [products]
import { associationRules, crossSell, type FlatBaskets } from '../src/analytics/basket.ts';
import { mulberry32 as seeded } from '../src/analytics/random.ts';

const orderTotal = Number(process.argv[2] ?? 3_000_000);
const productTotal = Number(process.argv[3] ?? 200);


/**
 * Orders of 1 + Poisson(2.03) draws, plus planted companions: about 3.33 items on average, so
 * ~10M items for 3M orders; products drawn from a Zipf(0.8) popularity; buying product 2k makes
 * product 2k + 1 likely (30%) for the first 40 products, so real rules exist to be found.
 */
function synthesise(orders: number, products: number): FlatBaskets {
  const random = seeded(42);
  const cumulative = new Float64Array(products);
  let total = 0;
  for (let p = 0; p < products; p++) cumulative[p] = total += 1 / (p + 1) ** 0.8;
  const draw = (): number => {
    const target = random() * total;
    let lo = 0;
    let hi = products - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const capacity = Math.ceil(orders * 3.6);
  let orderIndex: Int32Array = new Int32Array(capacity);
  let productIndex: Int32Array = new Int32Array(capacity);
  let k = 0;
  const push = (order: number, product: number): void => {
    if (k === orderIndex.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      orderIndex = grow(orderIndex);
      productIndex = grow(productIndex);
    }
    orderIndex[k] = order;
    productIndex[k] = product;
    k++;
  };
  const lambda = 2.03;
  const expMinusLambda = Math.exp(-lambda);
  for (let order = 0; order < orders; order++) {
    // Knuth's Poisson sampler: fine for a small mean.
    let extra = 0;
    for (let product = random(); product > expMinusLambda; product *= random()) extra++;
    for (let i = 0; i <= extra; i++) {
      const product = draw();
      push(order, product);
      if (product < 40 && product % 2 === 0 && random() < 0.3) push(order, product + 1);
    }
  }
  const productIds = Array.from({ length: products }, (_, p) => `P${String(p).padStart(3, '0')}`);
  return { orderIndex: orderIndex.subarray(0, k), productIndex: productIndex.subarray(0, k), productIds };
}

function time<T>(label: string, run: () => T): T {
  const started = performance.now();
  const result = run();
  console.log(`${label.padEnd(44)} ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return result;
}

const baskets = time(`synthesise ${orderTotal.toLocaleString('en')} orders`, () => synthesise(orderTotal, productTotal));
console.log(`items: ${baskets.orderIndex.length.toLocaleString('en')}, products: ${productTotal}`);

const thresholds = { minSupport: 0.001, minConfidence: 0.05, minLift: 1.1 };
const counter = productTotal <= 4096 ? 'dense' : 'sparse';
const pairRules = time(`rules, pairs (${counter} counter)`, () => associationRules(baskets, thresholds));
console.log(`  ${pairRules.length} rules`);
const tripleRules = time(`rules, pairs + triples (${counter} counter)`, () =>
  associationRules(baskets, { ...thresholds, maxAntecedent: 2 }),
);
console.log(`  ${tripleRules.length} rules`);
const sparseRules = time('rules, pairs (sparse Map counter, forced)', () =>
  associationRules(baskets, { ...thresholds, denseProductLimit: 0 }),
);
console.log(`  ${sparseRules.length} rules (same as above: ${JSON.stringify(sparseRules) === JSON.stringify(pairRules)})`);

// Shuffled item order exercises the counting sort path.
const random = seeded(7);
const n = baskets.orderIndex.length;
const shuffledOrder = Int32Array.from(baskets.orderIndex);
const shuffledProduct = Int32Array.from(baskets.productIndex);
for (let i = n - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [shuffledOrder[i], shuffledOrder[j]] = [shuffledOrder[j]!, shuffledOrder[i]!];
  [shuffledProduct[i], shuffledProduct[j]] = [shuffledProduct[j]!, shuffledProduct[i]!];
}
const shuffled = { orderIndex: shuffledOrder, productIndex: shuffledProduct, productIds: baskets.productIds };
time('rules, pairs, items not grouped by order', () => associationRules(shuffled, thresholds));

time('crossSell × 100,000 customers', () => {
  for (let c = 0; c < 100_000; c++) crossSell(tripleRules, [`P${String((c * 7) % 60).padStart(3, '0')}`], 5);
});
console.log('top rules:');
for (const rule of tripleRules.slice(0, 5)) {
  console.log(
    `  ${rule.antecedent.join(' + ')} → ${rule.consequent}: support ${rule.support.toFixed(4)}, confidence ${rule.confidence.toFixed(3)}, lift ${rule.lift.toFixed(2)}, count ${rule.count}`,
  );
}
