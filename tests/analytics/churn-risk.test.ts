import { describe, expect, it } from 'vitest';
import { compareWithBaseline, rocAuc } from '../../src/analytics/backtest.ts';
import { customerCadence, type CustomerCadence } from '../../src/analytics/cadence.ts';
import {
  CHURN_FEATURES,
  DEFAULT_CHURN_WEIGHTS,
  churnFeatureMatrix,
  churnFeatures,
  churnProbabilities,
  churnRisk,
  fitChurnWeights,
  fitLogistic,
  satisfactionSignals,
  type ChurnRiskInput,
  type ChurnWeights,
} from '../../src/analytics/churn-risk.ts';
import { mulberry32 } from '../../src/analytics/random.ts';


/** A cadence with a given usual gap and days since the last purchase (five purchase days). */
function cadenceOf(usualGap: number, daysSince: number): CustomerCadence {
  return { purchaseDays: 5, daysSinceFirstPurchase: 4 * usualGap + daysSince, daysSinceLastPurchase: daysSince, usualGapDays: usualGap, lastGapDays: usualGap, usualGapBeforeLastDays: usualGap };
}

describe('satisfactionSignals', () => {
  it('GIVEN an early 4/5 and a recent 2/5 THEN latest 2, mean 0.5, one recent detractor, a drop from 0.75 to 0.25', () => {
    const signals = satisfactionSignals(
      [
        { score: 4, scale: 'csat', day: 50 },
        { score: 2, scale: 'csat', day: 200 },
        { score: 1, scale: 'csat', day: 300 }, // after the as-of day: ignored
      ],
      234,
    );
    expect(signals).toEqual({
      latest: { score: 2, scale: 'csat', day: 200 },
      responses: 2,
      meanScore: 0.5,
      recentDetractors: 1,
      recentDays: 90,
      recentMeanScore: 0.25,
      earlierMeanScore: 0.75,
    });
    expect(satisfactionSignals([], 10)).toBeNull();
  });

  it('GIVEN NPS responses THEN 0–6 are detractors and scores scale by /10', () => {
    const signals = satisfactionSignals([{ score: 6, scale: 'nps', day: 1 }, { score: 9, scale: 'nps', day: 2 }], 10)!;
    expect(signals.recentDetractors).toBe(1);
    expect(signals.meanScore).toBeCloseTo(0.75, 12);
  });
});

