// The model card: what the last refresh fitted, how well, on what data. Stored as JSON with the run.
import { logLikelihoodInUnit } from '../analytics/bgnbd.ts';
import type { PerCustomerError, HoldoutRow } from '../analytics/holdout.ts';
import type { ModelFitResult, ModelFits } from '../analytics/model-fits.ts';
import { withChurnCalibration, type PAliveChoice } from '../analytics/p-alive-choice.ts';
import type { RepeatPurchaseModelName } from '../analytics/repeat-purchase-model.ts';
import type { AlertCardSection } from '../alerts/refresh-alerts.ts';
import { formatDay } from '../core/time.ts';
import type { ChurnBacktest, ChurnCalibration } from './churn-backtest.ts';
import type { CustomerState } from './customer-state.ts';
import type { ModelScores } from './fit-models.ts';
import type { HoldoutResult } from './holdout-step.ts';
import type { CustomerScorer, StorySummary } from './score-customer.ts';

type Failed = { error: string };

/** What every fitted repeat-purchase model shows, besides its parameters (days). */
export interface FitFacts {
  logLik: number;
  /** The same log-likelihood with times in weeks (comparable with published CDNOW figures). */
  logLikWeeks: number;
  timeUnit: 'day';
  converged: boolean;
  /** Standard errors from the Hessian; null where the likelihood is flat. */
  standardErrors: Record<string, number | null>;
  /** 2·(LL − LL of the no-dropout NBD): below 3.84 the data cannot tell dropout. */
  dropoutLikelihoodRatio: number | null;
  /** Its P(alive) can be shown as a fact. */
  trusted: boolean;
}

export interface HoldoutCard {
  calibrationEnd: string;
  holdoutEnd: string;
  days: number;
  timeUnit: 'day';
  /** Customers who had bought by the calibration end. */
  customers: number;
  /** Set when the check ran on a random sample of the store's customers: how many there were. */
  sampledFrom: number | null;
  models: Partial<Record<RepeatPurchaseModelName, { params: Record<string, number>; logLikelihood: number; converged: boolean; trusted: boolean }>>;
  chosen: RepeatPurchaseModelName | null;
  why: string;
  rows: HoldoutRow[];
  /** Mean repeat purchase days per customer in the holdout, over everyone. */
  actual: number;
  /** Each model's per-customer error (what `chosen` is picked by: the RMSE). */
  error: Partial<Record<RepeatPurchaseModelName, PerCustomerError>>;
}

export interface ModelCard {
  runId: number;
  asOf: string;
  timeZone: string;
  customers: number;
  buyers: number;
  orders: number;
  dataWindow: { firstPurchase: string; lastDay: string } | null;
  /** Sentences for a manager: fits that cannot be trusted, bounds, too few repeat buyers, stale data. */
  warnings: string[];
  bgnbd: ({ r: number; alpha: number; alphaWeeks: number; a: number; b: number } & FitFacts) | Failed;
  paretoNbd: ({ r: number; alpha: number; s: number; beta: number } & FitFacts) | Failed;
  mbgnbd: ({ r: number; alpha: number; alphaWeeks: number; a: number; b: number } & FitFacts) | Failed;
  /** Which figure stands for P(alive), and why (a trusted model's, or the calibrated chance of buying again). */
  pAlive: PAliveChoice;
  /** The model behind expected purchases and CLV. */
  expectationModel: RepeatPurchaseModelName | null;
  /** The calibration/holdout check; null when the history is too short (the warnings say why). */
  holdout: HoldoutCard | null;
  /** The scored customers at a glance: how many at or above the churn-risk threshold, risk and P(alive) figure percentiles. */
  story: StorySummary;
  /** `converged` false: the likelihood has no clear maximum (e.g. every customer spends the same) and the spend figures rest on where the fit stopped. Absent on cards from before it was recorded. */
  gammaGamma: { p: number; q: number; v: number; customers: number; logLik: number; converged?: boolean } | Failed;
  clv: { months: number; discountRatePerMonth: number; total: number };
  churn: {
    weightsSource: 'fitted' | 'default';
    weights: Record<string, number>;
    note?: string;
    backtest: (Omit<ChurnBacktest, 'cutoffDay'> & { cutoff: string }) | null;
    auc: number | null;
    baselineAuc: number | null;
    precisionTopDecile: number | null;
    valueAtRisk: number;
    /** The risk from which a customer is at-risk and listed by `/churn-risk`. */
    threshold: number;
  };
  clustering: null | {
    k: number;
    silhouette: number | null;
    seed: number;
    fittedOn: number;
    clusters: { id: number; name: string; size: number; share: number; center: number[] }[];
  };
  lifecycle: { stages: Record<string, number>; transitions: number };
  basket: { rules: number };
  timingsMs: Record<string, number>;
  /**
   * The scopes this run stored satisfaction rollups for (absent on runs before segments had them):
   * a scope listed here with no row for a key means no answers, not "ask the rows".
   */
  satisfactionScopes?: string[];
  peakRssMb: number;
  /** The longest the refresh held the store's write lock in one transaction (what a /feedback may wait). */
  longestWriteLockMs: number;
  /** Owner alerts this refresh raised and resolved, and "does it help?" over the last 90 days. */
  alerts?: AlertCardSection | undefined;
}

