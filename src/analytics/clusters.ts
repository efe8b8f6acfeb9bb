// Behaviour clusters: k-means (Lloyd 1982; k-means++ start, Arthur & Vassilvitskii 2007) via ml-kmeans, k by mean silhouette (Rousseeuw 1987).
import { kmeans } from 'ml-kmeans';
import { distance, previousCentres, stableIds, type PreviousCluster } from './cluster-ids.ts';
import { inferRoles, nameClusters } from './cluster-names.ts';
import { fromStandardised, standardise, type FeatureScaling, type FeatureTransform } from './cluster-scaling.ts';
import { kmeansPlusPlus } from './kmeans-seeding.ts';
import { mulberry32 } from './random.ts';
import { silhouetteScore } from './silhouette.ts';

export type { FeatureTransform } from './cluster-scaling.ts';
export type { PreviousCluster } from './cluster-ids.ts';

/** Which feature plays which part, for naming clusters; inferred from feature names when absent. */
export interface FeatureRoles {
  /** days since the last purchase (higher = longer ago) */
  readonly recency?: number;
  /** purchase count / purchase days */
  readonly frequency?: number;
  /** revenue / spend */
  readonly monetary?: number;
  /** days since the first purchase */
  readonly tenure?: number;
}


export interface ClusterOptions {
  /** Fixed number of clusters; when absent, k is chosen by silhouette over `kRange`. */
  readonly k?: number;
  /** Inclusive range of k tried by silhouette (default [2, 8]). */
  readonly kRange?: readonly [number, number];
  /** PRNG seed: same input + seed ⇒ same clusters (default 1). */
  readonly seed?: number;
  /** Rows k-means is fitted on; everyone is then assigned to the nearest centroid (default 20,000). */
  readonly sampleSize?: number;
  /** Rows (from the fit sample) each candidate k is fitted on when k is chosen by silhouette (default 5,000). */
  readonly selectionSampleSize?: number;
  /** Rows (from the selection sample) the O(m²) silhouette is measured on (default 2,000). */
  readonly silhouetteSampleSize?: number;
  /** k-means++ starts per k; the lowest within-cluster sum of squares is kept (default 3). */
  readonly restarts?: number;
  /** Lloyd iterations per start (default 100). */
  readonly maxIterations?: number;
  /** Per-feature transform before standardising (default 'log' for every feature). */
  readonly transforms?: readonly FeatureTransform[];
  /** Feature roles for naming (default: inferred from `featureNames`). */
  readonly roles?: FeatureRoles;
  /**
   * Last refresh's clusters. k-means restarts from them, and they are kept (evolved, same ids)
   * unless another k separates customers clearly better (silhouette higher by `switchMargin`);
   * otherwise matching new clusters inherit their ids.
   */
  readonly previous?: readonly PreviousCluster[];
  /** How much better (mean silhouette) another k must be to replace last refresh's clusters (default 0.02). */
  readonly switchMargin?: number;
  /** A new cluster inherits an old id only within this distance in standardised units (default 1). */
  readonly maxMatchDistance?: number;
}

export interface ClusterProfile {
  /** Stable id: inherited from the matching previous cluster, else a fresh one. */
  readonly id: number;
  /** Name derived from the centroid's z-scores ("High-value regulars"); unique within a run. */
  readonly name: string;
  /** Customers assigned. */
  readonly size: number;
  /** size / all customers. */
  readonly share: number;
  /** The centroid mapped back to original units (a typical member); pass as `previous` next time. */
  readonly center: number[];
  /** The centroid in standardised transformed units (0 = population average, ±1 = one SD). */
  readonly zScores: number[];
  /** Arithmetic mean of the members' raw features (NaN for an empty cluster). */
  readonly memberMeans: number[];
  /** Members whose spend (the monetary feature) is zero or negative: refunds, free orders. */
  readonly noSpendShare: number;
  /** Distance (standardised units) to the previous cluster whose id it took; null if new. */
  readonly distanceToPrevious: number | null;
}

export interface ClusterModel {
  readonly featureNames: string[];
  readonly k: number;
  readonly seed: number;
  /** Mean silhouette (−1..1) of the final clustering on the silhouette sample; null if undefined (k = 1). */
  readonly silhouette: number | null;
  /** Mean silhouette of every k tried on the selection sample (one entry, the final one, when k was given). */
  readonly silhouetteByK: { k: number; silhouette: number }[];
  /** Cluster id of every input row. */
  readonly clusterOf: Int32Array;
  /** One profile per cluster, sorted by id. */
  readonly clusters: ClusterProfile[];
  /** Standardisation in transformed space: z = (t(x) − mean) / sd. */
  readonly scaling: FeatureScaling;
  /** Whether last refresh's clusters were kept (restarted from and evolved) rather than replaced. */
  readonly keptPrevious: boolean;
  /** Rows k-means was fitted on. */
  readonly fittedOn: number;
}

