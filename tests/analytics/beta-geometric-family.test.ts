// The BG/NBD family's expectation factor is summed by one of two series: Euler's, or — when a fit
// puts a far above the data's purchases and Euler's would climb for millions of terms — the plain
// one. Both must give the same function, and a fit the data cannot pin down must not hang a refresh.
import { describe, expect, it } from 'vitest';
import { futureFactor } from '../../src/analytics/beta-geometric-family.ts';
import { hyp2f1 } from '../../src/analytics/special-functions.ts';

/** The definition, [1 − (1−z)^{r+x}·2F1(r+x, b+x; a+b+x−1; z)]/(a−1), through the generic 2F1. */
function byDefinition(p: { r: number; alpha: number; a: number; b: number }, x: number, T: number, t: number): number {
  const z = t / (p.alpha + T + t);
  return (1 - Math.pow(1 - z, p.r + x) * hyp2f1(p.r + x, p.b + x, p.a + p.b + x - 1, z)) / (p.a - 1);
}

describe('futureFactor', () => {
  it('GIVEN a on either side of the switch between the two series THEN the values agree with each other and with the definition', () => {
    for (const x of [0, 1, 4]) {
      for (const [T, t] of [[40, 30], [300, 360], [30, 900]] as const) {
        const switchAt = 0.6 + x + 2 + 20;
        const below = { r: 0.6, alpha: 12, a: switchAt - 1e-7, b: 35 };
        const above = { ...below, a: switchAt + 1e-7 };
        const f1 = futureFactor(below, x, T, t);
        const f2 = futureFactor(above, x, T, t);
        expect(Math.abs(f1 - f2) / Math.abs(f1)).toBeLessThan(1e-6);
        expect(f2).toBeCloseTo(byDefinition(above, x, T, t), 10);
      }
    }
  });

  // Before the plain series this call ran ten million terms (and a refresh thousands of such calls).
  it('GIVEN a fit at a huge a (dropout the data cannot tell) THEN the factor is finite and positive', { timeout: 20_000 }, () => {
    const f = futureFactor({ r: 0.3, alpha: 5, a: 4e6, b: 9e6 }, 0, 20, 360);
    expect(Number.isFinite(f)).toBe(true);
    expect(f).toBeGreaterThan(0);
  });
});
