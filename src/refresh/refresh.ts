// `pulse refresh`: recomputes every insight as of one day and writes one row per customer, the
// rollups the reports read, and a model-run record (the model card). Runs after imports, nightly,
// and on demand — never inside a slash command. It reads one snapshot, computes in memory, writes
// the insights and rollups where readers do not see them yet, and goes live in one short
// transaction (RefreshIO): commands keep answering from the previous run meanwhile.
import { clusterCustomers, type PreviousCluster } from '../analytics/clusters.ts';
import { daysOverdue, expectedGap } from '../analytics/cadence.ts';
import { DEFAULT_LIFECYCLE_RULES, LIFECYCLE_STAGES, transition, type LifecycleStage } from '../analytics/lifecycle.ts';
import type { PAliveChoice } from '../analytics/p-alive-choice.ts';
import { rfmScores } from '../analytics/rfm.ts';
import type { Context } from '../core/context.ts';
import type { BackgroundRun } from '../core/threads.ts';
import { formatDay, parseDayArg } from '../core/time.ts';
import { doneRunSince, finishRun, latestRun, startRun, updateRunCard } from '../db/insights.ts';
import type { InsightValues } from '../db/refresh-io.ts';
import type { BasketRulesTable, LifecycleTransitionsTable } from '../db/schema.ts';
import { ownerKey } from '../reports/report-data.ts';
import { calibrateChurnInBackground, type ChurnCalibration } from './churn-backtest.ts';
import { customerStateAsOf, nullIfNaN, pick } from './customer-state.ts';
import { fitModelsBeside } from './fit-models.ts';
import { mineBasketRules } from './basket-rules.ts';
import type { AssociationRule } from '../analytics/basket.ts';
import { holdoutInBackground } from './holdout-step.ts';
import { repeatPurchaseCard, type ModelCard } from './model-card.ts';
import { RollupBuilder } from './rollups.ts';
import { SATISFACTION_SCOPES } from './satisfaction-rollups.ts';
import { rollUpSatisfaction } from './satisfaction-step.ts';
import { customerScorer } from './score-customer.ts';
import { alertsAfterRefresh } from '../alerts/refresh-alerts.ts';

export interface RefreshOptions {
  asOfDay: number;
  seed?: number;
  /** Force the number of behaviour clusters (default: chosen by silhouette). */
  clusters?: number;
  backtestHorizonDays?: number;
  /** Days of the calibration/holdout check (`--holdout-days`); default 90, or half a shorter history. */
  holdoutDays?: number;
  basket?: { minSupport?: number; minConfidence?: number; minLift?: number };
  /**
   * A scheduled refresh: skipped (RefreshSkipped) when a refresh that started at or after this
   * instant is done already — another replica ran this slot's.
   */
  unlessDoneSince?: Date;
  /** Told (besides the log) when another refresh holds the store's refresh lock and this one waits. */
  onWait?: (message: string) => void;
}

/** A scheduled refresh that another process already ran. */
export class RefreshSkipped extends Error {
  readonly runId: number;
  constructor(message: string, runId: number) {
    super(message);
    this.name = 'RefreshSkipped';
    this.runId = runId;
  }
}

/**
 * One refresh at a time per store, across processes (the store's `refresh` lock): a second one
 * waits for the first and then runs on what the store holds then — unless it was a scheduled one
 * that the first already covered.
 */
export async function refresh(ctx: Context, opts: RefreshOptions): Promise<ModelCard> {
  let lock = await ctx.store.locks.tryLock('refresh');
  let waitedMs = 0;
  if (!lock) {
    const message = 'Another refresh is running on this store: waiting for it to finish.';
    ctx.log.info(message);
    opts.onWait?.(message);
    const waitStarted = performance.now();
    lock = await ctx.store.locks.lock('refresh');
    waitedMs = Math.max(1, Math.round(performance.now() - waitStarted));
  }
  try {
    if (opts.unlessDoneSince) {
      const since = opts.unlessDoneSince.toISOString();
      const done = await doneRunSince(ctx.store.db, since);
      if (done) throw new RefreshSkipped(`Skipped: refresh #${done.run_id}, started at ${done.started_at}, already covers the one scheduled for ${since}.`, done.run_id);
    }
    return await refreshHoldingLock(ctx, opts, waitedMs);
  } finally {
    await lock.release();
  }
}

