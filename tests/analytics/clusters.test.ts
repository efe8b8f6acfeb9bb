import { describe, expect, it } from 'vitest';
import { clusterCustomers, hungarian, inferRoles, silhouetteScore, type ClusterModel } from '../../src/analytics/clusters.ts';
import { mulberry32 } from '../../src/analytics/random.ts';

const NAMES = ['recency', 'frequency', 'monetary', 'tenure'];


const BLOBS = [
  { name: 'High-value regulars', recency: 10, frequency: 20, monetary: 3000, tenure: 800 },
  { name: 'Recent newcomers', recency: 7, frequency: 1, monetary: 50, tenure: 10 },
  { name: 'Lapsed one-timers', recency: 500, frequency: 1, monetary: 40, tenure: 520 },
  { name: 'Occasional buyers', recency: 90, frequency: 4, monetary: 300, tenure: 400 },
];

/** Customers drawn around planted blob centres (multiplicative noise, well separated on log scales). */
function blobs(perBlob: number, seed: number, which = [0, 1, 2, 3]) {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const columns = NAMES.map(() => [] as number[]);
  const truth: number[] = [];
  for (const b of which) {
    const blob = BLOBS[b]!;
    for (let i = 0; i < perBlob; i++) {
      const noise = () => Math.exp(0.15 * normal());
      columns[0]!.push(Math.round(blob.recency * noise()));
      columns[1]!.push(Math.max(1, Math.round(blob.frequency * noise())));
      columns[2]!.push(blob.monetary * noise());
      columns[3]!.push(Math.round(blob.tenure * noise()));
      truth.push(b);
    }
  }
  return { columns, truth };
}

/** Every planted blob lies wholly inside one cluster and no two blobs share one. */
function expectBlobsRecovered(model: ClusterModel, truth: number[]) {
  const clusterOfBlob = new Map<number, Set<number>>();
  truth.forEach((blob, i) => {
    const set = clusterOfBlob.get(blob) ?? new Set<number>();
    set.add(model.clusterOf[i]!);
    clusterOfBlob.set(blob, set);
  });
  const ids = [...clusterOfBlob.values()].map((set) => {
    expect(set.size).toBe(1);
    return [...set][0]!;
  });
  expect(new Set(ids).size).toBe(ids.length);
}

