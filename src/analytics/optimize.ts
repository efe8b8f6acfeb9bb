// BFGS quasi-Newton minimiser with a strong-Wolfe line search (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 6.1, 3.5, 3.6) and Hager & Zhang's (2005, SIAM J. Optim. 16(1)) approximate Wolfe test.

/** Writes ∇f(θ) into `gradient` and returns f(θ). May return Infinity/NaN for a point it rejects. */
export type ObjectiveWithGradient = (theta: Float64Array, gradient: Float64Array) => number;

export interface MinimizeOptions {
  /** Stop when every |∂f/∂θᵢ| is at most this. Default 1e-9. */
  gradientTolerance?: number;
  /** Default 200. */
  maxIterations?: number;
  /** Largest move of any coordinate in one step (guards exp() of log-parameters). Default 4. */
  maxStep?: number;
  /** Starting inverse-Hessian estimate (n×n, row-major), e.g. from a fit on a sample. Default: scaled identity. */
  inverseHessian?: ArrayLike<number>;
}

export interface MinimizeResult {
  theta: number[];
  value: number;
  gradient: number[];
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Why the iteration stopped, for model cards and debugging. */
  reason: 'gradient' | 'no-progress' | 'max-iterations';
  /** Final inverse-Hessian estimate (n×n, row-major). */
  inverseHessian: number[];
}

/** Iterations over which "no progress" is judged. */
const STALL_WINDOW = 5;

interface Probe {
  step: number;
  value: number;
  slope: number;
}

/**
 * Minimises a smooth function of unconstrained parameters (fit positive model parameters on
 * their logarithms). Deterministic: same objective and start ⇒ same iterates. When a line search
 * fails the inverse-Hessian estimate is reset once before giving up.
 * @example minimizeBfgs((t, g) => { g[0] = 2 * (t[0] - 3); return (t[0] - 3) ** 2; }, [0]).theta // [3]
 */
export function minimizeBfgs(
  objective: ObjectiveWithGradient,
  start: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = start.length;
  if (n === 0) throw new RangeError('minimizeBfgs: needs at least one parameter');
  const gradientTolerance = options.gradientTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200;
  const maxStep = options.maxStep ?? 4;

  let evaluations = 0;
  const trialTheta = new Float64Array(n);
  const trialGradient = new Float64Array(n);
  const evaluate = (theta: Float64Array, gradient: Float64Array): number => {
    evaluations++;
    const value = objective(theta, gradient);
    if (!Number.isFinite(value)) return Infinity;
    for (let i = 0; i < n; i++) if (!Number.isFinite(gradient[i]!)) return Infinity;
    return value;
  };

  let theta = Float64Array.from(start);
  let gradient = new Float64Array(n);
  let value = evaluate(theta, gradient);
  if (value === Infinity) throw new RangeError('minimizeBfgs: objective is not finite at the start');

  const inverseHessian = new Float64Array(n * n);
  const resetHessian = (): void => {
    inverseHessian.fill(0);
    for (let i = 0; i < n; i++) inverseHessian[i * n + i] = 1;
  };
  let freshHessian = true;
  if (options.inverseHessian && options.inverseHessian.length === n * n) {
    for (let i = 0; i < n * n; i++) inverseHessian[i] = options.inverseHessian[i]!;
    freshHessian = false;
  } else {
    resetHessian();
  }

  const direction = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const hy = new Float64Array(n);
  let iterations = 0;
  let reason: MinimizeResult['reason'] = 'max-iterations';
  const stall = new StallWatch();

  while (iterations < maxIterations) {
    if (maxAbs(gradient) <= gradientTolerance) {
      reason = 'gradient';
      break;
    }
    iterations++;
    let slope = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum -= inverseHessian[i * n + j]! * gradient[j]!;
      direction[i] = sum;
      slope += sum * gradient[i]!;
    }
    if (!(slope < 0)) {
      resetHessian();
      freshHessian = true;
      slope = 0;
      for (let i = 0; i < n; i++) {
        direction[i] = -gradient[i]!;
        slope -= gradient[i]! * gradient[i]!;
      }
    }
    const longest = maxAbs(direction);
    const stepLimit = longest > maxStep ? maxStep / longest : Infinity;
    const initialStep = freshHessian ? Math.min(1, 1 / longest, stepLimit) : Math.min(1, stepLimit);

    let lastStep = NaN;
    const probe = (step: number): Probe => {
      lastStep = step;
      for (let i = 0; i < n; i++) trialTheta[i] = theta[i]! + step * direction[i]!;
      const v = evaluate(trialTheta, trialGradient);
      let d = 0;
      for (let i = 0; i < n; i++) d += trialGradient[i]! * direction[i]!;
      return { step, value: v, slope: v === Infinity ? NaN : d };
    };
    const accepted = wolfeLineSearch(probe, value, slope, initialStep, stepLimit);
    // Rounding noise may leave an accepted (approximate-Wolfe) point a hair above the current value.
    if (accepted === undefined || !(accepted.value <= value + noiseOf(value))) {
      if (freshHessian) {
        reason = 'no-progress';
        break;
      }
      resetHessian();
      freshHessian = true;
      continue;
    }
    // The trial buffers hold the last probe, which is not always the accepted one.
    if (lastStep !== accepted.step) probe(accepted.step);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = trialTheta[i]! - theta[i]!;
      y[i] = trialGradient[i]! - gradient[i]!;
      sy += s[i]! * y[i]!;
    }
    theta = Float64Array.from(trialTheta);
    gradient = Float64Array.from(trialGradient);
    value = accepted.value;
    if (stall.stalled(value, maxAbs(gradient))) {
      reason = 'no-progress';
      break;
    }
    if (sy > 1e-14 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (freshHessian) {
        // Scale the identity to the curvature just seen (N&W eq. 6.20) before the first update.
        const scale = sy / dot(y, y);
        for (let i = 0; i < n * n; i++) inverseHessian[i] = inverseHessian[i]! * scale;
      }
      bfgsUpdate(inverseHessian, s, y, hy, sy);
      freshHessian = false;
    }
  }
  const converged = reason === 'gradient' || (reason === 'no-progress' && maxAbs(gradient) <= gradientTolerance * 1e3);
  return {
    theta: Array.from(theta),
    value,
    gradient: Array.from(gradient),
    iterations,
    evaluations,
    converged,
    reason,
    inverseHessian: Array.from(inverseHessian),
  };
}

