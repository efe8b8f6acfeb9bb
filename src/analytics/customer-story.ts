// One story per customer: churn risk, lifecycle stage and P(alive) from one rule set. The risk is the
// chance of no purchase in the next 90 days, so it is never below the chance the customer is gone (1 −
// a model's P(alive)); where no model can tell dropout, the figure shown in P(alive)'s place is the
// chance of buying again in those 90 days, exactly one minus the risk. The stage follows the risk
// (lifecycle.ts), and every customer at or above the at-risk threshold gets a reason.
import { churnRisk, type ChurnDriver, type ChurnRiskResult, type ChurnWeights, type SatisfactionSignals } from './churn-risk.ts';
import type { CustomerCadence } from './cadence.ts';
import { DEFAULT_LIFECYCLE_RULES, lifecycleStage, type LifecycleResult, type LifecycleRules, type LifecycleStage } from './lifecycle.ts';
import { CHURN_HORIZON_DAYS, type PAliveChoice } from './p-alive-choice.ts';

export interface StoryInput {
  readonly cadence: CustomerCadence;
  readonly populationGapDays: number;
  readonly satisfaction: SatisfactionSignals | null;
  /** A trusted model's P(alive) (basis `model`); ignored otherwise. */
  readonly modelPAlive: number | null;
  /** What stands for P(alive) in this run. */
  readonly figure: Pick<PAliveChoice, 'basis' | 'label'>;
  /** E[purchases in the next 90 days | history] from the model P(alive) is chosen from. */
  readonly expectedPurchases90: number | null;
  readonly weights: ChurnWeights;
  readonly previous?: { readonly stage: LifecycleStage; readonly purchaseDays: number } | null;
  readonly rules?: Partial<LifecycleRules>;
}

export interface CustomerStory {
  /** The figure shown for P(alive) (labelled `figure.label`); null when it cannot be told or for a prospect. */
  readonly pAlive: number | null;
  readonly risk: ChurnRiskResult | null;
  readonly lifecycle: LifecycleResult;
}

/**
 * @example customerStory({ cadence, populationGapDays: 40, satisfaction: null, modelPAlive: 0.18, figure: { basis: 'model', label: 'P(alive)' }, … })
 *   // { pAlive: 0.18, risk: { risk: 82, drivers: [{ text: 'P(alive) 0.18' }, …] }, lifecycle: { stage: 'churned', … } }
 */
export function customerStory(input: StoryInput): CustomerStory {
  const rules = input.rules ? { ...DEFAULT_LIFECYCLE_RULES, ...input.rules } : DEFAULT_LIFECYCLE_RULES;
  const { basis } = input.figure;
  const modelPAlive = basis === 'model' && input.modelPAlive !== null && !Number.isNaN(input.modelPAlive) ? input.modelPAlive : null;
  const base = {
    cadence: input.cadence,
    populationGapDays: input.populationGapDays,
    // Only a model's P(alive) is a churn feature: the backtest computes it the same way at its cutoff.
    pAlive: modelPAlive,
    satisfaction: input.satisfaction,
    expectedPurchases90: input.expectedPurchases90,
  };
  let risk = churnRisk(base, input.weights, { maxDrivers: 3 });
  if (risk && modelPAlive !== null && 1 - modelPAlive > risk.probability) {
    // P(no purchase in 90 days) ≥ P(gone): a customer the model thinks is gone is at least that much at risk.
    const floor: ChurnDriver = { feature: 'notAlive', contribution: Infinity, text: `P(alive) ${modelPAlive.toFixed(2)}` };
    const probability = 1 - modelPAlive;
    risk = { ...risk, probability, risk: Math.round(100 * probability), drivers: [floor, ...risk.drivers.filter((d) => d.feature !== 'notAlive')].slice(0, 3) };
  }
  if (risk && risk.drivers.length === 0 && risk.risk >= rules.atRiskRisk) {
    // Nothing stands out from an ideal customer: name what pushes hardest anyway, or the store's base rate.
    const strongest = churnRisk(base, input.weights, { maxDrivers: 1, minContribution: Number.MIN_VALUE })?.drivers ?? [];
    const text = `most customers of this store with a history like this do not buy within ${CHURN_HORIZON_DAYS} days`;
    risk = { ...risk, drivers: strongest.length ? strongest : [{ feature: 'overdue', contribution: 0, text }] };
  }
  // Two figures about the same 90 days must add up: the chance of buying is one minus the risk.
  const pAlive = basis === 'model' ? modelPAlive : basis === 'calibrated' && risk ? Math.round(100 - risk.risk) / 100 : null;
  const label = basis === 'model' ? 'P(alive)' : input.figure.label.charAt(0).toLowerCase() + input.figure.label.slice(1);
  const lifecycle = lifecycleStage({
    cadence: input.cadence,
    pAlive,
    pAliveLabel: label,
    churnRisk: risk ? risk.risk : null,
    populationGapDays: input.populationGapDays,
    previous: input.previous ?? null,
    rules: input.rules,
  });
  return { pAlive, risk, lifecycle };
}
