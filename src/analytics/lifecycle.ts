// Lifecycle stages by explicit rules on the churn risk (churn-risk.ts), the customer's own cadence
// (median purchase gap, cadence.ts) and P(alive), so that stage, risk and P(alive) tell one story:
// at-risk and churned only at or above the risk threshold, churned only when long overdue and more
// likely gone than not.
import { expectedGap, overdueRatio, type CustomerCadence, type ExpectedGap } from './cadence.ts';

export const LIFECYCLE_STAGES = ['prospect', 'new', 'active', 'at-risk', 'churned', 'reactivated'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Thresholds of the rules; every field can be overridden, e.g. after a backtest. */
export interface LifecycleRules {
  /** At risk when the churn risk (0–100) is at least this: the threshold `/churn-risk` lists from. */
  readonly atRiskRisk: number;
  /** Churned when at risk, at least this many usual gaps past the last purchase… */
  readonly churnedGapRatio: number;
  /** …and P(alive), when known, is below this. */
  readonly churnedPAlive: number;
  /** A comeback: the latest purchase ended a pause of at least this many usual gaps. */
  readonly comebackGapRatio: number;
  /** New while the customer has at most this many purchase days… */
  readonly newMaxPurchaseDays: number;
  /** …and the first one was at most this many usual gaps ago. */
  readonly newWindowGaps: number;
}

export const DEFAULT_LIFECYCLE_RULES: LifecycleRules = Object.freeze({
  atRiskRisk: 60,
  churnedGapRatio: 4,
  churnedPAlive: 0.5,
  comebackGapRatio: 2,
  newMaxPurchaseDays: 2,
  newWindowGaps: 2,
});

/**
 * The rules in words, in the order they are applied (the first that holds decides). "Usual gap" is
 * the median gap between the customer's purchase days, or for a one-time buyer the median usual gap
 * across customers; "overdue" = days since last purchase ÷ usual gap. The stages follow the churn
 * risk, so a card never says churned beside a low risk or active beside a high one.
 */
export function describeLifecycleRules(rules: LifecycleRules = DEFAULT_LIFECYCLE_RULES): string[] {
  return [
    'prospect: no purchase yet',
    `churned: churn risk ≥ ${rules.atRiskRisk}, overdue ≥ ${rules.churnedGapRatio}× and P(alive) (when known) below ${rules.churnedPAlive}`,
    `at-risk: churn risk ≥ ${rules.atRiskRisk}`,
    `reactivated: the latest purchase came after a pause of ≥ ${rules.comebackGapRatio}× the usual gap before it, ` +
      'or the customer was at-risk or churned and has bought since; it lasts until the next purchase',
    `new: at most ${rules.newMaxPurchaseDays} purchase days, the first within ${rules.newWindowGaps} usual gaps`,
    `active: everyone else who has bought (churn risk below ${rules.atRiskRisk})`,
  ];
}

export interface LifecycleInput {
  /** Cadence as of the evaluation day (`customerCadence`). */
  readonly cadence: CustomerCadence;
  /** The customer's P(alive) figure (a model's P(alive), or the calibrated chance of buying again); null when unknown. */
  readonly pAlive: number | null;
  /** What that figure is called in the reason ("P(alive)", "chance of buying again in 90 days"). */
  readonly pAliveLabel?: string;
  /** Churn risk 0–100 (`churnRisk`), required once the customer has bought. */
  readonly churnRisk: number | null;
  /** Median usual gap across customers: the usual gap of a one-time buyer. */
  readonly populationGapDays: number;
  /** Stage at the previous evaluation and the purchase days counted then, when known. */
  readonly previous?: { readonly stage: LifecycleStage; readonly purchaseDays: number } | null;
  readonly rules?: Partial<LifecycleRules>;
}

export interface LifecycleResult {
  readonly stage: LifecycleStage;
  /** A sentence a rep understands: the facts that put the customer in this stage. */
  readonly reason: string;
  /** Days since last purchase ÷ usual gap; null for prospects. */
  readonly overdueRatio: number | null;
  /** The gap the customer was judged against; null for prospects. */
  readonly usualGap: ExpectedGap | null;
}

export interface LifecycleTransition {
  readonly from: LifecycleStage | null;
  readonly to: LifecycleStage;
  /** "active → at-risk: last purchase 96 days ago, …". */
  readonly reason: string;
}

/**
 * The customer's stage and why, by the rules of `describeLifecycleRules`.
 * @example lifecycleStage({ cadence: customerCadence([0, 30, 60], 200), pAlive: 0.18, churnRisk: 91, populationGapDays: 40 })
 *   // { stage: 'churned', reason: 'last purchase 140 days ago, 4.7× their usual gap of 30 days; P(alive) 0.18; churn risk 91/100', … }
 */
export function lifecycleStage(input: LifecycleInput): LifecycleResult {
  // A refresh asks a million times with the defaults: no copy of them then.
  const rules = input.rules ? { ...DEFAULT_LIFECYCLE_RULES, ...input.rules } : DEFAULT_LIFECYCLE_RULES;
  const { cadence, pAlive, churnRisk: risk } = input;
  if (pAlive !== null && !(pAlive >= 0 && pAlive <= 1)) throw new RangeError('lifecycleStage requires pAlive in [0, 1] or null');
  if (cadence.purchaseDays === 0 || cadence.daysSinceLastPurchase === null || cadence.daysSinceFirstPurchase === null) {
    return { stage: 'prospect', reason: 'no purchase yet', overdueRatio: null, usualGap: null };
  }
  if (risk === null || !(risk >= 0 && risk <= 100)) throw new RangeError('lifecycleStage requires a churn risk in [0, 100] for a customer who has bought');
  const gap = expectedGap(cadence, input.populationGapDays);
  const ratio = overdueRatio(cadence.daysSinceLastPurchase, gap.days);
  const since = cadence.daysSinceLastPurchase;
  const facts = `${pAlive === null ? '' : `; ${input.pAliveLabel ?? 'P(alive)'} ${pAlive.toFixed(2)}`}; churn risk ${Math.round(risk)}/100`;
  // Written only for the stages that give it as their reason.
  const overdue = () => `${cadence.purchaseDays === 1 ? 'only purchase' : 'last purchase'} ${days(since)} ago, ${ratio.toFixed(1)}× ${gapText(gap)}${facts}`;
  const result = (stage: LifecycleStage, reason: string): LifecycleResult => ({ stage, reason, overdueRatio: ratio, usualGap: gap });

  if (risk >= rules.atRiskRisk && ratio >= rules.churnedGapRatio && !(pAlive !== null && pAlive >= rules.churnedPAlive)) {
    return result('churned', overdue());
  }
  if (risk >= rules.atRiskRisk) return result('at-risk', overdue());

  const comeback = comebackGap(cadence, input.populationGapDays);
  const previous = input.previous ?? null;
  const boughtSincePrevious = previous !== null && cadence.purchaseDays > previous.purchaseDays;
  const wasLapsing = previous !== null && (previous.stage === 'at-risk' || previous.stage === 'churned');
  const cameBack = comeback !== null && comeback.ratio >= rules.comebackGapRatio;
  if (cameBack || (wasLapsing && boughtSincePrevious) || (previous?.stage === 'reactivated' && !boughtSincePrevious)) {
    const pause = cameBack
      ? ` after ${days(comeback!.pause)} away, ${comeback!.ratio.toFixed(1)}× ${gapText(comeback!.gap)}`
      : wasLapsing && boughtSincePrevious
        ? ` after being ${previous!.stage}`
        : '';
    return result('reactivated', `bought again ${days(since)} ago${pause}${facts}`);
  }

  if (cadence.purchaseDays <= rules.newMaxPurchaseDays && cadence.daysSinceFirstPurchase <= rules.newWindowGaps * gap.days) {
    const count = cadence.purchaseDays === 1 ? '1 purchase so far' : `${cadence.purchaseDays} purchases so far`;
    return result('new', `first purchase ${days(cadence.daysSinceFirstPurchase)} ago, ${count}${facts}`);
  }
  return result('active', overdue());
}

/**
 * Reports a stage change with its reason; null when the stage is unchanged (nothing to log).
 * A first evaluation (`previousStage` null) is a change from nothing.
 * @example transition('churned', { stage: 'reactivated', reason: 'bought again 3 days ago …' })?.reason
 *   // 'churned → reactivated: bought again 3 days ago …'
 */
export function transition(
  previousStage: LifecycleStage | null,
  next: Pick<LifecycleResult, 'stage' | 'reason'>,
): LifecycleTransition | null {
  if (previousStage === next.stage) return null;
  const from = previousStage ?? 'first seen';
  return { from: previousStage, to: next.stage, reason: `${from} → ${next.stage}: ${next.reason}` };
}

/** The pause that ended with the latest purchase, against the rhythm the customer had before it. */
function comebackGap(cadence: CustomerCadence, populationGapDays: number): { pause: number; ratio: number; gap: ExpectedGap } | null {
  if (cadence.lastGapDays === null) return null;
  const gap = expectedGap({ usualGapDays: cadence.usualGapBeforeLastDays }, populationGapDays);
  return { pause: cadence.lastGapDays, ratio: cadence.lastGapDays / gap.days, gap };
}

function gapText(gap: ExpectedGap): string {
  return gap.source === 'customer'
    ? `their usual gap of ${days(gap.days)}`
    : `the typical gap of ${days(gap.days)} between purchases`;
}

function days(value: number): string {
  const rounded = Math.round(value);
  return `${rounded} ${rounded === 1 ? 'day' : 'days'}`;
}