function bfgsUpdate(h: Float64Array, s: Float64Array, y: Float64Array, hy: Float64Array, sy: number): void {
  const n = s.length;
  let yhy = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += h[i * n + j]! * y[j]!;
    hy[i] = sum;
    yhy += y[i]! * sum;
  }
  const rho = 1 / sy;
  const factor = (1 + yhy * rho) * rho;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      h[i * n + j] = h[i * n + j]! + factor * s[i]! * s[j]! - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!);
    }
  }
}

/** Strong Wolfe conditions with c1 = 1e-4, c2 = 0.9 (bracketing, then zoom by safeguarded cubic interpolation). */
function wolfeLineSearch(
  probe: (step: number) => Probe,
  value0: number,
  slope0: number,
  initialStep: number,
  stepLimit: number,
): Probe | undefined {
  const c1 = 1e-4;
  const c2 = 0.9;
  let previous: Probe = { step: 0, value: value0, slope: slope0 };
  let step = initialStep;
  for (let i = 0; i < 30; i++) {
    const current = probe(step);
    if (approximatelyWolfe(current, value0, slope0, c2)) return current;
    if (current.value === Infinity) {
      // Outside the region where the objective is defined: treat as too long a step.
      return zoom(probe, previous, current, value0, slope0, c1, c2);
    }
    if (current.value > value0 + c1 * step * slope0 || (i > 0 && current.value >= previous.value)) {
      return zoom(probe, previous, current, value0, slope0, c1, c2);
    }
    if (Math.abs(current.slope) <= -c2 * slope0) return current;
    if (current.slope >= 0) return zoom(probe, current, previous, value0, slope0, c1, c2);
    previous = current;
    if (step >= stepLimit) return current;
    step = Math.min(step * 2, stepLimit);
  }
  return previous.step > 0 ? previous : undefined;
}

function zoom(
  probe: (step: number) => Probe,
  lowIn: Probe,
  highIn: Probe,
  value0: number,
  slope0: number,
  c1: number,
  c2: number,
): Probe | undefined {
  let low = lowIn;
  let high = highIn;
  for (let i = 0; i < 12; i++) {
    const step = interpolate(low, high);
    const current = probe(step);
    if (approximatelyWolfe(current, value0, slope0, c2)) return current;
    if (current.value === Infinity || current.value > value0 + c1 * step * slope0 || current.value >= low.value) {
      high = current;
    } else {
      if (Math.abs(current.slope) <= -c2 * slope0) return current;
      if (current.slope * (high.step - low.step) >= 0) high = low;
      low = current;
    }
    if (Math.abs(high.step - low.step) < 1e-16 * Math.max(1, Math.abs(low.step))) break;
  }
  return low.step > 0 && low.value < value0 ? low : undefined;
}

