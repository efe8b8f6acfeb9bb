// Fits the probabilistic models on the buyers of a CustomerState and scores every buyer: BG/NBD,
// Pareto/NBD and MBG/NBD with their diagnoses; the P(alive) choice made from them and the holdout
// (a trusted model's P(alive), else the calibrated chance of buying again, which the churn risk
// gives: see score-customer.ts); BG/NBD (or the next converged model) for expected purchases and
// CLV; Gamma-Gamma for expected spend. Times are in days.
import { discountedPurchases, PERIODS_PER_MONTH } from '../analytics/clv.ts';
import { fitGammaGamma, gammaGammaExpectedSpends, type GammaGammaFit } from '../analytics/gamma-gamma.ts';
import { fitEveryModel, REPEAT_PURCHASE_MODELS as EVERY_MODEL, type ModelFitResult, type ModelFits } from '../analytics/model-fits.ts';
import { CHURN_HORIZON_DAYS, choosePAlive, type PAliveChoice } from '../analytics/p-alive-choice.ts';
import { expandToCustomers, groupHistories, type HistoryGroups } from '../analytics/purchase-history.ts';
import type { RepeatPurchaseModelName } from '../analytics/repeat-purchase-model.ts';
import type { PurchaseRatePrior } from '../analytics/value-at-risk.ts';
import { pick, type CustomerState } from './customer-state.ts';
import type { HoldoutResult } from './holdout-step.ts';


export interface ModelScores {
  /** Per customer, the chosen model's P(alive) when `pAliveChoice.basis` is `model`; NaN otherwise and for non-buyers. */
  pAlive: Float64Array;
  pAliveChoice: PAliveChoice;
  /** E[purchases in the next 90 days | history] from the model P(alive) is chosen from (the churn score's feature). */
  expected90ForChurn: Float64Array;
  /** E[purchases in the next 90 days | history] from the expectations model (BG/NBD unless it failed). */
  expectedPurchases90: Float64Array;
  expectedSpend: Float64Array;
  clv12: Float64Array;
  /** The model behind expected purchases and CLV. */
  expectationModel: RepeatPurchaseModelName | null;
  /** Its Gamma prior of the purchase rate (per day), for a customer's yearly value; null without a fit. */
  ratePrior: PurchaseRatePrior | null;
  fits: ModelFits;
  gammaGamma: GammaGammaFit | { error: string };
  timings: Record<string, number>;
}

export interface FitOptions {
  clvMonths?: number;
  discountRatePerMonth?: number;
  /** The holdout of this refresh: its per-customer error picks the P(alive) model. */
  holdout?: HoldoutResult | null;
  /**
   * Only what the churn backtest needs at its cutoff, scored the way today's choice scores: the
   * chosen model's P(alive) when the basis is `model`, else none (unknown), and its 90-day expectations.
   */
  pAliveOnly?: Pick<PAliveChoice, 'chosen' | 'basis'>;
}

const EXPECTATION_ORDER: readonly RepeatPurchaseModelName[] = ['bgnbd', 'mbgnbd', 'paretoNbd'];

export function fitModels(state: CustomerState, options: FitOptions = {}): ModelScores {
  const steps = modelSteps(state, options);
  let next = steps.next();
  while (!next.done) next = steps.next(next.value === 'holdout' ? options.holdout ?? null : undefined);
  return next.value;
}

/**
 * `fitModels` with a holdout still running (on a worker: see holdoutInBackground): every model is
 * fitted meanwhile, and the holdout is awaited only where it decides which one scores P(alive).
 * `onChoice` hears that choice as soon as it is made (the churn backtest needs it), before the
 * expected spend and CLV are computed.
 */
export async function fitModelsBeside(
  state: CustomerState,
  holdout: Promise<HoldoutResult | null>,
  options: Omit<FitOptions, 'holdout'> = {},
  onChoice: (choice: PAliveChoice) => void = () => undefined,
): Promise<ModelScores> {
  const steps = modelSteps(state, options);
  let next = steps.next();
  while (!next.done) {
    if (next.value === 'holdout') next = steps.next(await holdout);
    else {
      onChoice(next.value.chosen);
      next = steps.next(undefined);
    }
  }
  return next.value;
}

