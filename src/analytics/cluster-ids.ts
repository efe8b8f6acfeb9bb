// Cluster ids that survive refreshes: the previous clusters' centres carried into this run's
// standardised space, matched one-to-one to the new centroids (Hungarian method, Kuhn 1955).
import { toStandardised, type FeatureScaling } from './cluster-scaling.ts';
import { hungarian } from './hungarian.ts';

/** A cluster from the previous refresh: its id and its centre in original feature units. */
export interface PreviousCluster {
  readonly id: number;
  readonly center: readonly number[];
}

/**
 * Previous centres in this run's standardised units (a refresh for another as-of day shifts every
 * customer's recency and tenure, so the old centres are re-read on the new scale).
 */
export function previousCentres(previous: readonly PreviousCluster[], scaling: FeatureScaling): number[][] {
  return previous.map((p) => {
    if (p.center.length !== scaling.mean.length) throw new RangeError('clusterCustomers: previous centre has the wrong number of features');
    return p.center.map((x, j) => toStandardised(x, j, scaling));
  });
}

/**
 * New centroids matched to the previous ones on Euclidean distance in standardised space; a match
 * within `maxDistance` keeps the old id, anything else gets the next unused id, larger clusters first.
 */
export function stableIds(
  zScores: number[][],
  sizes: Float64Array,
  previous: readonly PreviousCluster[],
  scaling: FeatureScaling,
  maxDistance: number,
): { id: number; distance: number | null }[] {
  const k = zScores.length;
  const result: { id: number; distance: number | null }[] = Array.from({ length: k }, () => ({ id: -1, distance: null }));
  if (previous.length > 0) {
    const previousZ = previousCentres(previous, scaling);
    const cost = zScores.map((zc) => previousZ.map((pz) => distance(pz, zc)));
    for (const [c, p] of hungarian(cost)) {
      const d = cost[c]![p]!;
      if (d <= maxDistance) result[c] = { id: previous[p]!.id, distance: d };
    }
  }
  let nextId = previous.reduce((max, p) => Math.max(max, p.id), -1) + 1;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => sizes[b]! - sizes[a]! || compareLexicographic(zScores[a]!, zScores[b]!));
  for (const c of order) if (result[c]!.id < 0) result[c] = { id: nextId++, distance: null };
  return result;
}

export function distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(sum);
}

function compareLexicographic(a: number[], b: number[]): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j]! - b[j]!;
  return 0;
}
