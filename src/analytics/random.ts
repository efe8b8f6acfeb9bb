// Seeded random variates (pure, deterministic): mulberry32 (Tommy Ettinger's 32-bit generator) and Marsaglia & Tsang (2000) gamma. Used by clustering, the demo generator, simulations and benchmarks.

/** A deterministic source of uniform numbers in [0, 1). */
export type Uniform = () => number;

export function mulberry32(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exponential with the given rate. */
export function exponential(random: Uniform, rate: number): number {
  return -Math.log(1 - random()) / rate;
}

export function standardNormal(random: Uniform): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma with shape k and rate θ (mean k/θ). */
export function gamma(random: Uniform, shape: number, rate: number): number {
  if (shape < 1) {
    // Boost: G(k) = G(k + 1) · U^{1/k}
    return gamma(random, shape + 1, rate) * Math.pow(1 - random(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export function beta(random: Uniform, a: number, b: number): number {
  const x = gamma(random, a, 1);
  const y = gamma(random, b, 1);
  return x / (x + y);
}