describe('churnRisk', () => {
  const handCase: ChurnRiskInput = {
    cadence: customerCadence([0, 46, 92], 234),
    populationGapDays: 40,
    pAlive: 0.22,
    satisfaction: satisfactionSignals([{ score: 4, scale: 'csat', day: 50 }, { score: 2, scale: 'csat', day: 200 }], 234),
  };

  it('GIVEN 142 days at a 46-day usual gap, P(alive) 0.22 and a last CSAT of 2 THEN those are the top three drivers, in words', () => {
    const result = churnRisk(handCase)!;
    expect(result.drivers.map((driver) => driver.text)).toEqual([
      "no purchase for 142 days, 3.1× this customer's usual gap",
      'P(alive) 0.22',
      'last CSAT 2/5',
    ]);
    // logit = −4 + 1.5·ln(1 + 142/46) + 2.5·0.78 + 1.5·0.75 + 1·0.5 + 0.8·ln 2 + 1.5·0.5
    const logit = -4 + 1.5 * Math.log1p(142 / 46) + 2.5 * 0.78 + 1.5 * 0.75 + 0.5 + 0.8 * Math.LN2 + 0.75;
    expect(result.probability).toBeCloseTo(1 / (1 + Math.exp(-logit)), 12);
    expect(result.risk).toBe(95);
  });

  it('GIVEN room for every driver THEN each satisfaction signal is explained too, largest push first', () => {
    const texts = churnRisk(handCase, DEFAULT_CHURN_WEIGHTS, { maxDrivers: 10 })!.drivers.map((driver) => driver.text);
    expect(texts).toEqual([
      "no purchase for 142 days, 3.1× this customer's usual gap",
      'P(alive) 0.22',
      'last CSAT 2/5',
      'average CSAT down from 4.0 to 2.0 in the last 90 days',
      '1 detractor response in the last 90 days',
      'average CSAT 3/5 over 2 responses',
    ]);
  });

  it('GIVEN a one-time buyer THEN the overdue driver names the typical gap', () => {
    const result = churnRisk({ cadence: customerCadence([0], 120), populationGapDays: 40, pAlive: 0.5, satisfaction: null })!;
    expect(result.drivers[0]!.text).toBe('no purchase for 120 days, 3.0× the typical gap of 40 days (one purchase so far)');
  });

  it('GIVEN the documented example (3 gaps overdue, P(alive) 0.2, one recent CSAT 2) THEN risk 92; an ideal customer THEN 2', () => {
    const example = churnRisk({
      cadence: cadenceOf(30, 90),
      populationGapDays: 40,
      pAlive: 0.2,
      satisfaction: satisfactionSignals([{ score: 2, scale: 'csat', day: 95 }], 100),
    })!;
    expect(example.risk).toBe(92);
    const ideal = churnRisk({ cadence: cadenceOf(30, 0), populationGapDays: 40, pAlive: 1, satisfaction: null })!;
    expect(ideal.risk).toBe(2);
    expect(ideal.drivers).toEqual([]);
  });

  it('GIVEN a prospect THEN no churn risk', () => {
    expect(churnRisk({ cadence: customerCadence([], 10), populationGapDays: 40, pAlive: null, satisfaction: null })).toBeNull();
  });

  it('GIVEN rising overdue ratio or falling P(alive) THEN the risk never goes down (default and fitted weights)', () => {
    const fitted = simulatedFit().fit.weights;
    for (const weights of [DEFAULT_CHURN_WEIGHTS, fitted]) {
      for (const pAlive of [0, 0.2, 0.5, 0.9, 1]) {
        let previous = -1;
        for (const daysSince of [0, 5, 15, 30, 45, 60, 90, 150, 300, 1000, 5000]) {
          const p = churnRisk({ cadence: cadenceOf(30, daysSince), populationGapDays: 40, pAlive, satisfaction: null }, weights)!.probability;
          expect(p).toBeGreaterThanOrEqual(previous);
          previous = p;
        }
      }
      for (const daysSince of [0, 30, 90, 300]) {
        let previous = 2;
        for (const pAlive of [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1]) {
          const p = churnRisk({ cadence: cadenceOf(30, daysSince), populationGapDays: 40, pAlive, satisfaction: null }, weights)!.probability;
          expect(p).toBeLessThanOrEqual(previous);
          previous = p;
        }
      }
    }
  });
});

describe('fitLogistic', () => {
  it('GIVEN 50,000 draws from logit = −0.5 + 1.2·x THEN IRLS recovers the coefficients', () => {
    const random = mulberry32(3);
    const n = 50_000;
    const x = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      y[i] = random() < 1 / (1 + Math.exp(-(-0.5 + 1.2 * x[i]!))) ? 1 : 0;
    }
    const fit = fitLogistic(x, 1, y);
    expect(fit.converged).toBe(true);
    expect(fit.coefficients[0]).toBeCloseTo(-0.5, 1);
    expect(fit.coefficients[1]).toBeCloseTo(1.2, 1);
  });

  it('GIVEN perfectly separable data THEN the ridge keeps the coefficients finite', () => {
    const fit = fitLogistic(Float64Array.of(0, 1, 2, 3), 1, [0, 0, 1, 1]);
    expect(Number.isFinite(fit.coefficients[1]!)).toBe(true);
    expect(fit.coefficients[1]!).toBeGreaterThan(0);
  });
});

/**
 * Simulated backtest where satisfaction matters: churn depends on the overdue ratio (not raw days:
 * customers have different rhythms), on P(alive) and strongly on the latest CSAT.
 */
function simulate(n: number, seed: number) {
  const random = mulberry32(seed);
  const inputs: ChurnRiskInput[] = [];
  const labels = new Uint8Array(n);
  const daysSince = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const gap = Math.round(7 + 120 * random() ** 2);
    const since = Math.round(gap * 3 * random());
    const ratio = since / gap;
    const pAlive = Math.min(1, Math.max(0, Math.exp(-0.4 * ratio) + 0.2 * (random() - 0.5)));
    const hasFeedback = random() < 0.7;
    const csat = 1 + Math.floor(5 * random());
    const satisfaction = hasFeedback ? satisfactionSignals([{ score: csat, scale: 'csat', day: 1000 - Math.floor(60 * random()) }], 1000) : null;
    const logit = -1.5 + 0.6 * Math.log1p(ratio) + 1.0 * (1 - pAlive) + (hasFeedback ? 3 * ((3 - csat) / 2) : 0);
    labels[i] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    daysSince[i] = since;
    inputs.push({ cadence: cadenceOf(gap, since), populationGapDays: 40, pAlive, satisfaction });
  }
  return { inputs, labels, daysSince };
}

