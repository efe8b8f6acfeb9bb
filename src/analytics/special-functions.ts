// Special functions for the CLV models: Lanczos lnΓ (Press et al., Numerical Recipes 3rd ed., §6.1), digamma and trigamma (Abramowitz & Stegun 6.3.5, 6.3.18, 6.4.11, 6.4.12), Gauss 2F1 (A&S 15.1.1, 15.3.5) and the incomplete-beta continued fraction (NR §6.4, eq. 6.4.5).

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.91893853320467274178;
const TINY = 1e-300;

/**
 * ln Γ(x) for real x that is not 0 or a negative integer (ln |Γ(x)| for negative x).
 * Lanczos approximation (g = 7, 9 terms), absolute error below 1e-14 for x > 0.
 * @example lnGamma(10) // 12.801827480081469 = ln 9!
 */
export function lnGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0.5) {
    if (Number.isInteger(x)) throw new RangeError(`lnGamma: pole at ${x}`);
    // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  }
  if (x === Infinity) return Infinity;
  const z = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0]!;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) sum += LANCZOS_COEFFICIENTS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0.
 * @example lnBeta(1, 1) // 0
 */
export function lnBeta(a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`lnBeta: needs a > 0 and b > 0, got ${a}, ${b}`);
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/**
 * Digamma ψ(x) = d/dx ln Γ(x): upward recurrence to x ≥ 10, then the asymptotic series;
 * reflection for negative x. Absolute error about 1e-15.
 * @example digamma(1) // −0.5772156649015329 (minus the Euler–Mascheroni constant)
 */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) {
    if (Number.isInteger(x)) throw new RangeError(`digamma: pole at ${x}`);
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series =
    inv2 *
    (1 / 12 -
      inv2 *
        (1 / 120 -
          inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))));
  return shift + Math.log(x) - 0.5 * inv - series;
}

/**
 * Trigamma ψ′(x) = d²/dx² ln Γ(x) for x > 0: the recurrence ψ′(x) = ψ′(x+1) + 1/x² up to x ≥ 10,
 * then the asymptotic series (A&S 6.4.11, 6.4.12); relative error below 1e-14.
 * @example trigamma(1) // π²/6
 */
export function trigamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`trigamma: needs x > 0, got ${x}`);
  let shift = 0;
  while (x < 10) {
    shift += 1 / (x * x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30 - inv2 * (5 / 66 - inv2 * (691 / 2730 - inv2 * (7 / 6)))))));
  return shift + series;
}

/**
 * ln(e^a + e^b) without overflow.
 * @example logAddExp(0, 0) // Math.LN2
 */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * ln(e^a − e^b) for a ≥ b (−Infinity when a = b), accurate when b is close to a.
 * @example logDiffExp(Math.log(3), 0) // Math.log(2)
 */
export function logDiffExp(a: number, b: number): number {
  if (b > a) throw new RangeError(`logDiffExp: needs a ≥ b, got ${a} < ${b}`);
  if (b === -Infinity) return a;
  const d = b - a;
  // ln(1 − e^d): log1p(−e^d) is accurate for d < −ln 2, log(−expm1(d)) above it.
  return a + (d < -Math.LN2 ? Math.log1p(-Math.exp(d)) : Math.log(-Math.expm1(d)));
}

/**
 * ln Σ e^{v_i} without overflow; −Infinity for an empty list.
 * @example logSumExp([0, 0, 0]) // Math.log(3)
 */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity || max === Infinity || Number.isNaN(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for −1 < z < 1 by its power series
 * (Pfaff's transformation A&S 15.3.5 for z < 0, so every series runs on 0 ≤ z < 1).
 * Terms are summed until they stop mattering; throws after `maxTerms`.
 * Convergence is geometric in z: fine for z ≤ 0.99, slow beyond.
 * @example hyp2f1(1, 1, 2, 0.5) // 2 ln 2 = −ln(1 − z)/z
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): number {
  if (!(z > -1 && z < 1)) throw new RangeError(`hyp2f1: needs −1 < z < 1, got ${z}`);
  if (z < 0) return Math.pow(1 - z, -a) * hyp2f1Series(a, c - b, c, z / (z - 1), maxTerms);
  return hyp2f1Series(a, b, c, z, maxTerms);
}

function hyp2f1Series(a: number, b: number, c: number, z: number, maxTerms: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    // The ratio tends to z; past n > |a| + |b| + |c| it is monotone, so the tail is geometric
    // with rate at most q = max(|ratio|, z).
    const q = Math.max(Math.abs(ratio), z);
    if (term === 0 || (n > Math.abs(a) + Math.abs(b) + Math.abs(c) && q < 1 && Math.abs(term) * q < 1e-17 * (1 - q) * Math.abs(sum))) {
      return sum;
    }
  }
  throw new RangeError(`hyp2f1: no convergence after ${maxTerms} terms (a=${a}, b=${b}, c=${c}, z=${z})`);
}

