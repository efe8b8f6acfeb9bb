import { describe, expect, it } from 'vitest';
import { chanceOfBuyingAgain, fitBuyAgainCalibration } from '../../src/analytics/buy-again-calibration.ts';
import { fitEveryModel } from '../../src/analytics/model-fits.ts';
import { choosePAlive, type HoldoutEvidence } from '../../src/analytics/p-alive-choice.ts';
import { groupHistories } from '../../src/analytics/purchase-history.ts';
import { mulberry32 } from './helpers/random.ts';
import { simulateParetoNbd } from './helpers/simulate.ts';

describe('fitBuyAgainCalibration', () => {
  it('GIVEN buyers drawn with P(buy) = 1 − e^{−E} THEN the calibrated chance tracks that curve and rises with E', () => {
    const random = mulberry32(3);
    const expected: number[] = [];
    const bought: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const e = Math.exp(-3 + 5 * random());
      expected.push(e);
      bought.push(random() < 1 - Math.exp(-e) ? 1 : 0);
    }
    const c = fitBuyAgainCalibration(expected, bought, 90)!;
    expect(c.slope).toBeGreaterThan(0);
    expect(c.horizonDays).toBe(90);
    for (const e of [0.2, 1, 2]) expect(Math.abs(chanceOfBuyingAgain(c, e) - (1 - Math.exp(-e)))).toBeLessThan(0.06);
    expect(chanceOfBuyingAgain(c, 0.1)).toBeLessThan(chanceOfBuyingAgain(c, 1));
  });

  it('GIVEN too few customers, or everyone bought, or more expected meaning fewer buyers THEN no calibration', () => {
    expect(fitBuyAgainCalibration([1, 2], [0, 1], 90)).toBeNull();
    expect(fitBuyAgainCalibration(Array.from({ length: 50 }, (_, i) => i + 1), new Array(50).fill(1), 90)).toBeNull();
    const e = Array.from({ length: 100 }, (_, i) => (i + 1) / 10);
    expect(fitBuyAgainCalibration(e, e.map((v) => (v < 5 ? 1 : 0)), 90)).toBeNull();
  });
});

describe('choosePAlive', () => {
  const trusted = fitEveryModel(
    (() => {
      const s = simulateParetoNbd(mulberry32(5), { r: 0.7, alpha: 15, s: 0.8, beta: 60 }, { customers: 5000, minAge: 100, maxAge: 400 });
      return groupHistories(s.frequency, s.recency, s.age);
    })(),
  );
  const noDropout = fitEveryModel(
    (() => {
      const s = simulateParetoNbd(mulberry32(11), { r: 0.8, alpha: 20, s: 1, beta: 1e12 }, { customers: 5000, minAge: 100, maxAge: 400 });
      return groupHistories(s.frequency, s.recency, s.age);
    })(),
  );
  const evidence = (rmse: Record<string, number>, calibrated = true): HoldoutEvidence => ({
    days: 90,
    error: Object.fromEntries(Object.entries(rmse).map(([k, v]) => [k, { mae: v / 2, rmse: v, bias: 0 }])),
    calibration: Object.fromEntries(Object.keys(rmse).map((k) => [k, calibrated ? { intercept: 0, slope: 1, horizonDays: 90, customers: 900, boughtShare: 0.4 } : null])),
  });

  it('GIVEN trusted fits and a holdout THEN the lowest per-customer error among models that let one-time buyers drop out wins, never BG/NBD', () => {
    const choice = choosePAlive(trusted, evidence({ bgnbd: 0.9, paretoNbd: 1.2, mbgnbd: 1.1 }));
    expect(choice).toMatchObject({ chosen: 'mbgnbd', basis: 'model', label: 'P(alive)', horizonDays: null });
    expect(choice.why).toBe(
      'MBG/NBD scores P(alive): of the models that let one-time buyers drop out, it has the lowest per-customer error over the 90-day holdout (RMSE 1.100 purchase days vs 1.200 for Pareto/NBD).',
    );
    expect(choosePAlive(trusted, evidence({ bgnbd: 0.9, paretoNbd: 1.0, mbgnbd: 1.1 })).chosen).toBe('paretoNbd');
  });

  it('GIVEN trusted fits and no holdout THEN the better likelihood decides, and the card says there was no holdout', () => {
    const choice = choosePAlive(trusted, null);
    const better = trusted.fitted.paretoNbd!.fit.logLik > trusted.fitted.mbgnbd!.fit.logLik ? 'paretoNbd' : 'mbgnbd';
    expect(choice.chosen).toBe(better);
    expect(choice.why).toContain('no holdout yet');
  });

  it('GIVEN no fit can tell dropout and a holdout THEN the calibrated chance of buying again stands in, labelled as such', () => {
    const choice = choosePAlive(noDropout, evidence({ bgnbd: 1, paretoNbd: 1.2, mbgnbd: 1.1 }));
    expect(choice).toMatchObject({ chosen: 'mbgnbd', basis: 'calibrated', label: 'Chance of buying again in 90 days', horizonDays: 90 });
    expect(choice.why).toMatch(/^No model can tell how fast customers drop out on this data, so no P\(alive\) is shown as a fact/);
  });

  it('GIVEN no fit can tell dropout and nothing to calibrate on THEN P(alive) cannot be told', () => {
    expect(choosePAlive(noDropout, null).basis).toBe('unknown');
    expect(choosePAlive(noDropout, evidence({ bgnbd: 1, paretoNbd: 1.2, mbgnbd: 1.1 }, false)).basis).toBe('unknown');
  });
});
