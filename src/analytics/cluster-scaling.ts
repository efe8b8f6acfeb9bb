// How cluster features are scaled: sign(x)·ln(1 + |x|) (or as given), then standardised over the
// population, and back; shared by the clustering and its id matching.

/** How a raw feature becomes a modelling feature before standardising. */
export type FeatureTransform =
  /** sign(x)·ln(1 + |x|): log1p for counts and amounts, still defined for refunds (x < 0). */
  | 'log'
  /** used as given (already a log, a ratio, a score). */
  | 'none';

/** Standardisation in transformed space: z = (t(x) − mean) / sd. */
export interface FeatureScaling {
  readonly transforms: FeatureTransform[];
  readonly mean: number[];
  readonly sd: number[];
}

export function transformValue(x: number, transform: FeatureTransform): number {
  if (transform === 'none') return x;
  return x >= 0 ? Math.log1p(x) : -Math.log1p(-x);
}

export function fromStandardised(value: number, j: number, scaling: FeatureScaling): number {
  const t = value * scaling.sd[j]! + scaling.mean[j]!;
  return scaling.transforms[j] === 'log' ? Math.sign(t) * Math.expm1(Math.abs(t)) : t;
}

export function toStandardised(x: number, j: number, scaling: FeatureScaling): number {
  return (transformValue(x, scaling.transforms[j]!) - scaling.mean[j]!) / scaling.sd[j]!;
}

/** Row-major standardised matrix over the whole population (population SD; a constant feature gets SD 1). */
export function standardise(columns: readonly ArrayLike<number>[], transforms: FeatureTransform[], n: number) {
  const d = columns.length;
  const z = new Float64Array(n * d);
  const mean: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < d; j++) {
    const column = columns[j]!;
    const log = transforms[j] === 'log';
    let sum = 0;
    for (let i = 0, at = j; i < n; i++, at += d) {
      const x = column[i]!;
      if (!Number.isFinite(x)) throw new RangeError(`clusterCustomers requires finite features (column ${j}, row ${i})`);
      const t = log ? (x >= 0 ? Math.log1p(x) : -Math.log1p(-x)) : x;
      z[at] = t;
      sum += t;
    }
    const mu = n > 0 ? sum / n : 0;
    let squares = 0;
    for (let at = j; at < z.length; at += d) {
      const diff = z[at]! - mu;
      squares += diff * diff;
    }
    const sigma = n > 0 ? Math.sqrt(squares / n) : 0;
    const scale = sigma > 1e-12 ? sigma : 1;
    for (let at = j; at < z.length; at += d) z[at] = (z[at]! - mu) / scale;
    mean.push(mu);
    sd.push(scale);
  }
  return { z, mean, sd };
}


