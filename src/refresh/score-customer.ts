// One customer's story as the refresh writes it: churn risk with its reasons, lifecycle stage, the
// figure shown for P(alive) and value at risk, from the customer's state, the models and the
// calibrated churn weights.
import type { ChurnRiskResult } from '../analytics/churn-risk.ts';
import { customerStory } from '../analytics/customer-story.ts';
import { summarizeFigure, type FigureSummary } from '../analytics/figure-summary.ts';
import { DEFAULT_LIFECYCLE_RULES, type LifecycleResult, type LifecycleStage } from '../analytics/lifecycle.ts';
import { withChurnCalibration } from '../analytics/p-alive-choice.ts';
import { valueAtRisk, yearlyValueIfTheyStay } from '../analytics/value-at-risk.ts';
import type { ChurnCalibration } from './churn-backtest.ts';
import type { CustomerState } from './customer-state.ts';
import type { ModelScores } from './fit-models.ts';

export interface ScoredCustomer {
  /** The figure stored as p_alive (the card's `pAlive.label` says what it is); null when it cannot be told. */
  pAlive: number | null;
  risk: ChurnRiskResult | null;
  life: LifecycleResult;
  valueAtRisk: number | null;
}

/** What the scored customers look like, for the model card. */
export interface StorySummary {
  /** The churn risk from which a customer is at-risk (and listed by `/churn-risk`), and how many are at or above it. */
  threshold: number;
  atOrAboveThreshold: number;
  churnRisk: FigureSummary | null;
  /** The P(alive) figure (`pAlive.label`) by days since the last purchase: it should fall as silence grows. */
  pAliveBySilence: ({ silentDays: string } & FigureSummary)[];
}

export type CustomerScorer = ((i: number, previous: { stage: string; purchaseDays: number } | undefined) => ScoredCustomer) & {
  /** Summary of every customer scored so far. */
  summary(): StorySummary;
  /** Every customer's churn risk and value at risk as scored (NaN: none), for owner alerts. */
  scores(): { risk: Float64Array; valueAtRisk: Float64Array };
};

const SILENCE_BANDS: [string, number, number][] = [
  ['0–89', 0, 90],
  ['90–179', 90, 180],
  ['180+', 180, Infinity],
];

/**
 * A scorer for one refresh: call it with each customer's index and previous stage.
 * @example const score = customerScorer(state, models, churn); score(i, previous.get(id)); score.summary()
 */
export function customerScorer(state: CustomerState, models: ModelScores, churn: Pick<ChurnCalibration, 'weights' | 'weightsSource'>): CustomerScorer {
  const figure = withChurnCalibration(models.pAliveChoice, churn.weightsSource);
  const s = state.summaries;
  const figures = new Float64Array(s.count).fill(NaN);
  const risks = new Float64Array(s.count).fill(NaN);
  const values = new Float64Array(s.count).fill(NaN);
  const score = (i: number, previous: { stage: string; purchaseDays: number } | undefined): ScoredCustomer => {
    const expected = models.expected90ForChurn[i]!;
    const { pAlive, risk, lifecycle } = customerStory({
      cadence: state.cadence.at(i),
      populationGapDays: state.populationGapDays,
      satisfaction: state.satisfaction[i]!,
      modelPAlive: models.pAlive[i]!,
      figure,
      expectedPurchases90: Number.isNaN(expected) ? null : expected,
      weights: churn.weights,
      previous: previous ? { stage: previous.stage as LifecycleStage, purchaseDays: previous.purchaseDays } : null,
    });
    const yearly = yearlyValueIfTheyStay(
      { repeatPurchases: s.frequency[i]!, ageDays: s.age[i]!, revenue: s.revenue[i]!, purchaseDays: s.purchaseDays[i]!, expectedSpend: models.expectedSpend[i]! },
      models.ratePrior,
    );
    if (pAlive !== null) figures[i] = pAlive;
    const atRisk = risk ? valueAtRisk(yearly, risk.risk) : null;
    if (risk) risks[i] = risk.risk;
    if (atRisk !== null) values[i] = atRisk;
    return { pAlive, risk, life: lifecycle, valueAtRisk: atRisk };
  };
  const summary = (): StorySummary => {
    const threshold = DEFAULT_LIFECYCLE_RULES.atRiskRisk;
    let atOrAboveThreshold = 0;
    for (const r of risks) if (r >= threshold) atOrAboveThreshold++;
    const bands = SILENCE_BANDS.map(() => [] as number[]);
    for (const i of state.buyers) {
      const silent = state.asOfDay - s.lastPurchaseDay[i]!;
      const band = SILENCE_BANDS.findIndex(([, from, to]) => silent >= from && silent < to);
      if (band >= 0 && !Number.isNaN(figures[i]!)) bands[band]!.push(figures[i]!);
    }
    const pAliveBySilence = SILENCE_BANDS.flatMap(([silentDays], b) => {
      const stats = summarizeFigure(bands[b]!);
      return stats ? [{ silentDays, ...stats }] : [];
    });
    return { threshold, atOrAboveThreshold, churnRisk: summarizeFigure(risks), pAliveBySilence };
  };
  return Object.assign(score, { summary, scores: () => ({ risk: risks, valueAtRisk: values }) });
}
