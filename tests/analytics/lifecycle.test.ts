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

function input(days: number[], asOf: number, pAlive: number | null, extra: Partial<LifecycleInput> = {}): LifecycleInput {
  return { cadence: customerCadence(days, asOf), pAlive, populationGapDays: POPULATION_GAP, ...extra };
}

describe('lifecycleStage', () => {
  it('GIVEN no purchase THEN prospect', () => {
    expect(lifecycleStage(input([], 100, null))).toMatchObject({ stage: 'prospect', reason: 'no purchase yet' });
  });

  it('GIVEN one purchase 10 days ago THEN new, judged against the population gap', () => {
    const result = lifecycleStage(input([90], 100, 0.9));
    expect(result.stage).toBe('new');
    expect(result.reason).toBe('first purchase 10 days ago, 1 purchase so far; P(alive) 0.90');
    expect(result.usualGap).toEqual({ days: 40, source: 'population' });
  });

  it('GIVEN a regular buyer within their usual gap THEN active', () => {
    const result = lifecycleStage(input([0, 30, 60, 90, 120], 140, 0.95));
    expect(result.stage).toBe('active');
    expect(result.reason).toBe('last purchase 20 days ago, 0.7× their usual gap of 30 days; P(alive) 0.95');
  });

  it('GIVEN 142 days since the last purchase, 3.1× a 46-day gap and P(alive) 0.18 THEN churned, with the facts in words', () => {
    const result = lifecycleStage(input([0, 46, 92], 234, 0.18));
    expect(result.stage).toBe('churned');
    expect(result.reason).toBe('last purchase 142 days ago, 3.1× their usual gap of 46 days; P(alive) 0.18');
    expect(result.overdueRatio).toBeCloseTo(142 / 46, 10);
  });

  it('GIVEN the same 3.1× overdue but P(alive) 0.6 THEN at-risk (not yet churned)', () => {
    expect(lifecycleStage(input([0, 46, 92], 234, 0.6)).stage).toBe('at-risk');
  });

  it('GIVEN 4× the usual gap THEN churned whatever P(alive) says, and without P(alive)', () => {
    expect(lifecycleStage(input([0, 30, 60], 180, 0.9)).stage).toBe('churned');
    expect(lifecycleStage(input([0, 30, 60], 180, null)).reason).toBe('last purchase 120 days ago, 4.0× their usual gap of 30 days');
  });

  it('GIVEN 1.2× the usual gap and P(alive) 0.4 THEN at-risk; with P(alive) 0.8 THEN active', () => {
    expect(lifecycleStage(input([0, 50, 100], 160, 0.4)).stage).toBe('at-risk');
    expect(lifecycleStage(input([0, 50, 100], 160, 0.8)).stage).toBe('active');
  });

  it('GIVEN a one-time buyer 100 days ago THEN at-risk against the typical gap', () => {
    const result = lifecycleStage(input([0], 100, 0.7));
    expect(result.stage).toBe('at-risk');
    expect(result.reason).toBe('only purchase 100 days ago, 2.5× the typical gap of 40 days between purchases; P(alive) 0.70');
  });

  it('GIVEN a regular buyer who came back after a long pause THEN reactivated, from their own history alone', () => {
    // gaps 30, 30, 30 then 210 days away; bought again 5 days ago
    const result = lifecycleStage(input([0, 30, 60, 90, 300], 305, 0.9));
    expect(result.stage).toBe('reactivated');
    expect(result.reason).toBe('bought again 5 days ago after 210 days away, 7.0× their usual gap of 30 days; P(alive) 0.90');
  });

  it('GIVEN a customer stored as at-risk who has bought since THEN reactivated', () => {
    // gaps 20, 20, 36: the last pause is not long in itself, but they were at-risk on the last run
    const result = lifecycleStage(input([0, 20, 40, 76], 80, 0.9, { previous: { stage: 'at-risk', purchaseDays: 3 } }));
    expect(result.stage).toBe('reactivated');
    expect(result.reason).toBe('bought again 4 days ago after being at-risk; P(alive) 0.90');
  });

  it('GIVEN a reactivated customer with no purchase since THEN still reactivated; after a routine purchase THEN active', () => {
    const previous = { stage: 'reactivated' as const, purchaseDays: 4 };
    expect(lifecycleStage(input([0, 20, 40, 76], 90, 0.9, { previous })).stage).toBe('reactivated');
    expect(lifecycleStage(input([0, 20, 40, 76, 96], 100, 0.9, { previous })).stage).toBe('active');
  });

  it('GIVEN a reactivated customer who lapses again THEN the at-risk rules win', () => {
    expect(lifecycleStage(input([0, 30, 60, 90, 300], 380, 0.5)).stage).toBe('at-risk');
  });

  it('GIVEN custom thresholds THEN they replace the defaults', () => {
    expect(lifecycleStage(input([0, 30, 60], 110, 0.9, { rules: { atRiskGapRatio: 1.5 } })).stage).toBe('at-risk');
    expect(lifecycleStage(input([0, 30, 60], 110, 0.9)).stage).toBe('active');
  });

  it('GIVEN the rules THEN they are described in words, one line per stage', () => {
    const lines = describeLifecycleRules();
    expect(lines).toHaveLength(LIFECYCLE_STAGES.length);
    expect(lines.join('\n')).toContain(`overdue ≥ ${DEFAULT_LIFECYCLE_RULES.churnedGapRatio}×`);
  });
});

describe('transition', () => {
  it('GIVEN the same stage THEN nothing to log', () => {
    expect(transition('active', { stage: 'active', reason: 'x' })).toBeNull();
  });

  it('GIVEN a churned customer who bought again THEN the transition to reactivated carries the reason', () => {
    const next = lifecycleStage(input([0, 30, 60, 90, 300], 303, 0.9, { previous: { stage: 'churned', purchaseDays: 4 } }));
    expect(transition('churned', next)).toEqual({
      from: 'churned',
      to: 'reactivated',
      reason: 'churned → reactivated: bought again 3 days ago after 210 days away, 7.0× their usual gap of 30 days; P(alive) 0.90',
    });
  });

  it('GIVEN an active customer slipping THEN active → at-risk with the overdue facts', () => {
    const next = lifecycleStage(input([0, 30, 60], 130, 0.6));
    expect(transition('active', next)?.reason).toBe('active → at-risk: last purchase 70 days ago, 2.3× their usual gap of 30 days; P(alive) 0.60');
  });

  it('GIVEN no previous stage THEN the first stage is logged as a change', () => {
    expect(transition(null, { stage: 'prospect', reason: 'no purchase yet' })).toEqual({
      from: null,
      to: 'prospect',
      reason: 'first seen → prospect: no purchase yet',
    });
  });
});
