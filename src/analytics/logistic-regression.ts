// Penalised logistic regression by iteratively reweighted least squares (Newton–Raphson; McCullagh & Nelder 1989 §4.4), with coefficients that can be held at zero.

export interface LogisticFitOptions {
  /** Ridge penalty on the slopes (not the intercept); keeps separable data finite (default 1). */
  readonly l2?: number;
  readonly maxIterations?: number;
  /** Stop when no coefficient moves more than this (default 1e-8). */
  readonly tolerance?: number;
  /** Slopes forced to 0 (column indices). */
  readonly fixedAtZero?: readonly number[];
}

export interface LogisticFit {
  /** [intercept, slope 1, …, slope p]. */
  readonly coefficients: number[];
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Penalised logistic regression by IRLS: Newton steps β ← β + (XᵀWX + λI)⁻¹(Xᵀ(y − μ) − λβ), with
 * step halving whenever the penalised log-likelihood would fall. X is row-major n × p (no intercept
 * column); y holds 0/1.
 * @example fitLogistic(Float64Array.of(0, 1, 2, 3), 1, [0, 0, 1, 1]).coefficients // [−a, b] with b > 0
 */
export function fitLogistic(x: Float64Array, p: number, y: ArrayLike<number>, options: LogisticFitOptions = {}): LogisticFit {
  const n = y.length;
  if (x.length !== n * p) throw new RangeError('fitLogistic requires an n × p matrix matching y');
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) throw new RangeError('fitLogistic requires labels 0 or 1');
  const l2 = options.l2 ?? 1;
  const fixed = new Set(options.fixedAtZero ?? []);
  const free = [-1, ...Array.from({ length: p }, (_, j) => j).filter((j) => !fixed.has(j))]; // -1 = intercept
  const q = free.length;
  const beta = new Float64Array(q);
  // The free columns (the intercept's 1 first), row after row, copied once: the passes below then
  // read them in order instead of choosing column by column (the backtest's 150k rows: ~2× faster).
  const xf = new Float64Array(n * q);
  for (let i = 0; i < n; i++) for (let f = 0; f < q; f++) xf[i * q + f] = free[f]! < 0 ? 1 : x[i * p + free[f]!]!;
  // Each row's fitted probability at the coefficients last evaluated: the step accepted is the one
  // just evaluated, so the next Newton step starts from these. The probability and the log-likelihood
  // share one exponential (the same values 1/(1 + e^−η) and softplus give).
  const fitted = new Float64Array(n);
  const penalised = (b: Float64Array) => {
    let ll = 0;
    for (let i = 0, at = 0; i < n; i++, at += q) {
      let e = 0;
      for (let f = 0; f < q; f++) e += b[f]! * xf[at + f]!;
      const t = Math.exp(-Math.abs(e));
      fitted[i] = e >= 0 ? 1 / (1 + t) : t / (1 + t);
      ll += y[i]! * e - ((e > 0 ? e : 0) + Math.log1p(t));
    }
    for (let f = 1; f < q; f++) ll -= 0.5 * l2 * b[f]! ** 2;
    return ll;
  };
  let current = penalised(beta);
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const gradient = new Float64Array(q);
    const hessian = new Float64Array(q * q);
    for (let i = 0, at = 0; i < n; i++, at += q) {
      const mu = fitted[i]!;
      const weight = Math.max(mu * (1 - mu), 1e-12);
      const residual = y[i]! - mu;
      for (let f = 0; f < q; f++) {
        const xif = xf[at + f]!;
        gradient[f]! += residual * xif;
        const wf = weight * xif;
        for (let g = 0; g <= f; g++) hessian[f * q + g]! += wf * xf[at + g]!;
      }
    }
    for (let f = 0; f < q; f++) for (let g = 0; g < f; g++) hessian[g * q + f] = hessian[f * q + g]!;
    for (let f = 1; f < q; f++) {
      gradient[f]! -= l2 * beta[f]!;
      hessian[f * q + f]! += l2;
    }
    const step = solveSymmetric(hessian, gradient, q);
    let scale = 1;
    let candidate = beta.map((b, f) => b + step[f]!);
    let next = penalised(candidate);
    while (next < current - 1e-12 && scale > 1e-6) {
      scale /= 2;
      candidate = beta.map((b, f) => b + scale * step[f]!);
      next = penalised(candidate);
    }
    const moved = Math.max(...Array.from(candidate, (b, f) => Math.abs(b - beta[f]!)));
    beta.set(candidate);
    current = next;
    converged = moved < tolerance;
  }
  const coefficients = new Array<number>(p + 1).fill(0);
  free.forEach((j, f) => (coefficients[j + 1] = beta[f]!));
  let logLikelihood = 0;
  for (let i = 0; i < n; i++) {
    let eta = coefficients[0]!;
    for (let j = 0; j < p; j++) eta += coefficients[j + 1]! * x[i * p + j]!;
    logLikelihood += y[i]! * eta - softplus(eta);
  }
  return { coefficients, logLikelihood, iterations, converged };
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Solves A·s = b for a symmetric positive-definite A (Cholesky). */
function solveSymmetric(a: Float64Array, b: Float64Array, q: number): Float64Array {
  const l = new Float64Array(q * q);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * q + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * q + k]! * l[j * q + k]!;
      l[i * q + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * q + j]!;
    }
  }
  const z = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * q + k]! * z[k]!;
    z[i] = sum / l[i * q + i]!;
  }
  const s = new Float64Array(q);
  for (let i = q - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < q; k++) sum -= l[k * q + i]! * s[k]!;
    s[i] = sum / l[i * q + i]!;
  }
  return s;
}
