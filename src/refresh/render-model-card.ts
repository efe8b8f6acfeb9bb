// The model card as text for a terminal (the same facts `pulse model --json` prints).
import type { ModelCard } from './model-card.ts';

const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

export function renderModelCard(c: ModelCard): string {
  const lines = [
    `Pulse model card — run ${c.runId}, as of ${c.asOf} (${c.timeZone})`,
    `Data: ${c.customers} customers, ${c.buyers} with purchases, ${c.orders} orders${c.dataWindow ? `, first purchase ${c.dataWindow.firstPurchase}` : ''}`,
    '',
    'error' in c.bgnbd
      ? `BG/NBD (repeat purchases): not fitted — ${c.bgnbd.error}`
      : `BG/NBD (repeat purchases): r=${f(c.bgnbd.r)} α=${f(c.bgnbd.alpha, 2)}/day (${f(c.bgnbd.alphaWeeks)}/week) a=${f(c.bgnbd.a)} b=${f(c.bgnbd.b)}  LL=${f(c.bgnbd.logLik, 1)} (days), ${f(c.bgnbd.logLikWeeks, 1)} (weeks)${c.bgnbd.converged ? '' : '  NOT CONVERGED'}`,
    'error' in c.paretoNbd
      ? `Pareto/NBD (P(alive), incl. one-time buyers): not fitted — ${c.paretoNbd.error}`
      : `Pareto/NBD (P(alive), incl. one-time buyers): r=${f(c.paretoNbd.r)} α=${f(c.paretoNbd.alpha, 2)} s=${f(c.paretoNbd.s)} β=${f(c.paretoNbd.beta, 2)} (days)  LL=${f(c.paretoNbd.logLik, 1)}${c.paretoNbd.converged ? '' : '  NOT CONVERGED'}`,
    'error' in c.gammaGamma
      ? `Gamma-Gamma (spend): not fitted — ${c.gammaGamma.error}`
      : `Gamma-Gamma (spend, ${c.gammaGamma.customers} repeat customers): p=${f(c.gammaGamma.p)} q=${f(c.gammaGamma.q)} v=${f(c.gammaGamma.v, 2)}`,
    `CLV: ${c.clv.months}-month horizon, ${(c.clv.discountRatePerMonth * 100).toFixed(1)}%/month discount; total ${f(c.clv.total, 0)}`,
    '',
    c.churn.backtest
      ? `Churn backtest (features at ${c.churn.backtest.cutoff}, no purchase in the next ${c.churn.backtest.horizonDays} days; ${c.churn.backtest.testN} held-out customers, churn rate ${(c.churn.backtest.churnRate * 100).toFixed(1)}%):\n  AUC ${f(c.churn.backtest.auc)} vs recency-only ${f(c.churn.backtest.baselineAuc)}; precision in top decile ${f(c.churn.backtest.precisionTopDecile)} vs ${f(c.churn.backtest.baselinePrecisionTopDecile)} — ${c.churn.backtest.beatsBaseline ? 'beats the baseline' : 'DOES NOT beat the baseline'}`
      : `Churn backtest: not run — ${c.churn.note ?? 'unknown reason'} (default weights in use)`,
    `Churn weights (${c.churn.weightsSource}): ${Object.entries(c.churn.weights).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
    `Value at risk: ${f(c.churn.valueAtRisk, 0)}`,
    '',
    c.clustering
      ? `Behaviour clusters: k=${c.clustering.k} (silhouette ${f(c.clustering.silhouette)}), fitted on ${c.clustering.fittedOn}: ${c.clustering.clusters.map((x) => `#${x.id} ${x.name} ${(x.share * 100).toFixed(0)}%`).join('; ')}`
      : 'Behaviour clusters: too few customers',
    `Lifecycle: ${Object.entries(c.lifecycle.stages).map(([k, v]) => `${k} ${v}`).join(', ')}; ${c.lifecycle.transitions} transitions this run`,
    `Basket rules: ${c.basket.rules}`,
    '',
    `Timings (ms): ${Object.entries(c.timingsMs).map(([k, v]) => `${k.trim()} ${v}`).join(', ')}; peak RSS ${c.peakRssMb} MB`,
  ];
  return lines.join('\n');
}
