// Asymptotic standard errors of a maximum-likelihood estimate from the observed information (numerical Hessian), on log-parameters.

/** √diag((−H)⁻¹) where H is the Hessian of `logLik` over log-parameters at `logParams`. */
export function logParameterStandardErrors(logLik: (logParams: number[]) => number, logParams: number[], step = 1e-3): number[] {
  const n = logParams.length;
  const at = (shifts: [number, number][]): number => {
    const p = logParams.slice();
    for (const [i, d] of shifts) p[i] = p[i]! + d;
    return logLik(p);
  };
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const f0 = logLik(logParams);
  for (let i = 0; i < n; i++) {
    hessian[i]![i] = (at([[i, step]]) - 2 * f0 + at([[i, -step]])) / (step * step);
    for (let j = 0; j < i; j++) {
      const h =
        (at([[i, step], [j, step]]) - at([[i, step], [j, -step]]) - at([[i, -step], [j, step]]) + at([[i, -step], [j, -step]])) /
        (4 * step * step);
      hessian[i]![j] = h;
      hessian[j]![i] = h;
    }
  }
  const covariance = invert(hessian.map((row) => row.map((v) => -v)));
  return covariance.map((row, i) => Math.sqrt(row[i]!));
}

/** Gauss–Jordan inverse with partial pivoting (small matrices only). */
function invert(matrix: number[][]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    if (p === 0) throw new Error('invert: singular matrix');
    for (let k = 0; k < 2 * n; k++) a[col]![k] = a[col]![k]! / p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r]![col]!;
      for (let k = 0; k < 2 * n; k++) a[r]![k] = a[r]![k]! - factor * a[col]![k]!;
    }
  }
  return a.map((row) => row.slice(n));
}
