// The refresh's pure parts on a real shop (UCI Online Retail, as of its newest order 2011-12-09),
// read straight from ../shared/retail until `pulse import transactions` lands: the models cannot
// tell dropout there, and every customer's card must still tell one honest story.
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterCustomers } from '../../src/analytics/clusters.ts';
import { DEFAULT_LIFECYCLE_RULES } from '../../src/analytics/lifecycle.ts';
import { noFeedback } from '../../src/db/histories.ts';
import { calibrateChurn, type ChurnCalibration } from '../../src/refresh/churn-backtest.ts';
import { customerStateAsOf, pick, type CustomerState } from '../../src/refresh/customer-state.ts';
import { fitModels, type ModelScores } from '../../src/refresh/fit-models.ts';
import { holdoutFor, type HoldoutResult } from '../../src/refresh/holdout-step.ts';
import { repeatPurchaseCard } from '../../src/refresh/model-card.ts';
import { customerScorer, type CustomerScorer, type ScoredCustomer } from '../../src/refresh/score-customer.ts';
import { loadRetailHistories, RETAIL_LAST_DAY, retailStatus } from '../analytics/helpers/retail.ts';

const retail = retailStatus();
const THRESHOLD = DEFAULT_LIFECYCLE_RULES.atRiskRisk;

