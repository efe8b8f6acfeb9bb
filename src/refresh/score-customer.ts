// One customer's story as the refresh writes it: churn risk with its reasons, lifecycle stage, the
// figure shown for P(alive) and value at risk, from the customer's state, the models and the
// calibrated churn weights.
import type { ChurnRiskResult } from '../analytics/churn-risk.ts';
import { customerStory } from '../analytics/customer-story.ts';
import type { LifecycleResult, LifecycleStage } from '../analytics/lifecycle.ts';
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

/**
 * A scorer for one refresh: call it with each customer's index and previous stage.
 * @example const score = customerScorer(state, models, churn); score(i, previous.get(id))
 */
export function customerScorer(
  state: CustomerState,
  models: ModelScores,
  churn: Pick<ChurnCalibration, 'weights' | 'weightsSource'>,
): (i: number, previous: { stage: string; purchaseDays: number } | undefined) => ScoredCustomer {
  const figure = withChurnCalibration(models.pAliveChoice, churn.weightsSource);
  const s = state.summaries;
  return (i, previous) => {
    const expected = models.expected90ForChurn[i]!;
    const { pAlive, risk, lifecycle } = customerStory({
      cadence: state.cadence[i]!,
      populationGapDays: state.populationGapDays,
      satisfaction: state.satisfaction[i]!,
      modelPAlive: models.pAlive[i]!,
      figure,
      expectedPurchases90: Number.isNaN(expected) ? null : expected,
      weights: churn.weights,
      previous: previous ? { stage: previous.stage as LifecycleStage, purchaseDays: previous.purchaseDays } : null,
    });
    const yearly = yearlyValueIfTheyStay(
      { repeatPurchases: s.frequency[i]!, ageDays: s.age[i]!, revenue: s.revenue[i]!, purchaseDays: s.purchaseDays[i]! },
      models.ratePrior,
    );
    return { pAlive, risk, life: lifecycle, valueAtRisk: risk ? valueAtRisk(yearly, risk.risk) : null };
  };
}
