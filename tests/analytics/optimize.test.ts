import { describe, expect, it } from 'vitest';
import { minimizeBfgs, minimizeInStages, numericalGradient, type ObjectiveWithGradient } from '../../src/analytics/optimize.ts';

const rosenbrock: ObjectiveWithGradient = (t, g) => {
  const [x, y] = [t[0]!, t[1]!];
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('minimizeBfgs', () => {
  it('GIVEN the Rosenbrock valley THEN it reaches (1, 1) and says it converged', () => {
    const result = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.reason).toBe('gradient');
    expect(result.theta[0]).toBeCloseTo(1, 7);
    expect(result.theta[1]).toBeCloseTo(1, 7);
  });

  it('GIVEN the same start twice THEN the iterates are identical (deterministic)', () => {
    const a = minimizeBfgs(rosenbrock, [-1.2, 1]);
    const b = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(b.theta).toEqual(a.theta);
    expect(b.evaluations).toBe(a.evaluations);
  });

  it('GIVEN an objective undefined on part of the space THEN it backs off instead of failing', () => {
    // −ln(x) + x has its minimum at 1 and is not finite for x ≤ 0.
    const barrier: ObjectiveWithGradient = (t, g) => {
      const x = t[0]!;
      g[0] = -1 / x + 1;
      return x > 0 ? -Math.log(x) + x : NaN;
    };
    const result = minimizeBfgs(barrier, [8], { maxStep: 100 });
    expect(result.theta[0]).toBeCloseTo(1, 8);
  });

  it('GIVEN a start where the objective is not finite THEN it throws', () => {
    expect(() => minimizeBfgs(() => NaN, [0])).toThrow(/minimizeBfgs/);
  });

  it('GIVEN an approximate objective first THEN minimizeInStages finishes on the exact one', () => {
    const shifted = (shift: number): ObjectiveWithGradient => (t, g) => {
      g[0] = 2 * (t[0]! - shift);
      g[1] = 8 * (t[1]! + shift);
      return (t[0]! - shift) ** 2 + 4 * (t[1]! + shift) ** 2;
    };
    const result = minimizeInStages([shifted(2.9), shifted(3)], [0, 0]);
    expect(result.theta[0]).toBeCloseTo(3, 9);
    expect(result.theta[1]).toBeCloseTo(-3, 9);
    expect(result.converged).toBe(true);
  });
});

describe('numericalGradient', () => {
  it('GIVEN a smooth function THEN it matches the analytic gradient', () => {
    const g = new Float64Array(2);
    rosenbrock(Float64Array.from([0.3, 0.7]), g);
    const numeric = numericalGradient((t) => rosenbrock(t, new Float64Array(2)), [0.3, 0.7]);
    expect(numeric[0]).toBeCloseTo(g[0]!, 5);
    expect(numeric[1]).toBeCloseTo(g[1]!, 5);
  });
});
