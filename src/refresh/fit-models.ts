// Fits the probabilistic models on the buyers of a CustomerState and scores every buyer:
// BG/NBD for expected purchases and CLV (the repeat-purchase model), Pareto/NBD for P(alive)
// (BG/NBD says 1 for every one-time buyer), Gamma-Gamma for expected spend. Times are in days.
import { bgnbdScores, fitBgnbd, logLikelihoodInUnit, type BgnbdFit } from '../analytics/bgnbd.ts';
import { customerLifetimeValues, PERIODS_PER_MONTH } from '../analytics/clv.ts';
import { fitGammaGamma, gammaGammaExpectedSpends, type GammaGammaFit } from '../analytics/gamma-gamma.ts';
import { fitParetoNbd, paretoNbdScores, type ParetoNbdFit } from '../analytics/pareto-nbd.ts';
import { expandToCustomers, groupHistories } from '../analytics/purchase-history.ts';
import { pick, type CustomerState } from './customer-state.ts';

export interface ModelScores {
  /** Per customer (NaN for non-buyers or when the model could not be fitted). */
  pAlive: Float64Array;
  /** Pareto/NBD E[purchases in 90 days | history], which knows one-time buyers may be gone. */
  paretoExpected90: Float64Array;
  expectedPurchases90: Float64Array;
  expectedSpend: Float64Array;
  clv12: Float64Array;
  bgnbd: (BgnbdFit & { logLikWeeks: number }) | { error: string };
  paretoNbd: (ParetoNbdFit & { logLikWeeks: number }) | { error: string };
  gammaGamma: GammaGammaFit | { error: string };
  timings: Record<string, number>;
}

export interface FitOptions {
  clvMonths?: number;
  discountRatePerMonth?: number;
  /** Skip BG/NBD, Gamma-Gamma and CLV (the churn backtest only needs P(alive)). */
  pAliveOnly?: boolean;
}

const failure = (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) });

export function fitModels(state: CustomerState, options: FitOptions = {}): ModelScores {
  const n = state.summaries.count;
  const timings: Record<string, number> = {};
  const time = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };
  const nan = () => new Float64Array(n).fill(NaN);
  const out: ModelScores = { pAlive: nan(), paretoExpected90: nan(), expectedPurchases90: nan(), expectedSpend: nan(), clv12: nan(), bgnbd: { error: 'no buyers' }, paretoNbd: { error: 'no buyers' }, gammaGamma: { error: 'no buyers' }, timings };
  const buyers = state.buyers;
  if (buyers.length === 0) return out;
  const s = state.summaries;
  const x = pick(s.frequency, buyers);
  const tx = pick(s.recency, buyers);
  const T = pick(s.age, buyers);
  const groups = time('group histories', () => groupHistories(x, tx, T, { keepCustomerRows: true }));
  let totalRepeat = 0;
  for (let j = 0; j < x.length; j++) totalRepeat += x[j]!;
  const spread = (rowValues: Float64Array, into: Float64Array) => {
    const perBuyer = expandToCustomers(rowValues, groups);
    for (let j = 0; j < buyers.length; j++) into[buyers[j]!] = perBuyer[j]!;
  };

  try {
    const fit = time('pareto/nbd fit', () => fitParetoNbd(groups));
    out.paretoNbd = { ...fit, logLikWeeks: logLikelihoodInUnit(fit.logLik, totalRepeat, 7) };
    time('pareto/nbd score', () => {
      const scores = paretoNbdScores(fit, groups, 90);
      spread(scores.probabilityAlive, out.pAlive);
      spread(scores.expectedPurchases, out.paretoExpected90);
    });
  } catch (err) {
    out.paretoNbd = failure(err);
  }
  if (options.pAliveOnly) return out;

  let bg: BgnbdFit | undefined;
  try {
    bg = time('bg/nbd fit', () => fitBgnbd(groups));
    out.bgnbd = { ...bg, logLikWeeks: logLikelihoodInUnit(bg.logLik, totalRepeat, 7) };
    time('bg/nbd score', () => spread(bgnbdScores(bg!, groups, 90).expectedPurchases, out.expectedPurchases90));
  } catch (err) {
    out.bgnbd = failure(err);
  }

  const meanSpend = pick(s.meanRepeatSpend, buyers);
  try {
    const gg = time('gamma-gamma fit', () => fitGammaGamma(x, meanSpend));
    out.gammaGamma = gg;
    const spends = gammaGammaExpectedSpends(gg, x, meanSpend);
    for (let j = 0; j < buyers.length; j++) out.expectedSpend[buyers[j]!] = spends[j]!;
    if (bg) {
      const fit = bg;
      const clv = time('clv', () =>
        customerLifetimeValues((t) => expandToCustomers(bgnbdScores(fit, groups, t).expectedPurchases, groups), spends, {
          periodsPerMonth: PERIODS_PER_MONTH.day,
          months: options.clvMonths ?? 12,
          discountRatePerMonth: options.discountRatePerMonth ?? 0.01,
        }),
      );
      for (let j = 0; j < buyers.length; j++) out.clv12[buyers[j]!] = clv[j]!;
    }
  } catch (err) {
    out.gammaGamma = failure(err);
  }
  return out;
}
