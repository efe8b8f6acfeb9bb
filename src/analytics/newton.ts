// Newton's method with a modified Hessian and a backtracking (Armijo) line search, for objectives
// of a few parameters whose exact Hessian is cheap: Nocedal & Wright, Numerical Optimization, 2nd
// ed., Algorithm 3.2 (Armijo backtracking) and §3.4 (adding a multiple of the identity until the
// Cholesky factorisation succeeds).
import { maxAbs, StallWatch, type MinimizeResult } from './optimize.ts';

/**
 * Writes ∇f(θ) into `gradient` and ∇²f(θ) (n×n, row-major) into `hessian`, and returns f(θ).
 * May return Infinity/NaN for a point it rejects.
 */
export type ObjectiveWithHessian = (theta: Float64Array, gradient: Float64Array, hessian: Float64Array) => number;

export interface NewtonOptions {
  /** Stop when every |∂f/∂θᵢ| is at most this. Default 1e-10. */
  gradientTolerance?: number;
  /** Default 100. */
  maxIterations?: number;
  /** Largest move of any coordinate in one step (guards exp() of log-parameters). Default 4. */
  maxStep?: number;
}

const ARMIJO = 1e-4;
const HALVINGS = 40;
/** Largest step (in the parameters' units, e.g. log-parameters) at a converged point. */
const STEP_TOLERANCE = 1e-6;
/** Relative rounding allowed in a value near the optimum (see the line search). */
const ROUNDING = 1e-10;

/**
 * Minimises a smooth function of unconstrained parameters with its exact Hessian: near the optimum
 * each step doubles the correct digits, where BFGS crawls along a ridge (Gamma-Gamma's q and v move
 * together). A Hessian that is not positive definite gets τ·I added until it is, so every step
 * goes downhill. Deterministic. The result's `inverseHessian` is that of the last point's Hessian (plus τ·I
 * where that was not positive definite), from its Cholesky factor.
 * @example minimizeNewton((t, g, h) => { g[0] = 2 * (t[0] - 3); h[0] = 2; return (t[0] - 3) ** 2; }, [0]).theta // [3]
 */