describe('clusterCustomers', () => {
  it('GIVEN four planted well-separated blobs THEN silhouette picks k = 4, recovers them and names them from their profiles', () => {
    const { columns, truth } = blobs(1000, 1);
    const model = clusterCustomers(columns, NAMES, { seed: 7 });
    console.log(
      `silhouette by k: ${model.silhouetteByK.map((s) => `k=${s.k}: ${s.silhouette.toFixed(3)}`).join(', ')}\n` +
        model.clusters.map((c) => `  #${c.id} ${c.name}: ${c.size} customers, centre ${c.center.map((v) => v.toFixed(1)).join(' / ')}`).join('\n'),
    );
    expect(model.k).toBe(4);
    expect(model.silhouette).toBeGreaterThan(0.7);
    expect(model.silhouette).toBe(Math.max(...model.silhouetteByK.map((s) => s.silhouette)));
    expectBlobsRecovered(model, truth);
    const nameOfBlob = (b: number) => model.clusters.find((c) => c.id === model.clusterOf[truth.indexOf(b)])!.name;
    BLOBS.forEach((blob, b) => expect(nameOfBlob(b)).toBe(blob.name));
    expect(new Set(model.clusters.map((c) => c.name)).size).toBe(4);
    expect(model.clusters.reduce((sum, c) => sum + c.size, 0)).toBe(4000);
  });

  it('GIVEN the same input and seed twice THEN the clusters are identical', () => {
    const { columns } = blobs(3000, 2);
    const options = { seed: 42, sampleSize: 2000 };
    const first = clusterCustomers(columns, NAMES, options);
    const second = clusterCustomers(columns, NAMES, options);
    expect(Array.from(second.clusterOf)).toEqual(Array.from(first.clusterOf));
    expect(second.clusters).toEqual(first.clusters);
    expect(second.silhouetteByK).toEqual(first.silhouetteByK);
    expect(first.fittedOn).toBe(2000);
  });

  it('GIVEN a refresh with 2% new customers, shuffled, another seed and the previous centres THEN every customer keeps their cluster id', () => {
    const before = blobs(2000, 3);
    const first = clusterCustomers(before.columns, NAMES, { seed: 1, sampleSize: 3000 });
    const extra = blobs(40, 4);
    const n = before.truth.length + extra.truth.length;
    const random = mulberry32(99);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const combined = NAMES.map((_, f) => [...before.columns[f]!, ...extra.columns[f]!]);
    const shuffled = combined.map((column) => order.map((i) => column[i]!));
    const second = clusterCustomers(shuffled, NAMES, {
      seed: 2,
      sampleSize: 3000,
      previous: first.clusters.map((c) => ({ id: c.id, center: c.center })),
    });
    expect(second.k).toBe(first.k);
    let same = 0;
    order.forEach((original, position) => {
      if (original < before.truth.length && second.clusterOf[position] === first.clusterOf[original]) same++;
    });
    expect(same).toBe(before.truth.length);
    for (const c of second.clusters) expect(c.distanceToPrevious).toBeLessThan(0.2);
    expect(second.clusters.map((c) => c.name)).toEqual(first.clusters.map((c) => c.name));
  });

  it('GIVEN a new behaviour appears at the next refresh THEN old clusters keep their ids and the new one gets a fresh id', () => {
    const three = blobs(800, 5, [0, 1, 2]);
    const first = clusterCustomers(three.columns, NAMES, { seed: 3 });
    expect(first.k).toBe(3);
    const four = blobs(800, 6, [0, 1, 2, 3]);
    const second = clusterCustomers(four.columns, NAMES, { seed: 3, previous: first.clusters });
    expect(second.k).toBe(4);
    const idOfBlob = (model: ClusterModel, truth: number[], b: number) => model.clusterOf[truth.indexOf(b)]!;
    for (const b of [0, 1, 2]) expect(idOfBlob(second, four.truth, b)).toBe(idOfBlob(first, three.truth, b));
    expect(idOfBlob(second, four.truth, 3)).toBe(3);
    expect(second.clusters.find((c) => c.id === 3)!.distanceToPrevious).toBeNull();
  });

  it('GIVEN k THEN that k is used and its silhouette reported', () => {
    const { columns } = blobs(300, 7);
    const model = clusterCustomers(columns, NAMES, { k: 2, seed: 1 });
    expect(model.k).toBe(2);
    expect(model.silhouetteByK).toHaveLength(1);
    expect(model.silhouetteByK[0]!.k).toBe(2);
  });

  it('GIVEN features without RFM names THEN clusters are named from their most extreme features, uniquely', () => {
    const random = mulberry32(8);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 600; i++) {
      const group = i % 3;
      a.push([1, 1000, 1][group]! * (1 + 0.05 * random()));
      b.push([1, 1, 1000][group]! * (1 + 0.05 * random()));
    }
    const model = clusterCustomers([a, b], ['logins', 'tickets'], { seed: 1 });
    expect(model.k).toBe(3);
    const names = model.clusters.map((c) => c.name);
    expect(new Set(names).size).toBe(3);
    expect(names).toContain('High logins, low tickets');
    expect(names).toContain('High tickets, low logins');
  });

  it('GIVEN fewer distinct customers than k, or none THEN it degrades without throwing', () => {
    const few = clusterCustomers([[1, 1, 1, 5], [2, 2, 2, 9]], ['recency', 'frequency'], { seed: 1 });
    expect(few.k).toBe(2);
    expect(few.clusterOf[0]).toBe(few.clusterOf[1]);
    expect(few.clusterOf[3]).not.toBe(few.clusterOf[0]);
    const none = clusterCustomers([[], []], ['recency', 'frequency']);
    expect(none.k).toBe(0);
    expect(none.clusters).toEqual([]);
  });

  it('GIVEN recency/frequency/monetary/tenure names THEN roles are inferred', () => {
    expect(inferRoles(['daysSinceLastPurchase', 'purchaseDays', 'revenue', 'daysSinceFirstPurchase'])).toEqual({
      recency: 0,
      frequency: 1,
      monetary: 2,
      tenure: 3,
    });
  });
});

