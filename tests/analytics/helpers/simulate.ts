// Populations drawn from the generative stories of BG/NBD (FHL 2005 §3), Pareto/NBD (SMC 1987) and Gamma-Gamma (FHL 2005b §3).

import { beta, exponential, gamma, type Uniform } from './random.ts';

export interface SimulatedHistories {
  frequency: Float64Array;
  recency: Float64Array;
  age: Float64Array;
}

/** Ages are spread uniformly over [minAge, maxAge] (a cohort acquired over time). */
export interface CohortShape {
  customers: number;
  minAge: number;
  maxAge: number;
}

function allocate(n: number): SimulatedHistories {
  return { frequency: new Float64Array(n), recency: new Float64Array(n), age: new Float64Array(n) };
}

/** BG/NBD: Poisson purchases at rate λ; after each repeat purchase the customer drops out with probability p. */
export function simulateBgnbd(
  random: Uniform,
  p: { r: number; alpha: number; a: number; b: number },
  cohort: CohortShape,
): SimulatedHistories {
  const out = allocate(cohort.customers);
  for (let i = 0; i < cohort.customers; i++) {
    const T = cohort.minAge + (cohort.maxAge - cohort.minAge) * random();
    const lambda = gamma(random, p.r, p.alpha);
    const dropout = beta(random, p.a, p.b);
    let t = 0;
    let x = 0;
    for (;;) {
      t += exponential(random, lambda);
      if (t > T) break;
      x++;
      out.recency[i] = t;
      if (random() < dropout) break;
    }
    out.frequency[i] = x;
    out.age[i] = T;
  }
  return out;
}

/** Pareto/NBD: Poisson purchases at rate λ during an exponential lifetime of rate μ. */
export function simulateParetoNbd(
  random: Uniform,
  p: { r: number; alpha: number; s: number; beta: number },
  cohort: CohortShape,
): SimulatedHistories {
  const out = allocate(cohort.customers);
  for (let i = 0; i < cohort.customers; i++) {
    const T = cohort.minAge + (cohort.maxAge - cohort.minAge) * random();
    const lambda = gamma(random, p.r, p.alpha);
    const lifetime = exponential(random, gamma(random, p.s, p.beta));
    const end = Math.min(T, lifetime);
    let t = 0;
    let x = 0;
    for (;;) {
      t += exponential(random, lambda);
      if (t > end) break;
      x++;
      out.recency[i] = t;
    }
    out.frequency[i] = x;
    out.age[i] = T;
  }
  return out;
}

/** Gamma-Gamma: spend per transaction ~ Gamma(p, ν), ν ~ Gamma(q, v); returns the mean of x spends. */
export function simulateMeanSpend(
  random: Uniform,
  p: { p: number; q: number; v: number },
  frequency: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(frequency.length);
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i]!;
    if (x === 0) continue;
    const nu = gamma(random, p.q, p.v);
    let sum = 0;
    for (let k = 0; k < x; k++) sum += gamma(random, p.p, nu);
    out[i] = sum / x;
  }
  return out;
}
