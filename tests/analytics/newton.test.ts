import { describe, expect, it } from 'vitest';
import { minimizeNewton, type ObjectiveWithHessian } from '../../src/analytics/newton.ts';

const rosenbrock: ObjectiveWithHessian = (t, g, h) => {
  const [x, y] = [t[0]!, t[1]!];
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
  h.set([2 - 400 * (y - 3 * x * x), -400 * x, -400 * x, 200]);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('minimizeNewton', () => {
  it('GIVEN the Rosenbrock valley, whose Hessian is indefinite at the start, THEN it reaches (1, 1), converged, in few iterations', () => {
    // At (−1.2, 1) the Hessian is positive definite, at (0, 1) it is not: start at both.
    for (const start of [[-1.2, 1], [0, 1]]) {
      const result = minimizeNewton(rosenbrock, start);
      expect(result.converged).toBe(true);
      expect(result.reason).toBe('gradient');
      expect(result.theta[0]).toBeCloseTo(1, 9);
      expect(result.theta[1]).toBeCloseTo(1, 9);
      expect(result.iterations).toBeLessThan(40);
    }
  });

  it('GIVEN a quadratic THEN one full step lands on the minimum, and the inverse Hessian is returned', () => {
    const quadratic: ObjectiveWithHessian = (t, g, h) => {
      const [x, y] = [t[0]! - 3, t[1]! + 2];
      g[0] = 4 * x + y;
      g[1] = x + 2 * y;
      h.set([4, 1, 1, 2]);
      return 2 * x * x + x * y + y * y;
    };
    const result = minimizeNewton(quadratic, [0, 0], { maxStep: 10 });
    expect(result.iterations).toBe(1);
    expect(result.theta[0]).toBeCloseTo(3, 12);
    expect(result.theta[1]).toBeCloseTo(-2, 12);
    // [[4, 1], [1, 2]]⁻¹ = [[2, −1], [−1, 4]] / 7
    result.inverseHessian.forEach((v, k) => expect(v).toBeCloseTo([2 / 7, -1 / 7, -1 / 7, 4 / 7][k]!, 12));
  });

  it('GIVEN an objective undefined on part of the space THEN it backs off instead of failing', () => {
    // −ln(x) + x has its minimum at 1 and is not finite for x ≤ 0; Newton from 8 first jumps below 0.
    const barrier: ObjectiveWithHessian = (t, g, h) => {
      const x = t[0]!;
      g[0] = -1 / x + 1;
      h[0] = 1 / (x * x);
      return x > 0 ? -Math.log(x) + x : NaN;
    };
    const result = minimizeNewton(barrier, [8], { maxStep: 100 });
    expect(result.converged).toBe(true);
    expect(result.theta[0]).toBeCloseTo(1, 10);
  });

  it('GIVEN a minimum at infinity THEN it stops without claiming convergence, though the gradient vanishes', () => {
    // e^{−x} decreases forever: its gradient falls below any tolerance, and so does its curvature,
    // so the step Newton asks for stays 1 long.
    const slope: ObjectiveWithHessian = (t, g, h) => {
      g[0] = -Math.exp(-t[0]!);
      h[0] = Math.exp(-t[0]!);
      return Math.exp(-t[0]!);
    };
    const result = minimizeNewton(slope, [0]);
    expect(Math.abs(result.gradient[0]!)).toBeLessThan(1e-10);
    expect(result.converged).toBe(false);
    expect(result.reason).toBe('max-iterations');
  });

  it('GIVEN a large value far from the optimum THEN no step goes uphill within its rounding', () => {
    // 1e9 − 0.05 cos x − 0.003 x: from −1.35 a full step (capped at 4) lands past the ridge at 2.65,
    // 0.05 higher, which is within 1e-10 of 1e9. Descent stays in the basin it started in.
    const tilted: ObjectiveWithHessian = (t, g, h) => {
      const x = t[0]!;
      g[0] = 0.05 * Math.sin(x) - 0.003;
      h[0] = 0.05 * Math.cos(x);
      return 1e9 - 0.05 * Math.cos(x) - 0.003 * x;
    };
    const result = minimizeNewton(tilted, [-1.35]);
    expect(result.converged).toBe(true);
    expect(result.theta[0]).toBeCloseTo(Math.asin(0.06), 9);
  });

  it('GIVEN the last iteration allowed reaches the tolerance THEN it says it converged', () => {
    const bowl: ObjectiveWithHessian = (t, g, h) => {
      g[0] = 2 * (t[0]! - 3);
      h[0] = 2;
      return (t[0]! - 3) ** 2;
    };
    const result = minimizeNewton(bowl, [0], { maxIterations: 1 });
    expect(result.converged).toBe(true);
    expect(result.theta[0]).toBeCloseTo(3, 12);
  });

  it('GIVEN a start where the objective is not finite THEN it throws', () => {
    expect(() => minimizeNewton(() => NaN, [0])).toThrow(/minimizeNewton/);
  });
});
