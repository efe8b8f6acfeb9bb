// The model card: what the last refresh fitted, how well, on what data. Stored as JSON with the run.
import type { ChurnBacktest } from './churn-backtest.ts';

type Failed = { error: string };

export interface ModelCard {
  runId: number;
  asOf: string;
  timeZone: string;
  customers: number;
  buyers: number;
  orders: number;
  dataWindow: { firstPurchase: string; lastDay: string } | null;
  bgnbd: { r: number; alpha: number; alphaWeeks: number; a: number; b: number; logLik: number; logLikWeeks: number; timeUnit: 'day'; converged: boolean } | Failed;
  oneTimeBuyerModel: 'pareto-nbd';
  paretoNbd: { r: number; alpha: number; s: number; beta: number; logLik: number; logLikWeeks: number; timeUnit: 'day'; converged: boolean } | Failed;
  gammaGamma: { p: number; q: number; v: number; customers: number; logLik: number } | Failed;
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
  };
  clustering: null | { k: number; silhouette: number | null; seed: number; fittedOn: number; clusters: { id: number; name: string; size: number; share: number; center: number[] }[] };
  lifecycle: { stages: Record<string, number>; transitions: number };
  basket: { rules: number };
  timingsMs: Record<string, number>;
  peakRssMb: number;
  /** The longest the refresh held the store's write lock in one transaction (what a /feedback may wait). */
  longestWriteLockMs: number;
}