/**
 * ln K(a, b, z) where K = 2F1(a + b, 1; a + 1; z), the continued fraction of the incomplete beta
 * function: B_z(a, b) = ∫₀^z w^{a−1} (1 − w)^{b−1} dw = z^a (1 − z)^b K / a (NR eq. 6.4.5).
 * Valid for any real b (also b ≤ 0, where B_z diverges as z → 1) when a > 0, a + b > 0 and
 * 0 ≤ z < 1; the modified Lentz iteration needs about 1/√(1 − z) steps, against 1/(1 − z)
 * terms for the power series. When `grad` is given, ∂lnK/∂a, ∂lnK/∂b, ∂lnK/∂z are written
 * into grad[0..2] (forward-mode differentiation of the same iteration).
 * @example Math.exp(logIncompleteBetaFraction(1, 0, 0.5)) // 2F1(1, 1; 2; ½) = 2 ln 2
 */
export function logIncompleteBetaFraction(a: number, b: number, z: number, grad?: Float64Array): number {
  if (!(a > 0 && a + b > 0 && z >= 0 && z < 1)) {
    throw new RangeError(`logIncompleteBetaFraction: needs a > 0, a + b > 0, 0 ≤ z < 1; got ${a}, ${b}, ${z}`);
  }
  const ab = a + b;
  // Modified Lentz: K = Π (c_k d_k). Each factor's log-derivatives w.r.t. (a, b, z) are carried along
  // (lc*, ld*), so the gradient of ln K is the running sum of theirs (forward-mode differentiation).
  let D = 1 - (ab * z) / (a + 1);
  if (Math.abs(D) < TINY) D = TINY;
  let d = 1 / D;
  let ldA = (z * (1 - b)) / ((a + 1) * (a + 1)) * d;
  let ldB = (z / (a + 1)) * d;
  let ldZ = (ab / (a + 1)) * d;
  let product = d;
  let logScale = 0;
  let gA = ldA;
  let gB = ldB;
  let gZ = ldZ;
  let c = 1;
  let invC = 1;
  let lcA = 0;
  let lcB = 0;
  let lcZ = 0;
  const maxSteps = 200_000;
  for (let m = 1; m <= maxSteps; m++) {
    const m2 = 2 * m;
    let converged = false;
    for (let half = 0; half < 2; half++) {
      let aa: number;
      let aaA: number;
      let aaB: number;
      let aaZ: number;
      if (half === 0) {
        const u = a - 1 + m2;
        const v = a + m2;
        const inv = 1 / (u * v);
        aaZ = m * (b - m) * inv;
        aa = aaZ * z;
        aaA = -aa * (u + v) * inv;
        aaB = m * z * inv;
      } else {
        const u = a + m2;
        const v = a + 1 + m2;
        const inv = 1 / (u * v);
        aaZ = -(a + m) * (ab + m) * inv;
        aa = aaZ * z;
        aaA = -z * (ab + a + m2) * inv - aa * (u + v) * inv;
        aaB = -z * (a + m) * inv;
      }
      // D = 1 + aa·d, d ← 1/D: ln-derivative −D'/D with D' = d·(aa' + aa·ld').
      D = 1 + aa * d;
      if (Math.abs(D) < TINY) D = TINY;
      const dOld = d;
      d = 1 / D;
      const scaleD = -dOld * d;
      ldA = scaleD * (aaA + aa * ldA);
      ldB = scaleD * (aaB + aa * ldB);
      ldZ = scaleD * (aaZ + aa * ldZ);
      // C = 1 + aa/c: ln-derivative C'/C with C' = (aa' − aa·lc')/c.
      let C = 1 + aa * invC;
      if (Math.abs(C) < TINY) C = TINY;
      const invCNew = 1 / C;
      const scaleC = invC * invCNew;
      lcA = scaleC * (aaA - aa * lcA);
      lcB = scaleC * (aaB - aa * lcB);
      lcZ = scaleC * (aaZ - aa * lcZ);
      c = C;
      invC = invCNew;
      const del = d * c;
      product *= del;
      gA += ldA + lcA;
      gB += ldB + lcB;
      gZ += ldZ + lcZ;
      converged =
        Math.abs(del - 1) < 1e-16 &&
        Math.abs(ldA + lcA) + Math.abs(ldB + lcB) + Math.abs(ldZ + lcZ) < 1e-14 * (1 + Math.abs(gA) + Math.abs(gB) + Math.abs(gZ));
    }
    const size = Math.abs(product);
    if (size > 1e250 || size < 1e-250) {
      // Keep the running product in range; single factors may be negative, K itself is ≥ 1.
      logScale += Math.log(size);
      product = Math.sign(product);
    }
    if (converged) {
      if (grad) {
        grad[0] = gA;
        grad[1] = gB;
        grad[2] = gZ;
      }
      return logScale + Math.log(Math.abs(product));
    }
  }
  throw new RangeError(`logIncompleteBetaFraction: no convergence (a=${a}, b=${b}, z=${z})`);
}
