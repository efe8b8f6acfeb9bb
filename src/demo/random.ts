// The demo generator's randomness: one seeded stream (src/analytics/random.ts) with the draws the
// story needs, as methods.
import { beta, exponential, gamma, mulberry32, standardNormal, type Uniform } from '../analytics/random.ts';

export class Random {
  readonly #uniform: Uniform;

  constructor(seed: number) {
    this.#uniform = mulberry32(seed >>> 0 || 0x9e3779b9);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#uniform();
  }

  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  normal(): number {
    return standardNormal(this.#uniform);
  }

  exponential(rate: number): number {
    return exponential(this.#uniform, rate);
  }

  /** Gamma with the given shape and scale (mean shape × scale). */
  gamma(shape: number, scale: number): number {
    return gamma(this.#uniform, shape, 1 / scale);
  }

  beta(a: number, b: number): number {
    return beta(this.#uniform, a, b);
  }
}