/**
 * Hager & Zhang's (2005) approximate Wolfe conditions: near the optimum a sum over a million
 * customers changes by less than its rounding error, so the decrease test is relaxed to "no worse
 * than noise" while the slope must show real progress: c2·φ'(0) ≤ φ'(α) ≤ −0.8·φ'(0).
 */
function approximatelyWolfe(p: Probe, value0: number, slope0: number, c2: number): boolean {
  return p.value <= value0 + noiseOf(value0) && p.slope >= c2 * slope0 && p.slope <= -0.8 * slope0;
}

/** How far a value may move from rounding alone (a sum of ~10⁶ terms loses ~12 digits at worst). */
function noiseOf(value: number): number {
  return 1e-12 * Math.max(1, Math.abs(value));
}

/** Minimiser of the cubic through two probes, kept inside the middle 80 % of the bracket. */
function interpolate(p: Probe, q: Probe): number {
  const lo = Math.min(p.step, q.step);
  const hi = Math.max(p.step, q.step);
  const width = hi - lo;
  let candidate = NaN;
  if (Number.isFinite(q.value) && Number.isFinite(p.slope) && Number.isFinite(q.slope)) {
    const d1 = p.slope + q.slope - (3 * (p.value - q.value)) / (p.step - q.step);
    const disc = d1 * d1 - p.slope * q.slope;
    if (disc >= 0) {
      const d2 = Math.sign(q.step - p.step) * Math.sqrt(disc);
      candidate = q.step - (q.step - p.step) * ((q.slope + d2 - d1) / (q.slope - p.slope + 2 * d2));
    }
  }
  if (!Number.isFinite(candidate) || candidate < lo + 0.1 * width || candidate > hi - 0.1 * width) {
    candidate = lo + 0.5 * width;
  }
  return candidate;
}

/**
 * Notices a minimiser crawling along a flat ridge or towards a supremum at infinity: over the last
 * STALL_WINDOW accepted steps neither did the value fall (beyond 1e-11 of it) nor did the largest
 * gradient component halve.
 */
export class StallWatch {
  /** Recent (value, largest gradient component) pairs. */
  readonly #history: [number, number][] = [];

  /** After each accepted step; true when the minimiser should stop ('no-progress'). */
  stalled(value: number, largestGradient: number): boolean {
    this.#history.push([value, largestGradient]);
    if (this.#history.length <= STALL_WINDOW) return false;
    const [oldValue, oldGradient] = this.#history.shift()!;
    return oldValue - value <= 1e-11 * Math.max(1, Math.abs(value)) && largestGradient > 0.5 * oldGradient;
  }
}

/** The largest |vᵢ|. */
export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * Central-difference gradient, for checking analytic gradients in tests.
 * @example numericalGradient((t) => t[0] ** 2, [3]) // ≈ [6]
 */
export function numericalGradient(f: (theta: Float64Array) => number, at: ArrayLike<number>, step = 1e-6): number[] {
  const theta = Float64Array.from(at);
  const out: number[] = [];
  for (let i = 0; i < theta.length; i++) {
    const original = theta[i]!;
    const h = step * Math.max(1, Math.abs(original));
    theta[i] = original + h;
    const up = f(theta);
    theta[i] = original - h;
    const down = f(theta);
    theta[i] = original;
    out.push((up - down) / (2 * h));
  }
  return out;
}

/**
 * Minimises a sequence of approximations of one objective, each stage starting where the last one
 * stopped and with its inverse-Hessian estimate: e.g. a likelihood on a sample of customers, then on
 * all of them, which then needs only a few full evaluations. Iterations and evaluations are summed;
 * `converged` is the last stage's. Earlier stages stop at `warmUpTolerance` (default 1e-6).
 * @example minimizeInStages([onSample, onEveryone], start).theta
 */
export function minimizeInStages(
  stages: ObjectiveWithGradient[],
  start: ArrayLike<number>,
  options: MinimizeOptions & { warmUpTolerance?: number } = {},
): MinimizeResult {
  if (stages.length === 0) throw new RangeError('minimizeInStages: needs at least one stage');
  let theta: ArrayLike<number> = start;
  let inverseHessian = options.inverseHessian;
  let iterations = 0;
  let evaluations = 0;
  let result: MinimizeResult | undefined;
  stages.forEach((objective, k) => {
    const last = k === stages.length - 1;
    result = minimizeBfgs(objective, theta, {
      ...options,
      gradientTolerance: last ? options.gradientTolerance : (options.warmUpTolerance ?? 1e-6),
      inverseHessian,
    });
    iterations += result.iterations;
    evaluations += result.evaluations;
    theta = result.theta;
    inverseHessian = result.inverseHessian;
  });
  return { ...result!, iterations, evaluations };
}
