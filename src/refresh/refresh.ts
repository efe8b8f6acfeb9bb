// `pulse refresh`: recomputes every insight as of one day and writes one row per customer plus a
// model-run record (the model card). Runs after imports, nightly, and on demand — never inside a
// slash command.
import { associationRules } from '../analytics/basket.ts';
import { clusterCustomers, type PreviousCluster } from '../analytics/clusters.ts';
import { daysOverdue, expectedGap } from '../analytics/cadence.ts';
import { DEFAULT_LIFECYCLE_RULES, LIFECYCLE_STAGES, transition, type LifecycleStage } from '../analytics/lifecycle.ts';
import { rfmScores } from '../analytics/rfm.ts';
import type { Context } from '../core/context.ts';
import { formatDay, parseDayArg } from '../core/time.ts';
import { loadBasketItems, loadFeedbackPoints, loadOrderHistories } from '../db/histories.ts';
import { finishRun, latestRun, previousStages, startRun, writeRefreshResults, type InsightValues } from '../db/insights.ts';
import type { BasketRulesTable, LifecycleTransitionsTable } from '../db/schema.ts';
import { calibrateChurn } from './churn-backtest.ts';
import { customerStateAsOf, pick } from './customer-state.ts';
import { fitModels } from './fit-models.ts';
import { holdoutFor } from './holdout-step.ts';
import { repeatPurchaseCard, type ModelCard } from './model-card.ts';
import { customerScorer } from './score-customer.ts';

export interface RefreshOptions {
  asOfDay: number;
  seed?: number;
  /** Force the number of behaviour clusters (default: chosen by silhouette). */
  clusters?: number;
  backtestHorizonDays?: number;
  /** Days of the calibration/holdout check (`--holdout-days`); default 90, or half a shorter history. */
  holdoutDays?: number;
  basket?: { minSupport?: number; minConfidence?: number; minLift?: number };
}