const DEFAULTS = {
  kRange: [2, 8] as const,
  seed: 1,
  sampleSize: 20_000,
  selectionSampleSize: 5_000,
  silhouetteSampleSize: 2_000,
  restarts: 3,
  maxIterations: 100,
  maxMatchDistance: 1,
  switchMargin: 0.02,
};


/**
 * Fits behaviour clusters on a sample and assigns every row to its nearest centroid.
 * `columns[j][i]` is feature j of row i; `featureNames[j]` names column j.
 * @example clusterCustomers([recency, frequency, revenue, tenure], ['recency', 'frequency', 'monetary', 'tenure'])
 */
export function clusterCustomers(
  columns: readonly ArrayLike<number>[],
  featureNames: readonly string[],
  options: ClusterOptions = {},
): ClusterModel {
  const d = columns.length;
  if (d === 0 || featureNames.length !== d) {
    throw new RangeError('clusterCustomers requires one name per feature column and at least one column');
  }
  const n = columns[0]!.length;
  for (const column of columns) {
    if (column.length !== n) throw new RangeError('clusterCustomers requires feature columns of equal length');
  }
  const seed = options.seed ?? DEFAULTS.seed;
  const transforms = options.transforms ? [...options.transforms] : new Array<FeatureTransform>(d).fill('log');
  if (transforms.length !== d) throw new RangeError('clusterCustomers requires one transform per feature');

  const { z, mean, sd } = standardise(columns, transforms, n);
  const scaling = { transforms, mean, sd };
  if (n === 0) {
    const clusterOf = new Int32Array(0);
    const names = [...featureNames];
    return { featureNames: names, k: 0, seed, silhouette: null, silhouetteByK: [], clusterOf, clusters: [], scaling, fittedOn: 0, keptPrevious: false };
  }

  // three nested seeded samples: fit (≤ 20,000 rows) ⊇ k selection (≤ 5,000) ⊇ silhouette (≤ 2,000)
  const random = mulberry32(seed);
  const fitSample = gatherRows(z, d, sampleRows(n, options.sampleSize ?? DEFAULTS.sampleSize, random));
  const selectionSample = gatherRows(
    fitSample.flat,
    d,
    sampleRows(fitSample.rows.length, options.selectionSampleSize ?? DEFAULTS.selectionSampleSize, random),
  );
  const evalSample = gatherRows(
    selectionSample.flat,
    d,
    sampleRows(selectionSample.rows.length, options.silhouetteSampleSize ?? DEFAULTS.silhouetteSampleSize, random),
  );
  const evalRows = evalSample.flat;
  const silhouetteOf = (centroids: Float64Array, k: number) => silhouetteScore(evalRows, d, assignNearest(evalRows, d, centroids, k), k);

  const distinct = countDistinctRows(fitSample.rows);
  const candidates = candidateKs(options, distinct);
  const silhouetteByK: { k: number; silhouette: number }[] = [];
  let chosen: { k: number; centroids: Float64Array; silhouette: number } | null = null;
  if (candidates.length === 1) {
    const k = candidates[0]!;
    const centroids = fitOnSample(fitSample, k, d, seed, options);
    chosen = { k, centroids, silhouette: silhouetteOf(centroids, k) };
    silhouetteByK.push({ k, silhouette: chosen.silhouette });
  } else {
    for (const k of candidates) {
      const centroids = fitOnSample(selectionSample, k, d, seed, options);
      const silhouette = silhouetteOf(centroids, k);
      silhouetteByK.push({ k, silhouette });
      const better = !Number.isNaN(silhouette) && (chosen === null || Number.isNaN(chosen.silhouette) || silhouette > chosen.silhouette);
      if (chosen === null || better) chosen = { k, centroids, silhouette };
    }
    // refit the chosen k on the larger fit sample (unless it is the same rows)
    if (fitSample.rows.length > selectionSample.rows.length) {
      const centroids = fitOnSample(fitSample, chosen!.k, d, seed, options);
      chosen = { k: chosen!.k, centroids, silhouette: silhouetteOf(centroids, chosen!.k) };
    }
  }
  // Last refresh's clusters, restarted on today's data: kept unless another k is clearly better, so a
  // refresh for another as-of day (everyone's recency and tenure shift) does not reshuffle them.
  const previous = options.previous ?? [];
  let keptPrevious = false;
  let previousZ: number[][] = [];
  if (previous.length > 0 && previous.length <= distinct && (options.k === undefined || options.k === previous.length)) {
    previousZ = previousCentres(previous, scaling);
    const evolved = restartFrom(fitSample, previousZ, d, options);
    if (evolved) {
      const silhouette = silhouetteOf(evolved, previous.length);
      if (!(chosen!.silhouette > silhouette + (options.switchMargin ?? DEFAULTS.switchMargin))) {
        chosen = { k: previous.length, centroids: evolved, silhouette };
        keptPrevious = true;
      }
    }
  }
  const { k, centroids } = chosen!;
  const fittedOn = fitSample.rows.length;

  const roles = options.roles ?? inferRoles(featureNames);
  const assignment = assignNearest(z, d, centroids, k);
  const sizes = new Float64Array(k);
  const sums = new Float64Array(k * d);
  const noSpend = new Float64Array(k);
  const monetary = roles.monetary === undefined ? undefined : columns[roles.monetary];
  for (let i = 0; i < n; i++) {
    const c = assignment[i]!;
    sizes[c]! += 1;
    for (let j = 0; j < d; j++) sums[c * d + j]! += columns[j]![i]!;
    if (monetary && !(monetary[i]! > 0)) noSpend[c]! += 1;
  }

  const zScores = Array.from({ length: k }, (_, c) => Array.from(centroids.subarray(c * d, c * d + d)));
  const noSpendShare = Array.from(noSpend, (count, c) => (sizes[c]! > 0 ? count / sizes[c]! : 0));
  const ids = keptPrevious
    ? zScores.map((zc, c) => ({ id: previous[c]!.id, distance: distance(zc, previousZ[c]!) }))
    : stableIds(zScores, sizes, previous, scaling, options.maxMatchDistance ?? DEFAULTS.maxMatchDistance);
  const names = nameClusters(zScores, featureNames, roles, { noSpendShare });

  const idOf = Int32Array.from(ids.map((match) => match.id));
  const clusterOf = new Int32Array(n);
  for (let i = 0; i < n; i++) clusterOf[i] = idOf[assignment[i]!]!;

  const clusters: ClusterProfile[] = zScores.map((zc, c) => ({
    id: ids[c]!.id,
    name: names[c]!,
    size: sizes[c]!,
    share: sizes[c]! / n,
    center: zc.map((value, j) => fromStandardised(value, j, scaling)),
    zScores: zc,
    memberMeans: Array.from(sums.subarray(c * d, c * d + d), (sum) => sum / sizes[c]!),
    noSpendShare: noSpendShare[c]!,
    distanceToPrevious: ids[c]!.distance,
  }));
  clusters.sort((a, b) => a.id - b.id);
  const silhouette = k >= 2 && !Number.isNaN(chosen!.silhouette) ? chosen!.silhouette : null;
  return { featureNames: [...featureNames], k, seed, silhouette, silhouetteByK, clusterOf, clusters, scaling, fittedOn, keptPrevious };
}

