// Asymptotic standard errors of a maximum-likelihood estimate (Cramér–Rao; e.g. Pawitan 2001 §2.5,
// §3.3): the inverse observed information, the Hessian of −LL by central differences of the analytic
// gradient over log-parameters, carried back to the parameters by the delta method.
import { fromLogParameters, type ModelParams, type PreparedLogLikelihood } from './repeat-purchase-model.ts';

export interface StandardErrors {
  /** SE of each parameter, p·SE(ln p); null where the likelihood is flat (no finite curvature). */
  readonly standardErrors: (number | null)[];
  /** SE of each log-parameter, null where the likelihood is flat. */
  readonly logStandardErrors: (number | null)[];
  /** Whether the observed information is positive definite: false means a flat direction or a saddle. */
  readonly positiveDefinite: boolean;
}

/**
 * Standard errors at `estimate` from a prepared log-likelihood with gradients.
 * @example standardErrors(BGNBD.logLikelihoodOf(groups), ['r', 'alpha', 'a', 'b'], fit).standardErrors // [0.0125, …] on CDNOW (weeks)
 */
export function standardErrors<P extends ModelParams>(logLik: PreparedLogLikelihood<P>, names: readonly string[], estimate: P, step = 1e-4): StandardErrors {
  const n = names.length;
  const theta = names.map((name) => Math.log((estimate as Record<string, number>)[name]!));
  const gradient = new Float64Array(n);
  const logGradient = (at: number[]): number[] => {
    const p = fromLogParameters<P>(names, at);
    logLik(p, gradient);
    return names.map((name, i) => gradient[i]! * (p as Record<string, number>)[name]!);
  };
  const information = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const up = theta.slice();
    const down = theta.slice();
    up[j] = up[j]! + step;
    down[j] = down[j]! - step;
    const gUp = logGradient(up);
    const gDown = logGradient(down);
    for (let i = 0; i < n; i++) information[i]![j] = -(gUp[i]! - gDown[i]!) / (2 * step);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = (information[i]![j]! + information[j]![i]!) / 2;
      information[i]![j] = mean;
      information[j]![i] = mean;
    }
  }
  const covariance = choleskyInverse(information);
  const positiveDefinite = covariance !== null;
  const logStandardErrors = names.map((_, i) => {
    const v = covariance?.[i]?.[i];
    return v !== undefined && v > 0 && Number.isFinite(v) ? Math.sqrt(v) : null;
  });
  const standardErrors = logStandardErrors.map((se, i) => (se === null ? null : se * Math.exp(theta[i]!)));
  return { standardErrors, logStandardErrors, positiveDefinite };
}

/** Inverse of a symmetric positive-definite matrix through its Cholesky factor; null when it is not positive definite. */
function choleskyInverse(matrix: number[][]): number[][] | null {
  const n = matrix.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        // relative to the diagonal's size: a pivot lost in rounding is a flat direction, not curvature
        if (!(sum > 1e-12 * Math.abs(matrix[i]![i]!)) || !Number.isFinite(sum)) return null;
        L[i]![i] = Math.sqrt(sum);
      } else {
        L[i]![j] = sum / L[j]![j]!;
      }
    }
  }
  // inv(A) = inv(L)ᵀ inv(L)
  const Linv = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    Linv[i]![i] = 1 / L[i]![i]!;
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= L[i]![k]! * Linv[k]![j]!;
      Linv[i]![j] = sum / L[i]![i]!;
    }
  }
  const inverse = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += Linv[k]![i]! * Linv[k]![j]!;
      inverse[i]![j] = sum;
      inverse[j]![i] = sum;
    }
  }
  return inverse;
}