export async function refresh(ctx: Context, opts: RefreshOptions): Promise<ModelCard> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await fn();
    timings[name] = Math.round(performance.now() - t0);
    return v;
  };
  const asOf = opts.asOfDay;
  const seed = opts.seed ?? 1;
  const db = ctx.store.db;
  const previousCard = await latestRun(db).then((r) => (r?.card ? (JSON.parse(r.card) as ModelCard) : undefined));
  const runId = await startRun(db, asOf, ctx.clock.now());
  try {
    const h = await step('load orders', () => loadOrderHistories(ctx.store, asOf));
    const feedback = await step('load feedback', () => loadFeedbackPoints(ctx.store, h.customerIds, asOf));
    const n = h.customerIds.length;
    const state = await step('customer state', () => customerStateAsOf(h, feedback, asOf));
    const holdout = await step('holdout', () => holdoutFor(h, state, opts.holdoutDays, seed));
    const models = await step('probabilistic models', () => fitModels(state, { holdout: holdout && !('error' in holdout) ? holdout : null }));
    Object.assign(timings, Object.fromEntries(Object.entries(models.timings).map(([k, v]) => [`  ${k}`, v])));
    let firstDataDay = Infinity;
    for (const i of state.buyers) firstDataDay = Math.min(firstDataDay, state.summaries.firstPurchaseDay[i]!);
    const horizon = opts.backtestHorizonDays ?? 90;
    const churn = await step('churn backtest', () => calibrateChurn(h, feedback, asOf, firstDataDay, horizon, seed, models.pAliveChoice));

    const s = state.summaries;
    const daysSinceLast = new Float64Array(n);
    for (let i = 0; i < n; i++) daysSinceLast[i] = s.purchaseDays[i]! > 0 ? asOf - s.lastPurchaseDay[i]! : NaN;
    const rfm = await step('rfm', () => rfmScores({ daysSinceLastPurchase: daysSinceLast, purchaseDays: s.purchaseDays, revenue: s.revenue }));

    const buyers = state.buyers;
    const clusterModel = await step('clusters', () => {
      if (buyers.length < 20) return undefined;
      const monetary = new Float64Array(buyers.length);
      buyers.forEach((i, j) => (monetary[j] = s.revenue[i]! / s.purchaseDays[i]!));
      const previous: PreviousCluster[] | undefined = previousCard?.clustering?.clusters?.map((c) => ({ id: c.id, center: c.center }));
      return clusterCustomers(
        [pick(daysSinceLast, buyers), pick(s.purchaseDays, buyers), monetary, pick(s.age, buyers)],
        ['recency_days', 'frequency_purchase_days', 'monetary_per_purchase', 'tenure_days'],
        { seed, ...(opts.clusters ? { k: opts.clusters } : {}), ...(previous?.length ? { previous } : {}) },
      );
    });
    const clusterOf = new Int32Array(n).fill(-1);
    const clusterName = new Map<number, string>();
    if (clusterModel) {
      buyers.forEach((i, j) => (clusterOf[i] = clusterModel.clusterOf[j]!));
      for (const c of clusterModel.clusters) clusterName.set(c.id, c.name);
    }

    const previous = await step('read previous stages', () => previousStages(ctx.store));
    const previousAsOf = previousCard ? parseDayArg(previousCard.asOf) ?? -Infinity : -Infinity;
    const forward = asOf > previousAsOf;
    const transitions: LifecycleTransitionsTable[] = [];
    const stageCounts: Record<string, number> = Object.fromEntries(LIFECYCLE_STAGES.map((st) => [st, 0]));
    let valueAtRiskTotal = 0;
    const basketRules = await step('basket rules', async () => {
      const items = await loadBasketItems(ctx.store, asOf);
      if (items.orderIndex.length === 0) return [];
      const rules = associationRules(
        { orderIndex: items.orderIndex, productIndex: items.productIndex, productIds: items.productIds },
        { minSupport: opts.basket?.minSupport ?? 0.002, minConfidence: opts.basket?.minConfidence ?? 0.05, minLift: opts.basket?.minLift ?? 1.2 },
      );
      return rules.map((r): BasketRulesTable => ({ run_id: runId, antecedent: r.antecedent.join(' + '), consequent: r.consequent, support: r.support, confidence: r.confidence, lift: r.lift, count: r.count }));
    });

    // Scored lazily while being written: a million rows never sit in memory at once.
    const score = customerScorer(state, models, churn);
    function* scoreAll(): Generator<InsightValues> {
      for (let i = 0; i < n; i++) {
        const id = h.customerIds[i]!;
        const cadence = state.cadence[i]!;
        const prev = previous.get(id);
        const { pAlive, risk, life, valueAtRisk } = score(i, prev);
        stageCounts[life.stage] = (stageCounts[life.stage] ?? 0) + 1;
        // The very first refresh places everyone; only later runs record moves (a customer new to
        // the store since the last run is recorded as first seen).
        // A refresh for an earlier day (--as-of in the past) recomputes stages but records no moves.
        // Orders imported after their customers (a backfill) are not a prospect's first purchase:
        // a history that starts before the previous run is not news for a digest.
        const backfill = prev?.stage === 'prospect' && s.purchaseDays[i]! > 0 && s.firstPurchaseDay[i]! <= previousAsOf;
        const moved = !forward || backfill ? null : prev ? transition(prev.stage as LifecycleStage, life) : previous.size > 0 ? transition(null, life) : null;
        if (moved) transitions.push({ customer_id: id, run_id: runId, as_of_day: asOf, from_stage: moved.from, to_stage: moved.to, reason: moved.reason });
        const bought = s.purchaseDays[i]! > 0;
        const gap = bought ? expectedGap(cadence, state.populationGapDays) : null;
        if (valueAtRisk) valueAtRiskTotal += valueAtRisk;
        yield {
          customer_id: id,
          run_id: runId,
          as_of_day: asOf,
          orders: state.orders[i]!,
          purchase_days: s.purchaseDays[i]!,
          revenue: round2(s.revenue[i]!),
          first_day: bought ? s.firstPurchaseDay[i]! : null,
          last_day: bought ? s.lastPurchaseDay[i]! : null,
          usual_gap_days: cadence.usualGapDays,
          days_overdue: bought ? Math.round(daysOverdue(cadence.daysSinceLastPurchase!, gap!.days)) : null,
          recency_score: rfm.recency[i]! || null,
          frequency_score: rfm.frequency[i]! || null,
          monetary_score: rfm.monetary[i]! || null,
          segment: rfm.segment[i] ?? null,
          cluster_id: clusterOf[i]! >= 0 ? clusterOf[i]! : null,
          cluster_name: clusterOf[i]! >= 0 ? clusterName.get(clusterOf[i]!) ?? null : null,
          p_alive: pAlive === null ? null : round4(pAlive),
          expected_purchases_90d: finiteOrNull(models.expectedPurchases90[i]!, 4),
          expected_spend: finiteOrNull(models.expectedSpend[i]!, 2),
          clv_12m: finiteOrNull(models.clv12[i]!, 2),
          churn_risk: risk ? risk.risk : null,
          churn_drivers: risk ? JSON.stringify(risk.drivers.map((d) => d.text)) : null,
          value_at_risk: valueAtRisk === null ? null : round2(valueAtRisk),
          lifecycle_stage: life.stage,
          lifecycle_reason: life.reason,
          stage_since_day: moved || !prev ? asOf : prev.since ?? asOf,
        };
      }
    }

    await step('score and write insights', () => writeRefreshResults(ctx.store, { insights: scoreAll(), transitions, basketRules }));

    const card: ModelCard = {
      runId,
      asOf: formatDay(asOf),
      timeZone: ctx.config.timeZone,
      customers: n,
      buyers: buyers.length,
      orders: h.days.length,
      dataWindow: buyers.length ? { firstPurchase: formatDay(firstDataDay), lastDay: formatDay(asOf) } : null,
      ...repeatPurchaseCard(models, holdout, state, churn, score),
      gammaGamma: 'error' in models.gammaGamma ? { error: models.gammaGamma.error } : { p: models.gammaGamma.p, q: models.gammaGamma.q, v: models.gammaGamma.v, customers: models.gammaGamma.customers, logLik: models.gammaGamma.logLik },
      clv: { months: 12, discountRatePerMonth: 0.01, total: sumFinite(models.clv12) },
      churn: {
        weightsSource: churn.weightsSource,
        weights: { ...churn.weights },
        ...(churn.note ? { note: churn.note } : {}),
        backtest: churn.backtest ? { ...churn.backtest, cutoff: formatDay(churn.backtest.cutoffDay) } : null,
        auc: churn.backtest?.auc ?? null,
        baselineAuc: churn.backtest?.baselineAuc ?? null,
        precisionTopDecile: churn.backtest?.precisionTopDecile ?? null,
        valueAtRisk: round2(valueAtRiskTotal),
        threshold: DEFAULT_LIFECYCLE_RULES.atRiskRisk,
      },
      clustering: clusterModel
        ? { k: clusterModel.k, silhouette: clusterModel.silhouette, seed, fittedOn: clusterModel.fittedOn, clusters: clusterModel.clusters.map((c) => ({ id: c.id, name: c.name, size: c.size, share: c.share, center: c.center })) }
        : null,
      lifecycle: { stages: stageCounts, transitions: transitions.length },
      basket: { rules: basketRules.length },
      timingsMs: { ...timings, total: Math.round(performance.now() - started) },
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    await finishRun(db, runId, 'done', n, card, ctx.clock.now());
    ctx.log.info('refresh done', { runId, asOf: card.asOf, customers: n, ms: card.timingsMs.total });
    return card;
  } catch (err) {
    await finishRun(db, runId, 'failed', 0, { error: err instanceof Error ? err.message : String(err) }, ctx.clock.now());
    throw err;
  }
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
function finiteOrNull(v: number, digits: number): number | null {
  if (!Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
function sumFinite(values: Float64Array): number {
  let t = 0;
  for (const v of values) if (Number.isFinite(v)) t += v;
  return round2(t);
}