/** Lloyd iterations on the fit sample from given centres (row-major result); null when a centre loses every member. */
function restartFrom(sample: SampleRows, start: number[][], d: number, options: ClusterOptions): Float64Array | null {
  const k = start.length;
  const result = kmeans(sample.rows, k, { initialization: start, maxIterations: options.maxIterations ?? DEFAULTS.maxIterations, tolerance: 1e-4 });
  const centroids = Float64Array.from(result.centroids.flat());
  const members = new Float64Array(k);
  for (const c of assignNearest(sample.flat, d, centroids, k)) members[c]! += 1;
  return members.every((m) => m > 0) && centroids.every(Number.isFinite) ? centroids : null;
}

function candidateKs(options: ClusterOptions, distinct: number): number[] {
  if (options.k !== undefined) {
    if (!Number.isInteger(options.k) || options.k < 1) throw new RangeError('clusterCustomers requires k to be a positive integer');
    return [Math.min(options.k, distinct)];
  }
  const [lo, hi] = options.kRange ?? DEFAULTS.kRange;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 2 || hi < lo) {
    throw new RangeError('clusterCustomers requires an integer kRange [lo, hi] with 2 ≤ lo ≤ hi');
  }
  const top = Math.min(hi, distinct);
  if (top < lo) return [Math.max(1, top)];
  const ks: number[] = [];
  for (let k = lo; k <= top; k++) ks.push(k);
  return ks;
}