describe.skipIf(retail.skip)('GIVEN UCI Online Retail as of 2011-12-09', () => {
  let state: CustomerState;
  let holdout: HoldoutResult;
  let models: ModelScores;
  let churn: ChurnCalibration;
  let scored: ScoredCustomer[];
  let score: CustomerScorer;
  beforeAll(() => {
    const h = loadRetailHistories();
    state = customerStateAsOf(h, noFeedback(), RETAIL_LAST_DAY);
    const result = holdoutFor(h, state, undefined, 1);
    if (!result || 'error' in result) throw new Error(`no holdout: ${result?.error}`);
    holdout = result;
    models = fitModels(state, { holdout });
    let first = Infinity;
    for (const i of state.buyers) first = Math.min(first, state.summaries.firstPurchaseDay[i]!);
    churn = calibrateChurn(h, noFeedback(), RETAIL_LAST_DAY, first, 90, 1, models.pAliveChoice);
    score = customerScorer(state, models, churn);
    scored = Array.from(state.buyers, (i) => score(i, undefined));
  });

  it('THEN it has the 4,339 buyers of the issue', () => {
    expect(state.buyers.length).toBe(4339);
  });

  it('THEN every model is flagged as unable to tell dropout, and P(alive) is replaced by a labelled, calibrated chance of buying again', () => {
    for (const name of ['bgnbd', 'paretoNbd', 'mbgnbd'] as const) expect(models.fits.fitted[name]!.diagnosis.trusted).toBe(false);
    const card = repeatPurchaseCard(models, holdout, state, churn, score);
    expect(card.warnings.filter((w) => /^(BG\/NBD|Pareto\/NBD|MBG\/NBD): the data cannot tell how fast customers drop out/.test(w))).toHaveLength(3);
    expect(card.pAlive).toMatchObject({ basis: 'calibrated', label: 'Chance of buying again in 90 days', horizonDays: 90 });
    expect(card.warnings).toContain(card.pAlive.why);
    expect(card.holdout!.rows).toHaveLength(8);
  });

  it('THEN the median P(alive) figure of customers silent for 180+ days is informative (≤ 0.6), and none of them reads ≈ 1', () => {
    const values = scored.filter((_, j) => RETAIL_LAST_DAY - state.summaries.lastPurchaseDay[state.buyers[j]!]! >= 180).map((c) => c.pAlive!);
    values.sort((p, q) => p - q);
    expect(values.length).toBeGreaterThan(800);
    expect(values[values.length >> 1]!).toBeLessThanOrEqual(0.6);
    expect(values[values.length - 1]!).toBeLessThan(0.95);
    // the card says the same, through simple-statistics
    const band = score.summary().pAliveBySilence.find((b) => b.silentDays === '180+')!;
    expect(band.customers).toBe(values.length);
    expect(band.median).toBeLessThanOrEqual(0.6);
    const quiet = score.summary().pAliveBySilence.find((b) => b.silentDays === '0–89')!;
    expect(quiet.median).toBeGreaterThan(band.median);
  });

  it('THEN the churn backtest beats recency-only', () => {
    expect(churn.backtest!.beatsBaseline).toBe(true);
    expect(churn.backtest!.auc!).toBeGreaterThan(churn.backtest!.baselineAuc!);
  });

  it('THEN no customer card contradicts itself: stage, churn risk and P(alive) tell one story, and every at-risk customer has a reason', () => {
    const problems: string[] = [];
    scored.forEach((c, j) => {
      const id = state.buyers[j]!;
      const risk = c.risk!.risk;
      const stage = c.life.stage;
      if (stage === 'churned' && risk < THRESHOLD) problems.push(`${id}: churned at risk ${risk}`);
      if (stage === 'churned' && c.pAlive !== null && c.pAlive >= 0.5) problems.push(`${id}: churned with P(alive) ${c.pAlive}`);
      if ((stage === 'active' || stage === 'new' || stage === 'reactivated') && risk >= THRESHOLD) problems.push(`${id}: ${stage} at risk ${risk}`);
      if (risk >= THRESHOLD && stage !== 'at-risk' && stage !== 'churned') problems.push(`${id}: risk ${risk} but ${stage}`);
      // the chance of buying in the next 90 days and the risk of not buying in them add up to 1
      const sumsToOne = c.pAlive !== null && Math.abs(risk + 100 * c.pAlive - 100) < 1e-9;
      if (!sumsToOne) problems.push(`${id}: risk ${risk} beside a chance of buying again of ${c.pAlive}`);
      if (risk >= THRESHOLD && c.risk!.drivers.length === 0) problems.push(`${id}: risk ${risk} without a reason`);
      if (/P\(alive\) (1\.00|0\.99)/.test(c.life.reason + c.risk!.drivers.map((d) => d.text).join())) problems.push(`${id}: states P(alive) ≈ 1`);
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('THEN the ten customers with the most value at risk are all at or above the threshold once the list is filtered, each with a reason', () => {
    const top = scored
      .filter((c) => c.risk!.risk >= THRESHOLD)
      .sort((p, q) => q.valueAtRisk! - p.valueAtRisk!)
      .slice(0, 10);
    expect(top).toHaveLength(10);
    for (const c of top) {
      expect(c.valueAtRisk!).toBeGreaterThan(0);
      expect(c.risk!.drivers[0]!.text.length).toBeGreaterThan(10);
    }
  });

  it('THEN behaviour clusters are named in words (zero-spend customers as such) and keep their ids when only the as-of day moves', () => {
    const h = loadRetailHistories();
    // the refresh's features: days since last purchase, purchase days, spend per purchase day, days since the first
    const features = (asOf: number) => {
      const st = customerStateAsOf(h, noFeedback(), asOf);
      const b = st.buyers;
      const since = pick(st.summaries.lastPurchaseDay, b).map((d) => asOf - d);
      const spend = Float64Array.from(b, (i) => st.summaries.revenue[i]! / st.summaries.purchaseDays[i]!);
      return { ids: Array.from(b, (i) => h.customerIds[i]!), columns: [since, pick(st.summaries.purchaseDays, b), spend, pick(st.summaries.age, b)] };
    };
    const names = ['recency_days', 'frequency_purchase_days', 'monetary_per_purchase', 'tenure_days'];
    const before = features(RETAIL_LAST_DAY - 7);
    const first = clusterCustomers(before.columns, names, { seed: 1 });
    const after = features(RETAIL_LAST_DAY);
    const second = clusterCustomers(after.columns, names, { seed: 1, previous: first.clusters.map((c) => ({ id: c.id, center: c.center })) });
    expect(second.clusters.map((c) => c.id)).toEqual(first.clusters.map((c) => c.id));
    const earlier = new Map(before.ids.map((id, j) => [id, first.clusterOf[j]!]));
    let same = 0;
    let both = 0;
    after.ids.forEach((id, j) => {
      if (!earlier.has(id)) return;
      both++;
      if (earlier.get(id) === second.clusterOf[j]) same++;
    });
    expect(same / both).toBeGreaterThan(0.9);
    for (const c of second.clusters) expect(c.name).not.toMatch(/_|monetary|frequency|recency|tenure/);
    const noSpend = second.clusters.filter((c) => c.noSpendShare >= 0.5);
    expect(noSpend.map((c) => c.name)).toEqual(['No net spend (refunds or free orders)']);
    expect(second.clusters.filter((c) => c.noSpendShare < 0.5).every((c) => !c.name.startsWith('No net spend'))).toBe(true);
  });
});