/** The work of fitModels; yields when it needs the holdout, and with the P(alive) choice once made. */
function* modelSteps(state: CustomerState, options: Omit<FitOptions, 'holdout'>): Generator<'holdout' | { chosen: PAliveChoice }, ModelScores, HoldoutResult | null | undefined> {
  const n = state.summaries.count;
  const timings: Record<string, number> = {};
  const time = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + Math.round(performance.now() - t0);
    }
  };
  const nan = () => new Float64Array(n).fill(NaN);
  const noFits: ModelFits = { fitted: {}, failed: {}, nbd: null, buyers: 0, repeatBuyers: 0, totalRepeatPurchases: 0, warnings: [] };
  const out: ModelScores = {
    pAlive: nan(),
    pAliveChoice: { chosen: null, basis: 'unknown', label: 'P(alive)', why: 'There are no buyers yet: P(alive) cannot be told.', horizonDays: null },
    expected90ForChurn: nan(),
    expectedPurchases90: nan(),
    expectedSpend: nan(),
    clv12: nan(),
    expectationModel: null,
    ratePrior: null,
    fits: noFits,
    gammaGamma: { error: 'no buyers' },
    timings,
  };
  const buyers = state.buyers;
  if (buyers.length === 0) return out;
  const s = state.summaries;
  const x = pick(s.frequency, buyers);
  const groups = time('group histories', () => groupHistories(x, pick(s.recency, buyers), pick(s.age, buyers), { keepCustomerRows: true }));
  const spread = (rowValues: Float64Array, into: Float64Array) => {
    const perBuyer = expandToCustomers(rowValues, groups);
    for (let j = 0; j < buyers.length; j++) into[buyers[j]!] = perBuyer[j]!;
  };

  if (options.pAliveOnly) {
    const name = options.pAliveOnly.chosen;
    const model = name ? EVERY_MODEL.find((m) => m.name === name) : undefined;
    if (!model) return out;
    try {
      const fit = time(`${model.label.toLowerCase()} fit`, () => model.fit(groups));
      const scores = model.scores(fit, groups, CHURN_HORIZON_DAYS);
      if (options.pAliveOnly.basis === 'model') spread(scores.probabilityAlive, out.pAlive);
      spread(scores.expectedPurchases, out.expected90ForChurn);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
    return out;
  }

  const fits = (out.fits = fitEveryModel(groups, {}, time));
  const holdout = (yield 'holdout') ?? null;
  const choice = (out.pAliveChoice = choosePAlive(fits, holdout ? { days: holdout.days, error: holdout.table.error } : null));
  yield { chosen: choice };
  const chosen = choice.chosen ? fits.fitted[choice.chosen] : undefined;
  if (chosen) {
    time(`${chosen.model.label.toLowerCase()} score`, () => {
      const scores = chosen.model.scores(chosen.fit, groups, CHURN_HORIZON_DAYS);
      spread(scores.expectedPurchases, out.expected90ForChurn);
      if (choice.basis === 'model') spread(scores.probabilityAlive, out.pAlive);
    });
  }

  const expectation = EXPECTATION_ORDER.map((name) => fits.fitted[name]).find((f): f is ModelFitResult => f !== undefined && f.fit.converged);
  out.expectationModel = expectation?.model.name ?? null;
  if (expectation) {
    const { model, fit } = expectation;
    const { r, alpha } = fit as unknown as { r: number; alpha: number };
    out.ratePrior = { r, alpha };
    time(`${model.label.toLowerCase()} score`, () => spread(model.scores(fit, groups, 90).expectedPurchases, out.expectedPurchases90));
  }

  const meanSpend = pick(s.meanRepeatSpend, buyers);
  try {
    const gg = time('gamma-gamma fit', () => fitGammaGamma(x, meanSpend));
    out.gammaGamma = gg;
    const spends = gammaGammaExpectedSpends(gg, x, meanSpend);
    for (let j = 0; j < buyers.length; j++) out.expectedSpend[buyers[j]!] = spends[j]!;
    if (expectation) {
      const clv = time('clv', () => clvOf(expectation, groups, spends, options));
      for (let j = 0; j < buyers.length; j++) out.clv12[buyers[j]!] = clv[j]!;
    }
  } catch (err) {
    out.gammaGamma = { error: err instanceof Error ? err.message : String(err) };
  }
  return out;
}

function clvOf(expectation: ModelFitResult, groups: HistoryGroups, spends: Float64Array, options: FitOptions): Float64Array {
  const { model, fit } = expectation;
  const months = options.clvMonths ?? 12;
  const periodsPerMonth = PERIODS_PER_MONTH.day;
  // Every month's horizon at once: P(alive) is the same for all of them. The discounted purchases
  // depend on the history alone: one value per group, then times each customer's spend.
  const horizons = Array.from({ length: months + 1 }, (_, month) => month * periodsPerMonth);
  const byHorizon = model.scoresOver(fit, groups, horizons).expectedPurchases;
  const at = (t: number) => {
    const k = horizons.indexOf(t);
    if (k < 0) throw new Error(`clv: no expected purchases computed for a horizon of ${t} days`);
    return byHorizon[k]!;
  };
  const perGroup = discountedPurchases(at, { periodsPerMonth, months, discountRatePerMonth: options.discountRatePerMonth ?? 0.01 });
  const rows = groups.rowOfCustomer!;
  const clv = new Float64Array(spends.length);
  for (let j = 0; j < clv.length; j++) clv[j] = perGroup[rows[j]!]! * spends[j]!;
  return clv;
}