let cached: { fit: ReturnType<typeof fitChurnWeights>; test: ReturnType<typeof simulate> } | null = null;
function simulatedFit() {
  if (cached) return cached;
  const train = simulate(20_000, 11);
  const test = simulate(20_000, 12);
  cached = { fit: fitChurnWeights(churnFeatureMatrix(train.inputs), train.labels), test };
  return cached;
}

describe('fitChurnWeights', () => {
  it('GIVEN simulated history where satisfaction matters THEN fitted weights beat the recency-only baseline out of sample', () => {
    const { fit, test } = simulatedFit();
    expect(fit.converged).toBe(true);
    expect(fit.weights.lastScoreLow).toBeGreaterThan(1);
    expect(fit.weights.overdue).toBeGreaterThan(0);
    const scores = churnProbabilities(churnFeatureMatrix(test.inputs), fit.weights);
    const comparison = compareWithBaseline(scores, test.daysSince, test.labels);
    console.log(
      `simulated backtest (n = ${comparison.n}, churn rate ${(100 * comparison.churnRate).toFixed(1)}%): ` +
        `model AUC ${comparison.model.auc!.toFixed(3)}, P@top10% ${comparison.model.precisionTopDecile.toFixed(3)}; ` +
        `recency-only AUC ${comparison.baseline.auc!.toFixed(3)}, P@top10% ${comparison.baseline.precisionTopDecile.toFixed(3)}; ` +
        `weights ${JSON.stringify(fit.weights, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(2)) : v))}`,
    );
    expect(comparison.beatsBaseline).toBe(true);
    expect(comparison.model.auc! - comparison.baseline.auc!).toBeGreaterThan(0.1);
    expect(comparison.model.precisionTopDecile).toBeGreaterThan(comparison.baseline.precisionTopDecile);
    // the calibrated weights also beat the uncalibrated defaults
    const defaults = rocAuc(churnProbabilities(churnFeatureMatrix(test.inputs)), test.labels)!;
    expect(comparison.model.auc!).toBeGreaterThanOrEqual(defaults);
  });

  it('GIVEN a feature that lowers churn in the data THEN its weight is held at 0 to keep the risk monotone', () => {
    // satisfactionDrop made protective by construction: churn only when there is no drop
    const random = mulberry32(5);
    const n = 4000;
    const p = CHURN_FEATURES.length;
    const matrix = new Float64Array(n * p);
    const labels = new Uint8Array(n);
    const dropColumn = CHURN_FEATURES.indexOf('satisfactionDrop');
    const overdueColumn = CHURN_FEATURES.indexOf('overdue');
    for (let i = 0; i < n; i++) {
      matrix[i * p + overdueColumn] = 3 * random();
      matrix[i * p + dropColumn] = random();
      const logit = -1 + matrix[i * p + overdueColumn]! - 3 * matrix[i * p + dropColumn]!;
      labels[i] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    }
    const fit = fitChurnWeights(matrix, labels);
    expect(fit.heldAtZero).toContain('satisfactionDrop');
    expect(fit.weights.satisfactionDrop).toBe(0);
    expect(fit.weights.overdue).toBeGreaterThan(0.5);
  });

  it('GIVEN features for a customer THEN the matrix row and churnFeatures agree', () => {
    const input = simulate(1, 99).inputs[0]!;
    const row = churnFeatureMatrix([input]);
    expect(Array.from(row)).toEqual(CHURN_FEATURES.map((feature) => churnFeatures(input)![feature]));
    const weights: ChurnWeights = DEFAULT_CHURN_WEIGHTS;
    expect(churnProbabilities(row, weights)[0]).toBeCloseTo(churnRisk(input, weights)!.probability, 12);
  });
});