/**
 * Best (lowest within-cluster sum of squares) of several k-means runs on the sample, centroids
 * row-major. Each run starts from our own seeded greedy k-means++ (ml-kmeans' built-in start is
 * the slow part on large samples) and iterates with ml-kmeans' Lloyd steps.
 */
function fitOnSample(sample: SampleRows, k: number, d: number, seed: number, options: ClusterOptions): Float64Array {
  const { rows, flat } = sample;
  const restarts = Math.max(1, options.restarts ?? DEFAULTS.restarts);
  let best: Float64Array | null = null;
  let bestInertia = Infinity;
  for (let r = 0; r < restarts; r++) {
    const random = mulberry32((Math.imul(seed >>> 0, 2654435761) ^ Math.imul(k * 131 + r + 1, 40503)) >>> 0);
    const start = kmeansPlusPlus(flat, d, k, random);
    const result = kmeans(rows, k, {
      initialization: Array.from({ length: k }, (_, c) => Array.from(start.subarray(c * d, c * d + d))),
      maxIterations: options.maxIterations ?? DEFAULTS.maxIterations,
      // stop when no centre moves more than 0.01 SD (squared distance 1e-4), scikit-learn's scale
      tolerance: 1e-4,
    });
    const centroids = Float64Array.from(result.centroids.flat());
    const inertia = withinSumOfSquares(flat, d, centroids, k);
    if (inertia < bestInertia) {
      bestInertia = inertia;
      best = centroids;
    }
  }
  return best!;
}

function withinSumOfSquares(rows: Float64Array, d: number, centroids: Float64Array, k: number): number {
  let total = 0;
  const n = rows.length / d;
  for (let i = 0; i < n; i++) total += nearest(rows, i * d, d, centroids, k).distance;
  return total;
}

function nearest(rows: Float64Array, offset: number, d: number, centroids: Float64Array, k: number): { index: number; distance: number } {
  let index = 0;
  let distance = Infinity;
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const diff = rows[offset + j]! - centroids[c * d + j]!;
      sum += diff * diff;
    }
    if (sum < distance) {
      distance = sum;
      index = c;
    }
  }
  return { index, distance };
}

/**
 * Index of the nearest centroid (squared Euclidean; ties to the lower index) for each row of a
 * row-major matrix. The hot loop of assigning a million customers.
 */
export function assignNearest(rows: Float64Array, d: number, centroids: Float64Array, k: number): Uint16Array {
  const n = rows.length / d;
  const labels = new Uint16Array(n);
  for (let i = 0, offset = 0; i < n; i++, offset += d) {
    let bestC = 0;
    let bestDistance = Infinity;
    for (let c = 0, co = 0; c < k; c++, co += d) {
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const diff = rows[offset + j]! - centroids[co + j]!;
        sum += diff * diff;
      }
      if (sum < bestDistance) {
        bestDistance = sum;
        bestC = c;
      }
    }
    labels[i] = bestC;
  }
  return labels;
}

/** Up to `size` distinct indices of 0..n−1 (Floyd's algorithm), ascending; all of them when n ≤ size. */
function sampleRows(n: number, size: number, random: () => number): Int32Array {
  if (n <= size) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const chosen = new Set<number>();
  for (let j = n - size; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

/** A sample both as ml-kmeans wants it (arrays) and as our loops want it (row-major typed array). */
interface SampleRows {
  readonly rows: number[][];
  readonly flat: Float64Array;
}

function gatherRows(source: Float64Array, d: number, indices: Int32Array): SampleRows {
  const flat = new Float64Array(indices.length * d);
  const rows: number[][] = [];
  for (let t = 0; t < indices.length; t++) {
    const row = source.subarray(indices[t]! * d, indices[t]! * d + d);
    flat.set(row, t * d);
    rows.push(Array.from(row));
  }
  return { rows, flat };
}

function countDistinctRows(rows: number[][]): number {
  const seen = new Set<string>();
  for (const row of rows) seen.add(row.join(','));
  return seen.size;
}

export { hungarian } from './hungarian.ts';
export { silhouetteScore } from './silhouette.ts';
export { inferRoles } from './cluster-names.ts';