/** A store whose newest order is older than this (in days before the as-of day) is probably refreshed for the wrong day. */
export const STALE_DATA_DAYS = 90;

/**
 * The repeat-purchase part of the card: each model with its standard errors and trust, the P(alive)
 * choice, the holdout, and every warning (a stale store first).
 * @example { ...repeatPurchaseCard(models, holdout, state, churn, score) } // after every customer is scored
 */
export function repeatPurchaseCard(
  models: ModelScores,
  holdout: HoldoutResult | { error: string } | null,
  state: CustomerState,
  churn: Pick<ChurnCalibration, 'weightsSource'>,
  scorer: Pick<CustomerScorer, 'summary'>,
): Pick<ModelCard, 'warnings' | 'bgnbd' | 'paretoNbd' | 'mbgnbd' | 'pAlive' | 'expectationModel' | 'holdout' | 'story'> {
  const warnings: string[] = [];
  let newest = -Infinity;
  for (const i of state.buyers) newest = Math.max(newest, state.summaries.lastPurchaseDay[i]!);
  const stale = staleDataWarning(state.asOfDay, Number.isFinite(newest) ? newest : null);
  if (stale) warnings.push(stale);
  warnings.push(...models.fits.warnings);
  if (holdout && 'error' in holdout) warnings.push(`No holdout check this time: ${holdout.error}.`);
  if (holdout && !('error' in holdout)) {
    warnings.push(...holdout.fits.warnings.map((w) => `In the holdout fit (to ${formatDay(holdout.calibrationEndDay)}): ${w}`));
  }
  const pAlive = withChurnCalibration(models.pAliveChoice, churn.weightsSource);
  if (pAlive.basis !== 'model' && models.fits.repeatBuyers > 0) warnings.push(pAlive.why);
  return {
    warnings,
    bgnbd: facts(models.fits, 'bgnbd', (p) => ({ r: p.r!, alpha: p.alpha!, alphaWeeks: p.alpha! / 7, a: p.a!, b: p.b! })),
    paretoNbd: facts(models.fits, 'paretoNbd', (p) => ({ r: p.r!, alpha: p.alpha!, s: p.s!, beta: p.beta! })),
    mbgnbd: facts(models.fits, 'mbgnbd', (p) => ({ r: p.r!, alpha: p.alpha!, alphaWeeks: p.alpha! / 7, a: p.a!, b: p.b! })),
    pAlive,
    expectationModel: models.expectationModel,
    holdout: holdout && !('error' in holdout) ? holdoutCard(holdout, pAlive) : null,
    story: scorer.summary(),
  };
}

/**
 * The card's sentence when the newest order is more than 90 days before the as-of day.
 * @example staleDataWarning(day('2026-03-01'), day('2011-12-09')) // 'The newest order is from 2011-12-09, … `pulse refresh --as-of latest` …'
 */
export function staleDataWarning(asOfDay: number, newestOrderDay: number | null): string | null {
  if (newestOrderDay === null || asOfDay - newestOrderDay <= STALE_DATA_DAYS) return null;
  return (
    `The newest order is from ${formatDay(newestOrderDay)}, ${asOfDay - newestOrderDay} days before the as-of day ${formatDay(asOfDay)}: ` +
    'every customer looks long gone. If the data simply ends there, refresh as of its newest order with `pulse refresh --as-of latest`.'
  );
}

function facts<T>(fits: ModelFits, name: RepeatPurchaseModelName, params: (p: Record<string, number>) => T): (T & FitFacts) | Failed {
  const result: ModelFitResult | undefined = fits.fitted[name];
  if (!result) return { error: fits.failed[name] ?? 'not fitted' };
  const { fit, diagnosis } = result;
  const p = fit as unknown as Record<string, number>;
  return {
    ...params(p),
    logLik: fit.logLik,
    logLikWeeks: logLikelihoodInUnit(fit.logLik, fits.totalRepeatPurchases, 7),
    timeUnit: 'day',
    converged: fit.converged,
    standardErrors: diagnosis.standardErrors,
    dropoutLikelihoodRatio: diagnosis.dropoutLikelihoodRatio,
    trusted: diagnosis.trusted,
  };
}

function holdoutCard(h: HoldoutResult, choice: PAliveChoice): HoldoutCard {
  const models: HoldoutCard['models'] = {};
  for (const [name, result] of Object.entries(h.fits.fitted) as [RepeatPurchaseModelName, ModelFitResult][]) {
    const p = result.fit as unknown as Record<string, number>;
    models[name] = {
      params: Object.fromEntries(result.model.parameterNames.map((k) => [k, p[k]!])),
      logLikelihood: result.fit.logLik,
      converged: result.fit.converged,
      trusted: result.diagnosis.trusted,
    };
  }
  return {
    calibrationEnd: formatDay(h.calibrationEndDay),
    holdoutEnd: formatDay(h.holdoutEndDay),
    days: h.days,
    timeUnit: 'day',
    customers: h.customers,
    sampledFrom: h.sampledFrom,
    models,
    chosen: choice.chosen,
    why: choice.why,
    rows: h.table.rows,
    actual: h.table.actual,
    error: h.table.error as HoldoutCard['error'],
  };
}