export function minimizeNewton(objective: ObjectiveWithHessian, start: ArrayLike<number>, options: NewtonOptions = {}): MinimizeResult {
  const n = start.length;
  if (n === 0) throw new RangeError('minimizeNewton: needs at least one parameter');
  const tolerance = options.gradientTolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  const maxStep = options.maxStep ?? 4;
  let evaluations = 0;
  const evaluate = (theta: Float64Array, gradient: Float64Array, hessian: Float64Array): number => {
    evaluations++;
    const value = objective(theta, gradient, hessian);
    if (!Number.isFinite(value)) return Infinity;
    for (let i = 0; i < n; i++) if (!Number.isFinite(gradient[i]!)) return Infinity;
    for (let i = 0; i < n * n; i++) if (!Number.isFinite(hessian[i]!)) return Infinity;
    return value;
  };

  let theta = Float64Array.from(start);
  let gradient = new Float64Array(n);
  let hessian = new Float64Array(n * n);
  let value = evaluate(theta, gradient, hessian);
  if (value === Infinity) throw new RangeError('minimizeNewton: objective is not finite at the start');
  let trial = new Float64Array(n);
  let trialGradient = new Float64Array(n);
  let trialHessian = new Float64Array(n * n);
  const direction = new Float64Array(n);
  const factor = new Float64Array(n * n);
  let iterations = 0;
  let reason: MinimizeResult['reason'] = 'max-iterations';
  const stall = new StallWatch();

  for (;;) {
    newtonDirection(hessian, gradient, factor, direction);
    // Converged: the gradient is flat and so is the step the curvature asks for. Towards a supremum
    // at infinity (e^−x as x grows) the gradient vanishes with the curvature and the step stays long.
    if (maxAbs(gradient) <= tolerance && maxAbs(direction) <= STEP_TOLERANCE) {
      reason = 'gradient';
      break;
    }
    if (iterations >= maxIterations) break;
    iterations++;
    let slope = 0;
    for (let i = 0; i < n; i++) slope += direction[i]! * gradient[i]!;
    const longest = maxAbs(direction);
    let step = longest > maxStep ? maxStep / longest : 1;
    let accepted = false;
    let trialValue = Infinity;
    for (let halving = 0; halving < HALVINGS; halving++, step /= 2) {
      for (let i = 0; i < n; i++) trial[i] = theta[i]! + step * direction[i]!;
      const v = (trialValue = evaluate(trial, trialGradient, trialHessian));
      // Near the optimum the decrease a step promises (about g²/2H) can be smaller than the rounding
      // of a value summed over a million terms: there, and only there, a step that halves the
      // gradient without raising the value beyond that rounding is progress.
      const rounding = ROUNDING * Math.max(1, Math.abs(value));
      const withinRounding = -step * slope <= rounding && v <= value + rounding && maxAbs(trialGradient) <= 0.5 * maxAbs(gradient);
      if (v <= value + ARMIJO * step * slope || withinRounding) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      reason = 'no-progress';
      break;
    }
    [theta, trial] = [trial, theta];
    [gradient, trialGradient] = [trialGradient, gradient];
    [hessian, trialHessian] = [trialHessian, hessian];
    value = trialValue;
    if (stall.stalled(value, maxAbs(gradient))) {
      reason = 'no-progress';
      break;
    }
  }
  // A stop short of the tolerance still counts when the point is flat and the curvature asks for no further move.
  newtonDirection(hessian, gradient, factor, direction);
  const settled = maxAbs(direction) <= STEP_TOLERANCE;
  const converged = reason === 'gradient' || (settled && maxAbs(gradient) <= tolerance * (reason === 'no-progress' ? 1e3 : 1));
  return { theta: Array.from(theta), value, gradient: Array.from(gradient), iterations, evaluations, converged, reason, inverseHessian: inverseFromFactor(factor, n) };
}

/**
 * The Newton direction −(H + τI)⁻¹g, with τ = 0 when H is positive definite and otherwise grown
 * from a small share of its largest diagonal entry until the Cholesky factorisation succeeds.
 */
function newtonDirection(hessian: Float64Array, gradient: Float64Array, factor: Float64Array, out: Float64Array): void {
  const n = gradient.length;
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(hessian[i * n + i]!));
  let shift = 0;
  while (!cholesky(hessian, shift, factor, n)) shift = shift === 0 ? Math.max(1e-3 * largest, 1e-8) : shift * 10;
  for (let i = 0; i < n; i++) out[i] = -gradient[i]!;
  solveWithFactor(factor, out);
}

/** Solves L Lᵀ x = b in place (`x` holds b on entry), L the lower-triangular `factor`. */
function solveWithFactor(factor: Float64Array, x: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let sum = x[i]!;
    for (let k = 0; k < i; k++) sum -= factor[i * n + k]! * x[k]!;
    x[i] = sum / factor[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i]!;
    for (let k = i + 1; k < n; k++) sum -= factor[k * n + i]! * x[k]!;
    x[i] = sum / factor[i * n + i]!;
  }
}

/** Lower-triangular L with L Lᵀ = A + shift·I; false when that is not positive definite. */
function cholesky(a: Float64Array, shift: number, l: Float64Array, n: number): boolean {
  l.fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]! + (i === j ? shift : 0);
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) return false;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  return true;
}

/** (L Lᵀ)⁻¹ from the factor, column by column (row-major; symmetric). */
function inverseFromFactor(factor: Float64Array, n: number): number[] {
  const out = new Array<number>(n * n);
  const column = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    column.fill(0);
    column[j] = 1;
    solveWithFactor(factor, column);
    for (let i = 0; i < n; i++) out[i * n + j] = column[i]!;
  }
  return out;
}
