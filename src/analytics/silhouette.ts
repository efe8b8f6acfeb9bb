// Mean silhouette (Rousseeuw 1987): how well separated a clustering is, the score k is chosen by.

/**
 * Mean silhouette s(i) = (b − a) / max(a, b) over a row-major matrix, with Euclidean distances,
 * a = mean distance to the rest of its own cluster, b = lowest mean distance to another cluster,
 * and s = 0 for a point alone in its cluster (Rousseeuw 1987). NaN with fewer than two clusters used.
 * @example silhouetteScore(Float64Array.of(0, 1, 10, 11), 1, Uint16Array.of(0, 0, 1, 1), 2) // ≈ 0.9
 */
export function silhouetteScore(rows: Float64Array, d: number, labels: ArrayLike<number>, k: number): number {
  const m = labels.length;
  const counts = new Float64Array(k);
  for (let i = 0; i < m; i++) counts[labels[i]!]! += 1;
  let used = 0;
  for (let c = 0; c < k; c++) if (counts[c]! > 0) used++;
  if (used < 2) return NaN;
  const sums = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    const li = labels[i]!;
    for (let t = i + 1; t < m; t++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const diff = rows[i * d + j]! - rows[t * d + j]!;
        sq += diff * diff;
      }
      const dist = Math.sqrt(sq);
      sums[i * k + labels[t]!]! += dist;
      sums[t * k + li]! += dist;
    }
  }
  let total = 0;
  for (let i = 0; i < m; i++) {
    const own = labels[i]!;
    if (counts[own]! <= 1) continue;
    const a = sums[i * k + own]! / (counts[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c]! > 0) b = Math.min(b, sums[i * k + c]! / counts[c]!);
    const denominator = Math.max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0;
  }
  return total / m;
}
