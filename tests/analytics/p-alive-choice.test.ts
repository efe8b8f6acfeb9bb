import { describe, expect, it } from 'vitest';
import { fitEveryModel } from '../../src/analytics/model-fits.ts';
import { choosePAlive, withChurnCalibration, type HoldoutEvidence } from '../../src/analytics/p-alive-choice.ts';
import { groupHistories } from '../../src/analytics/purchase-history.ts';
import { mulberry32 } from './helpers/random.ts';
import { simulateParetoNbd } from './helpers/simulate.ts';

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
  const evidence = (rmse: Record<string, number>): HoldoutEvidence => ({
    days: 90,
    error: Object.fromEntries(Object.entries(rmse).map(([k, v]) => [k, { mae: v / 2, rmse: v, bias: 0 }])),
  });

  it('GIVEN trusted fits and a holdout THEN the lowest per-customer error among models that let one-time buyers drop out wins, never BG/NBD', () => {
    const choice = choosePAlive(trusted, evidence({ bgnbd: 0.9, paretoNbd: 1.2, mbgnbd: 1.1 }));
    expect(choice).toMatchObject({ chosen: 'mbgnbd', basis: 'model', label: 'P(alive)', horizonDays: null });
    expect(choice.why).toBe(
      'MBG/NBD scores P(alive): of the models that let one-time buyers drop out, it has the lowest per-customer error ' +
        'over the 90-day holdout (RMSE 1.100 purchase days vs 1.200 for Pareto/NBD).',
    );
    expect(choosePAlive(trusted, evidence({ bgnbd: 0.9, paretoNbd: 1.0, mbgnbd: 1.1 })).chosen).toBe('paretoNbd');
  });

  it('GIVEN trusted fits and no holdout THEN the better likelihood decides, and the card says there was no holdout', () => {
    const choice = choosePAlive(trusted, null);
    const better = trusted.fitted.paretoNbd!.fit.logLik > trusted.fitted.mbgnbd!.fit.logLik ? 'paretoNbd' : 'mbgnbd';
    expect(choice.chosen).toBe(better);
    expect(choice.why).toContain('no holdout yet');
  });

  it('GIVEN no fit can tell dropout THEN the calibrated chance of buying again (one minus the churn risk) stands in, labelled as such', () => {
    const choice = choosePAlive(noDropout, evidence({ bgnbd: 1, paretoNbd: 1.2, mbgnbd: 1.1 }));
    expect(choice).toMatchObject({ chosen: 'mbgnbd', basis: 'calibrated', label: 'Chance of buying again in 90 days', horizonDays: 90 });
    expect(choice.why).toMatch(/^No model can tell how fast customers drop out on this data, so no P\(alive\) is shown as a fact/);
    expect(withChurnCalibration(choice, 'fitted')).toBe(choice);
  });

  it('GIVEN no fit can tell dropout and churn weights that could not be fitted THEN P(alive) cannot be told', () => {
    const choice = withChurnCalibration(choosePAlive(noDropout, null), 'default');
    expect(choice.basis).toBe('unknown');
    expect(choice.why).toMatch(/cannot be told\.$/);
    expect(withChurnCalibration(choosePAlive(trusted, null), 'default').basis).toBe('model');
  });

  it('GIVEN no model could be fitted at all THEN P(alive) cannot be told', () => {
    const none = fitEveryModel(groupHistories([0, 0], [0, 0], [5, 9]));
    expect(choosePAlive(none, null)).toMatchObject({ chosen: null, basis: 'unknown' });
  });
});