describe('cluster names and ids a rep can rely on', () => {
  const FIELDS = ['recency_days', 'frequency_purchase_days', 'monetary_per_purchase', 'tenure_days'];

  it('GIVEN customers who spent nothing or were refunded THEN their cluster is named for that, not "Newcomers"', () => {
    const { columns } = blobs(500, 21, [0, 1, 2]);
    for (let i = 0; i < 40; i++) {
      columns[0]!.push(30 + i);
      columns[1]!.push(1);
      columns[2]!.push(i % 2 === 0 ? 0 : -25);
      columns[3]!.push(30 + i);
    }
    const model = clusterCustomers(columns, FIELDS, { seed: 1, k: 4 });
    const noSpend = model.clusters.find((c) => c.name === 'No net spend (refunds or free orders)')!;
    expect(noSpend.size).toBe(40);
    expect(noSpend.noSpendShare).toBe(1);
  });

  it('GIVEN two clusters that would share a name THEN they are told apart in words, never by a field name', () => {
    const random = mulberry32(4);
    const columns = FIELDS.map(() => [] as number[]);
    for (let i = 0; i < 1200; i++) {
      const big = i % 2 === 0;
      columns[0]!.push(5 + 5 * random());
      columns[1]!.push(1);
      columns[2]!.push((big ? 80 : 20) * (1 + 0.1 * random()));
      columns[3]!.push(5 + 5 * random());
    }
    for (let i = 0; i < 600; i++) {
      columns[0]!.push(300 + 50 * random());
      columns[1]!.push(12 + Math.round(4 * random()));
      columns[2]!.push(200 * (1 + 0.1 * random()));
      columns[3]!.push(700 + 50 * random());
    }
    const model = clusterCustomers(columns, FIELDS, { seed: 1, k: 3 });
    const names = model.clusters.map((c) => c.name).sort();
    expect(names.filter((n) => /\((smaller|bigger) orders\)$/.test(n))).toHaveLength(2);
    for (const name of names) expect(name).not.toMatch(/_|recency|frequency|monetary|tenure/);
  });

  it('GIVEN only the as-of day moves (every recency and tenure 14 days longer) THEN every cluster keeps its id and almost every customer theirs', () => {
    const { columns } = blobs(1500, 31);
    const first = clusterCustomers(columns, NAMES, { seed: 1 });
    const later = [columns[0]!.map((v) => v + 14), columns[1]!, columns[2]!, columns[3]!.map((v) => v + 14)];
    const second = clusterCustomers(later, NAMES, { seed: 1, previous: first.clusters.map((c) => ({ id: c.id, center: c.center })) });
    expect(second.keptPrevious).toBe(true);
    expect(second.clusters.map((c) => c.id)).toEqual(first.clusters.map((c) => c.id));
    let same = 0;
    for (let i = 0; i < first.clusterOf.length; i++) if (first.clusterOf[i] === second.clusterOf[i]) same++;
    expect(same / first.clusterOf.length).toBeGreaterThan(0.99);
  });
});

describe('silhouetteScore', () => {
  it('GIVEN 1-D points 0, 1 | 10, 11 THEN the mean of (b − a)/max(a, b) per point', () => {
    const s = silhouetteScore(Float64Array.of(0, 1, 10, 11), 1, Uint16Array.of(0, 0, 1, 1), 2);
    // point 0: a = 1, b = 10.5; point 1: a = 1, b = 9.5; symmetric for 10 and 11
    expect(s).toBeCloseTo((9.5 / 10.5 + 8.5 / 9.5) / 2, 12);
  });

  it('GIVEN a single cluster THEN silhouette is undefined (NaN)', () => {
    expect(silhouetteScore(Float64Array.of(0, 1), 1, Uint16Array.of(0, 0), 1)).toBeNaN();
  });
});

describe('hungarian', () => {
  it('GIVEN a 3×3 cost matrix THEN the minimum-cost matching (1 + 2 + 2 = 5)', () => {
    expect(hungarian([[4, 1, 3], [2, 0, 5], [3, 2, 2]])).toEqual([[0, 1], [1, 0], [2, 2]]);
  });

  it('GIVEN more rows than columns THEN each column is used once and the cheapest rows win', () => {
    expect(hungarian([[1, 9], [9, 1], [5, 5]])).toEqual([[0, 0], [1, 1]]);
    expect(hungarian([[1, 9], [9, 1], [0.5, 0.5]])).toEqual([[0, 0], [2, 1]]); // 1 + 0.5 beats 1 + 1
    expect(hungarian([[5, 1, 9]])).toEqual([[0, 1]]);
  });
});
