// Lifecycle stages by explicit rules on the customer's own cadence (median purchase gap, cadence.ts) and P(alive) (Pareto/NBD, Schmittlein, Morrison & Colombo 1987).
import { expectedGap, overdueRatio, type CustomerCadence, type ExpectedGap } from './cadence.ts';

export const LIFECYCLE_STAGES = ['prospect', 'new', 'active', 'at-risk', 'churned', 'reactivated'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Thresholds of the rules; every field can be overridden, e.g. after a backtest. */
export interface LifecycleRules {
  /** Churned when days since last purchase ≥ this × the usual gap, whatever P(alive) says. */
  readonly churnedGapRatio: number;
  /** …or when ≥ `atRiskGapRatio` × the usual gap and P(alive) is below this. */
  readonly churnedPAlive: number;
  /** At risk when days since last purchase ≥ this × the usual gap. */
  readonly atRiskGapRatio: number;
  /** …or when past one usual gap and P(alive) is below this. */
  readonly atRiskPAlive: number;
  /** New while the customer has at most this many purchase days… */
  readonly newMaxPurchaseDays: number;
  /** …and the first one was at most this many usual gaps ago. */
  readonly newWindowGaps: number;
}

export const DEFAULT_LIFECYCLE_RULES: LifecycleRules = Object.freeze({
  churnedGapRatio: 4,
  churnedPAlive: 0.2,
  atRiskGapRatio: 2,
  atRiskPAlive: 0.5,
  newMaxPurchaseDays: 2,
  newWindowGaps: 2,
});

/**
 * The rules in words, in the order they are applied (the first that holds decides). "Usual gap" is
 * the median gap between the customer's purchase days, or for a one-time buyer the median usual gap
 * across customers; "overdue" = days since last purchase ÷ usual gap.
 */
export function describeLifecycleRules(rules: LifecycleRules = DEFAULT_LIFECYCLE_RULES): string[] {
  return [
    'prospect: no purchase yet',
    `churned: overdue ≥ ${rules.churnedGapRatio}×, or overdue ≥ ${rules.atRiskGapRatio}× with P(alive) below ${rules.churnedPAlive}`,
    `at-risk: overdue ≥ ${rules.atRiskGapRatio}×, or overdue ≥ 1× with P(alive) below ${rules.atRiskPAlive}`,
    `reactivated: the latest purchase came after a pause of ≥ ${rules.atRiskGapRatio}× the usual gap before it, or the customer was at-risk or churned and has bought since; it lasts until the next purchase`,
    `new: at most ${rules.newMaxPurchaseDays} purchase days, the first within ${rules.newWindowGaps} usual gaps`,
    'active: everyone else who has bought',
  ];
}

export interface LifecycleInput {
  /** Cadence as of the evaluation day (`customerCadence`). */
  readonly cadence: CustomerCadence;
  /** Probability the customer is still buying (Pareto/NBD or MBG/NBD); null when unknown. */
  readonly pAlive: number | null;
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
 * @example lifecycleStage({ cadence: customerCadence([0, 46, 92], 234), pAlive: 0.18, populationGapDays: 40 })
 *   // { stage: 'churned', reason: 'last purchase 142 days ago, 3.1× their usual gap of 46 days; P(alive) 0.18', … }
 */
export function lifecycleStage(input: LifecycleInput): LifecycleResult {
  const rules = { ...DEFAULT_LIFECYCLE_RULES, ...input.rules };
  const { cadence, pAlive } = input;
  if (pAlive !== null && !(pAlive >= 0 && pAlive <= 1)) throw new RangeError('lifecycleStage requires pAlive in [0, 1] or null');
  if (cadence.purchaseDays === 0 || cadence.daysSinceLastPurchase === null || cadence.daysSinceFirstPurchase === null) {
    return { stage: 'prospect', reason: 'no purchase yet', overdueRatio: null, usualGap: null };
  }
  const gap = expectedGap(cadence, input.populationGapDays);
  const ratio = overdueRatio(cadence.daysSinceLastPurchase, gap.days);
  const since = cadence.daysSinceLastPurchase;
  const pAliveText = pAlive === null ? '' : `; P(alive) ${pAlive.toFixed(2)}`;
  const lastPurchase = `${cadence.purchaseDays === 1 ? 'only purchase' : 'last purchase'} ${days(since)} ago`;
  const overdue = `${lastPurchase}, ${ratio.toFixed(1)}× ${gapText(gap)}${pAliveText}`;
  const result = (stage: LifecycleStage, reason: string): LifecycleResult => ({ stage, reason, overdueRatio: ratio, usualGap: gap });
  const lowPAlive = (threshold: number) => pAlive !== null && pAlive < threshold;

  if (ratio >= rules.churnedGapRatio || (ratio >= rules.atRiskGapRatio && lowPAlive(rules.churnedPAlive))) {
    return result('churned', overdue);
  }
  if (ratio >= rules.atRiskGapRatio || (ratio >= 1 && lowPAlive(rules.atRiskPAlive))) {
    return result('at-risk', overdue);
  }

  const comeback = comebackGap(cadence, input.populationGapDays);
  const previous = input.previous ?? null;
  const boughtSincePrevious = previous !== null && cadence.purchaseDays > previous.purchaseDays;
  const wasLapsing = previous !== null && (previous.stage === 'at-risk' || previous.stage === 'churned');
  if (
    (comeback !== null && comeback.ratio >= rules.atRiskGapRatio) ||
    (wasLapsing && boughtSincePrevious) ||
    (previous?.stage === 'reactivated' && !boughtSincePrevious)
  ) {
    const pause =
      comeback !== null && comeback.ratio >= rules.atRiskGapRatio
        ? ` after ${days(comeback.pause)} away, ${comeback.ratio.toFixed(1)}× ${gapText(comeback.gap)}`
        : wasLapsing && boughtSincePrevious
          ? ` after being ${previous!.stage}`
          : '';
    return result('reactivated', `bought again ${days(since)} ago${pause}${pAliveText}`);
  }

  if (cadence.purchaseDays <= rules.newMaxPurchaseDays && cadence.daysSinceFirstPurchase <= rules.newWindowGaps * gap.days) {
    const count = cadence.purchaseDays === 1 ? '1 purchase so far' : `${cadence.purchaseDays} purchases so far`;
    return result('new', `first purchase ${days(cadence.daysSinceFirstPurchase)} ago, ${count}${pAliveText}`);
  }
  return result('active', overdue);
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
