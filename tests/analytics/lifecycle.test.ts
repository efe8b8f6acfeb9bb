import { describe, expect, it } from 'vitest';
import { customerCadence } from '../../src/analytics/cadence.ts';
import {
  DEFAULT_LIFECYCLE_RULES,
  LIFECYCLE_STAGES,
  describeLifecycleRules,
  lifecycleStage,
  transition,
  type LifecycleInput,
} from '../../src/analytics/lifecycle.ts';

const POPULATION_GAP = 40;

function input(days: number[], asOf: number, pAlive: number | null, churnRisk: number | null, extra: Partial<LifecycleInput> = {}): LifecycleInput {
  return { cadence: customerCadence(days, asOf), pAlive, churnRisk, populationGapDays: POPULATION_GAP, ...extra };
}

describe('lifecycleStage', () => {
  it('GIVEN no purchase THEN prospect (no churn risk needed)', () => {
    expect(lifecycleStage(input([], 100, null, null))).toMatchObject({ stage: 'prospect', reason: 'no purchase yet' });
  });

  it('GIVEN one purchase 10 days ago and a low risk THEN new, judged against the population gap', () => {
    const result = lifecycleStage(input([90], 100, 0.9, 12));
    expect(result.stage).toBe('new');
    expect(result.reason).toBe('first purchase 10 days ago, 1 purchase so far; P(alive) 0.90; churn risk 12/100');
    expect(result.usualGap).toEqual({ days: 40, source: 'population' });
  });

  it('GIVEN a regular buyer within their usual gap and a low risk THEN active', () => {
    const result = lifecycleStage(input([0, 30, 60, 90, 120], 140, 0.95, 8));
    expect(result.stage).toBe('active');
    expect(result.reason).toBe('last purchase 20 days ago, 0.7× their usual gap of 30 days; P(alive) 0.95; churn risk 8/100');
  });

  it('GIVEN 4.7 usual gaps since the last purchase, P(alive) 0.18 and risk 91 THEN churned, with the facts in words', () => {
    const result = lifecycleStage(input([0, 30, 60], 200, 0.18, 91));
    expect(result.stage).toBe('churned');
    expect(result.reason).toBe('last purchase 140 days ago, 4.7× their usual gap of 30 days; P(alive) 0.18; churn risk 91/100');
    expect(result.overdueRatio).toBeCloseTo(140 / 30, 10);
  });

  it('GIVEN the same history and risk but P(alive) 0.6 THEN at-risk: a customer more likely alive than not is not called churned', () => {
    expect(lifecycleStage(input([0, 30, 60], 200, 0.6, 91)).stage).toBe('at-risk');
  });

  it('GIVEN risk 91 and P(alive) 0.1 but only 3.1 usual gaps since the last purchase THEN at-risk, not yet churned', () => {
    expect(lifecycleStage(input([0, 46, 92], 234, 0.1, 91)).stage).toBe('at-risk');
  });

  it('GIVEN 4× the usual gap but a risk of 30 THEN neither churned nor at-risk: the stage follows the risk', () => {
    expect(lifecycleStage(input([0, 30, 60], 180, 0.9, 30)).stage).toBe('active');
    expect(lifecycleStage(input([0, 30, 60], 180, null, 65)).reason).toBe('last purchase 120 days ago, 4.0× their usual gap of 30 days; churn risk 65/100');
    expect(lifecycleStage(input([0, 30, 60], 180, null, 65)).stage).toBe('churned');
  });

  it('GIVEN a risk exactly at the at-risk threshold THEN at-risk; one below THEN not', () => {
    expect(lifecycleStage(input([0, 50, 100], 160, 0.8, DEFAULT_LIFECYCLE_RULES.atRiskRisk)).stage).toBe('at-risk');
    expect(lifecycleStage(input([0, 50, 100], 160, 0.8, DEFAULT_LIFECYCLE_RULES.atRiskRisk - 1)).stage).toBe('active');
  });

  it('GIVEN a labelled stand-in for P(alive) THEN the reason names it', () => {
    const result = lifecycleStage(input([0], 100, 0.22, 78, { pAliveLabel: 'chance of buying again in 90 days' }));
    expect(result.stage).toBe('at-risk');
    expect(result.reason).toBe(
      'only purchase 100 days ago, 2.5× the typical gap of 40 days between purchases; chance of buying again in 90 days 0.22; churn risk 78/100',
    );
  });

  it('GIVEN a regular buyer who came back after a long pause THEN reactivated, from their own history alone', () => {
    // gaps 30, 30, 30 then 210 days away; bought again 5 days ago
    const result = lifecycleStage(input([0, 30, 60, 90, 300], 305, 0.9, 10));
    expect(result.stage).toBe('reactivated');
    expect(result.reason).toBe('bought again 5 days ago after 210 days away, 7.0× their usual gap of 30 days; P(alive) 0.90; churn risk 10/100');
  });

  it('GIVEN a customer stored as at-risk who has bought since THEN reactivated', () => {
    // gaps 20, 20, 36: the last pause is not long in itself, but they were at-risk on the last run
    const result = lifecycleStage(input([0, 20, 40, 76], 80, 0.9, 15, { previous: { stage: 'at-risk', purchaseDays: 3 } }));
    expect(result.stage).toBe('reactivated');
    expect(result.reason).toBe('bought again 4 days ago after being at-risk; P(alive) 0.90; churn risk 15/100');
  });

  it('GIVEN a reactivated customer with no purchase since THEN still reactivated; after a routine purchase THEN active', () => {
    const previous = { stage: 'reactivated' as const, purchaseDays: 4 };
    expect(lifecycleStage(input([0, 20, 40, 76], 90, 0.9, 20, { previous })).stage).toBe('reactivated');
    expect(lifecycleStage(input([0, 20, 40, 76, 96], 100, 0.9, 10, { previous })).stage).toBe('active');
  });

  it('GIVEN a reactivated customer who lapses again THEN the risk rules win', () => {
    expect(lifecycleStage(input([0, 30, 60, 90, 300], 380, 0.5, 70)).stage).toBe('at-risk');
  });

  it('GIVEN custom thresholds THEN they replace the defaults', () => {
    expect(lifecycleStage(input([0, 30, 60], 110, 0.9, 45, { rules: { atRiskRisk: 40 } })).stage).toBe('at-risk');
    expect(lifecycleStage(input([0, 30, 60], 110, 0.9, 45)).stage).toBe('active');
  });

  it('GIVEN a buyer without a churn risk THEN it refuses rather than guess a stage', () => {
    expect(() => lifecycleStage(input([0, 30], 60, 0.9, null))).toThrow(/churn risk/);
  });

  it('GIVEN any risk, overdue ratio and P(alive) THEN at-risk and churned only at risk ≥ 60, churned only when P(alive) is below ½', () => {
    for (const risk of [0, 20, 59, 60, 79, 80, 95, 100]) {
      for (const asOf of [70, 100, 200, 400]) {
        for (const pAlive of [null, 0.05, 0.4, 0.5, 0.9]) {
          const { stage } = lifecycleStage(input([0, 30, 60], asOf, pAlive, risk));
          if (stage === 'churned') expect(risk).toBeGreaterThanOrEqual(60);
          if (stage === 'churned' && pAlive !== null) expect(pAlive).toBeLessThan(0.5);
          if (stage === 'active' || stage === 'new' || stage === 'reactivated') expect(risk).toBeLessThan(60);
          if (risk >= 60) expect(['at-risk', 'churned']).toContain(stage);
        }
      }
    }
  });

  it('GIVEN the rules THEN they are described in words, one line per stage', () => {
    const lines = describeLifecycleRules();
    expect(lines).toHaveLength(LIFECYCLE_STAGES.length);
    expect(lines.join('\n')).toContain(`churn risk ≥ ${DEFAULT_LIFECYCLE_RULES.atRiskRisk}, overdue ≥ ${DEFAULT_LIFECYCLE_RULES.churnedGapRatio}×`);
  });
});