async function refreshHoldingLock(ctx: Context, opts: RefreshOptions, waitedMs: number): Promise<ModelCard> {
  const started = performance.now();
  const timings: Record<string, number> = waitedMs > 0 ? { 'wait for another refresh': waitedMs } : {};
  const step = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    ctx.log.debug('refresh step', { step: name });
    const t0 = performance.now();
    const v = await fn();
    timings[name] = Math.round(performance.now() - t0);
    return v;
  };
  const asOf = opts.asOfDay;
  const seed = opts.seed ?? 1;
  const db = ctx.store.db;
  const previousCard = await latestRun(db).then((r) => (r?.card ? (JSON.parse(r.card) as ModelCard) : undefined));
  const io = ctx.store.refresh;
  // Every read comes from one snapshot, opened before the run is recorded (a failure here leaves no run behind).
  const reads = await io.reads();
  const runId = await startRun(db, asOf, ctx.clock.now()).catch(async (err: unknown) => {
    await reads.close();
    throw err;
  });
  let writer: Awaited<ReturnType<typeof io.shadowWriter>> | undefined;
  const basketOptions = { minSupport: opts.basket?.minSupport ?? 0.002, minConfidence: opts.basket?.minConfidence ?? 0.05, minLift: opts.basket?.minLift ?? 1.2 };
  let basket: Promise<AssociationRule[]> | undefined;
  const mineBasket = () => {
    const basketStarted = performance.now();
    basket = mineBasketRules(ctx.store, reads, asOf, basketOptions).then((rules) => {
      timings['basket rules (parallel)'] = Math.round(performance.now() - basketStarted);
      return rules;
    });
    basket.catch(() => undefined); // awaited below; a failure then fails the refresh
  };
  // The basket rules run beside the rest, awaited before publishing. On SQLite a worker thread mines
  // them, started after the snapshot: reading it keeps both cores busy (a large store's order
  // histories are read on the second). On PostgreSQL the server reads the items while it reads the snapshot.
  const basketFirst = ctx.store.dialect !== 'sqlite';
  /** The holdout and the backtest while they run beside (see BackgroundRun). */
  const background: BackgroundRun<unknown>[] = [];
  if (basketFirst) mineBasket();
  try {
    const snapshot = await step('read snapshot', () => reads.readSnapshot(asOf, previousCard?.orders));
    if (!basketFirst) mineBasket();
    const h = snapshot.histories;
    const feedback = snapshot.feedback;
    const n = h.customerIds.length;
    const state = await step('customer state', () => customerStateAsOf(h, feedback, asOf));
    // A big store's holdout runs on a worker thread while today's models are fitted here; the
    // models wait for it only to choose the one that scores P(alive).
    const holdoutRun = holdoutInBackground(h, state, opts.holdoutDays, seed);
    background.push(holdoutRun);
    const usable = holdoutRun.result.then((r) => (r && !('error' in r) ? r : null));
    usable.catch(() => undefined); // awaited by the models, and below: a failure then fails the refresh
    let firstDataDay = Infinity;
    for (const i of state.buyers) firstDataDay = Math.min(firstDataDay, state.summaries.firstPurchaseDay[i]!);
    const horizon = opts.backtestHorizonDays ?? 90;
    // The churn backtest needs only the P(alive) choice: a big store's starts on a worker thread as
    // soon as it is made, and runs while spend, CLV, RFM and clusters are computed here.
    let backtest: BackgroundRun<ChurnCalibration> | undefined;
    const startBacktest = (choice: PAliveChoice) => {
      const run = (backtest = calibrateChurnInBackground(h, feedback, asOf, firstDataDay, horizon, seed, choice));
      background.push(run);
      run.result.catch(() => undefined); // awaited before scoring
      return run;
    };
    const models = await step('probabilistic models', () => fitModelsBeside(state, usable, {}, startBacktest));
    const holdout = await holdoutRun.result;
    timings['holdout (parallel)'] = await holdoutRun.ms;
    Object.assign(timings, Object.fromEntries(Object.entries(models.timings).map(([k, v]) => [`  ${k}`, v])));
    // No buyers: no choice was made (the backtest then says why it has no weights).
    const churnRun = backtest ?? startBacktest(models.pAliveChoice);

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

    const previous = snapshot.previous;
    const previousAsOf = previousCard ? parseDayArg(previousCard.asOf) ?? -Infinity : -Infinity;
    const forward = asOf > previousAsOf;
    const transitions: LifecycleTransitionsTable[] = [];
    const stageCounts: Record<string, number> = Object.fromEntries(LIFECYCLE_STAGES.map((st) => [st, 0]));
    let valueAtRiskTotal = 0;

    const rollups = new RollupBuilder(runId);
    // One key per distinct owner (the owners are shared strings, a few dozen of them).
    const keyOf = new Map<string | null, string>();
    const ownerKeys = h.owners.map((o) => {
      let key = keyOf.get(o);
      if (key === undefined) {
        key = ownerKey(o);
        if (keyOf.size < 10_000) keyOf.set(o, key);
      }
      return key;
    });
    /** What a detractor is worth (12-month CLV, else revenue, as the insight rows round them), per customer, for the satisfaction rollups. */
    const worth = new Float64Array(n);
    for (let i = 0; i < n; i++) worth[i] = finiteOrNull(models.clv12[i]!, 2) ?? round2(s.revenue[i]!);
    // Scored lazily while being written: a million rows never sit in memory at once.
    const churn = await step('wait for churn backtest', () => churnRun.result);
    timings['churn backtest (parallel)'] = await churnRun.ms;
    const score = customerScorer(state, models, churn);
    function* scoreAll(): Generator<InsightValues> {
      for (let i = 0; i < n; i++) {
        const id = h.customerIds[i]!;
        const cadence = state.cadence.at(i);
        const prev = previous.known[i] ? { stage: previous.stage[i] as LifecycleStage, since: nullIfNaN(previous.sinceDay[i]!), sinceRun: nullIfNaN(previous.sinceRun[i]!), purchaseDays: previous.purchaseDays[i]! } : undefined;
        const { pAlive, risk, life, valueAtRisk } = score(i, prev);
        stageCounts[life.stage] = (stageCounts[life.stage] ?? 0) + 1;
        // The very first refresh places everyone; only later runs record moves (a customer new to
        // the store since the last run is recorded as first seen).
        // A refresh for an earlier day (--as-of in the past) recomputes stages but records no moves.
        // Orders imported after their customers (a backfill) are not a prospect's first purchase:
        // a history that starts before the previous run is not news for a digest.
        const backfill = prev?.stage === 'prospect' && s.purchaseDays[i]! > 0 && s.firstPurchaseDay[i]! <= previousAsOf;
        const moved = !forward || backfill ? null : prev ? transition(prev.stage, life) : previous.count > 0 ? transition(null, life) : null;
        if (moved) transitions.push({ customer_id: id, run_id: runId, as_of_day: asOf, from_stage: moved.from, to_stage: moved.to, reason: moved.reason });
        const bought = s.purchaseDays[i]! > 0;
        const gap = bought ? expectedGap(cadence, state.populationGapDays) : null;
        if (valueAtRisk) valueAtRiskTotal += valueAtRisk;
        const row: InsightValues = {
          customer_id: id,
          run_id: runId,
          as_of_day: asOf,
          owner_key: ownerKeys[i] || null,
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
          stage_since_run: moved ? runId : prev ? prev.sinceRun : null,
        };
        rollups.add(row, h.owners[i] ?? null);
        yield row;
      }
    }

    writer = await io.shadowWriter(runId, n);
    const w = writer;
    // The satisfaction rollups need no score: they are tallied beside the scoring, in the time it
    // waits for the writer (the snapshot's reader yields between slices), and finish after it.
    const segmentKeys = Array.from(rfm.segment, (x) => x ?? '');
    const scoring = step('score and write insights', () => w.insights(scoreAll()));
    const satisfying = step('satisfaction rollups (beside scoring)', () =>
      rollUpSatisfaction(reads, io, { runId, asOf, feedbackWatermark: snapshot.feedbackWatermark, customerIds: h.customerIds, answers: feedback, ownerKeys, segmentKeys, worth }),
    );
    const [scored, satisfied] = await Promise.allSettled([scoring, satisfying]);
    if (scored.status === 'rejected') {
      if (satisfied.status === 'rejected') ctx.log.warn('refresh: the satisfaction rollups failed too', { error: satisfied.reason });
      throw scored.reason;
    }
    if (satisfied.status === 'rejected') throw satisfied.reason;
    const satisfaction = satisfied.value;
    await step('write rollups', async () => {
      await w.append('lifecycle_transitions', transitions);
      await w.append('report_groups', rollups.groups());
      await w.append('report_lists', rollups.lists());
      await w.append('report_entrants', rollups.entrants());
      await w.append('report_satisfaction', satisfaction.daily);
      await w.append('report_term_windows', satisfaction.windows);
      await w.append('report_terms', satisfaction.terms);
      await w.append('report_detractors', satisfaction.detractors);
    });

    const card: ModelCard = {
      runId,
      asOf: formatDay(asOf),
      timeZone: ctx.config.timeZone,
      customers: n,
      buyers: buyers.length,
      orders: h.days.length,
      dataWindow: buyers.length ? { firstPurchase: formatDay(firstDataDay), lastDay: formatDay(asOf) } : null,
      ...repeatPurchaseCard(models, holdout, state, churn, score),
      gammaGamma: 'error' in models.gammaGamma ? { error: models.gammaGamma.error } : { p: models.gammaGamma.p, q: models.gammaGamma.q, v: models.gammaGamma.v, customers: models.gammaGamma.customers, logLik: models.gammaGamma.logLik, converged: models.gammaGamma.converged },
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
      basket: { rules: 0 },
      timingsMs: { ...timings, total: Math.round(performance.now() - started) },
      satisfactionScopes: [...SATISFACTION_SCOPES],
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      longestWriteLockMs: 0,
    };
    const basketRules = (await step('wait for basket rules', () => basket!)).map((r): BasketRulesTable => ({ run_id: runId, antecedent: r.antecedent.join(' + '), consequent: r.consequent, support: r.support, confidence: r.confidence, lift: r.lift, count: r.count }));
    card.basket = { rules: basketRules.length };
    await w.publish({ runId, customers: n, card, finishedAt: ctx.clock.now().toISOString(), feedbackWatermark: snapshot.feedbackWatermark, basketRules });
    card.alerts = await step('owner alerts', () => alertsAfterRefresh(ctx, { runId, asOf, snapshot, state, models, score }));
    await step('clean up', () => w.cleanup());
    card.longestWriteLockMs = Math.round(Math.max(w.longestLockMs, snapshot.writeLockMs ?? 0));
    card.timingsMs = { ...timings, total: Math.round(performance.now() - started) };
    card.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    await updateRunCard(db, runId, card);
    ctx.log.info('refresh done', { runId, asOf: card.asOf, customers: n, ms: card.timingsMs.total, longestWriteLockMs: card.longestWriteLockMs });
    return card;
  } catch (err) {
    // Work still running beside a failed refresh would only compete with the next one.
    await Promise.all(background.map((b) => b.stop()));
    await writer?.abandon(runId).catch((e: unknown) => ctx.log.warn('could not remove what a failed refresh wrote', { error: e }));
    await finishRun(db, runId, 'failed', 0, { error: err instanceof Error ? err.message : String(err) }, ctx.clock.now());
    throw err;
  } finally {
    await reads.close();
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
