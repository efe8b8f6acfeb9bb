// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007; 2 + ln k candidates per step as scikit-learn
// does): ml-kmeans' own start is the slow part on large samples.

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007; 2 + ln k candidates per step as in
 * scikit-learn): each next centre is drawn with probability proportional to squared distance from
 * the centres so far, keeping the candidate that lowers the total most.
 */
export function kmeansPlusPlus(rows: Float64Array, d: number, k: number, random: () => number): Float64Array {
  const n = rows.length / d;
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.min(n - 1, Math.floor(random() * n));
  centers.set(rows.subarray(first * d, first * d + d), 0);
  let closest = new Float64Array(n);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = squaredDistance(rows, i * d, rows, first * d, d);
    potential += closest[i]!;
  }
  let candidateClosest = new Float64Array(n);
  let bestClosest = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestCandidate = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const candidate = potential > 0 ? drawProportional(closest, potential * random()) : Math.floor(random() * n);
      let candidatePotential = 0;
      for (let i = 0; i < n; i++) {
        const dist = Math.min(closest[i]!, squaredDistance(rows, i * d, rows, candidate * d, d));
        candidateClosest[i] = dist;
        candidatePotential += dist;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestCandidate = candidate;
        [bestClosest, candidateClosest] = [candidateClosest, bestClosest];
      }
    }
    centers.set(rows.subarray(bestCandidate * d, bestCandidate * d + d), c * d);
    [closest, bestClosest] = [bestClosest, closest];
    potential = bestPotential;
  }
  return centers;
}

function drawProportional(weights: Float64Array, target: number): number {
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i]!;
    if (cumulative > target && weights[i]! > 0) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return 0;
}

function squaredDistance(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, d: number): number {
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const diff = a[aOffset + j]! - b[bOffset + j]!;
    sum += diff * diff;
  }
  return sum;
}