describe('transition', () => {
  it('GIVEN the same stage THEN nothing to log', () => {
    expect(transition('active', { stage: 'active', reason: 'x' })).toBeNull();
  });

  it('GIVEN a churned customer who bought again THEN the transition to reactivated carries the reason', () => {
    const next = lifecycleStage(input([0, 30, 60, 90, 300], 303, 0.9, 9, { previous: { stage: 'churned', purchaseDays: 4 } }));
    expect(transition('churned', next)).toEqual({
      from: 'churned',
      to: 'reactivated',
      reason: 'churned → reactivated: bought again 3 days ago after 210 days away, 7.0× their usual gap of 30 days; P(alive) 0.90; churn risk 9/100',
    });
  });

  it('GIVEN an active customer slipping THEN active → at-risk with the overdue facts', () => {
    const next = lifecycleStage(input([0, 30, 60], 130, 0.6, 64));
    expect(transition('active', next)?.reason).toBe(
      'active → at-risk: last purchase 70 days ago, 2.3× their usual gap of 30 days; P(alive) 0.60; churn risk 64/100',
    );
  });

  it('GIVEN no previous stage THEN the first stage is logged as a change', () => {
    expect(transition(null, { stage: 'prospect', reason: 'no purchase yet' })).toEqual({
      from: null,
      to: 'prospect',
      reason: 'first seen → prospect: no purchase yet',
    });
  });
});
