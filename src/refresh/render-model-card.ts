// The model card as text for a terminal (the same facts `pulse model --json` prints).
import { formatMoney } from '../core/format.ts';
import type { FitFacts, HoldoutCard, ModelCard } from './model-card.ts';

const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
const NOT_CONVERGED = ' — did not converge (the spends leave no clear maximum): expected spends and CLV rest on where the fit stopped';

/** "r=0.243 (±0.013)": a parameter with its standard error, or "(± flat)" where the likelihood has none. */
function withSe(name: string, value: number, fit: FitFacts, key: string, digits = 3): string {
  const se = fit.standardErrors?.[key];
  return `${name}=${f(value, digits)} (±${se === null || se === undefined ? ' flat' : f(se, digits)})`;
}

function modelLine(label: string, m: ModelCard['bgnbd'] | ModelCard['paretoNbd'] | ModelCard['mbgnbd'] | undefined): string {
  if (m === undefined) return `${label}: not fitted in this run (refresh to fit it)`;
  if ('error' in m) return `${label}: not fitted — ${m.error}`;
  const params =
    's' in m
      ? [withSe('r', m.r, m, 'r'), withSe('α', m.alpha, m, 'alpha', 2), withSe('s', m.s, m, 's'), withSe('β', m.beta, m, 'beta', 2)]
      : [withSe('r', m.r, m, 'r'), withSe('α', m.alpha, m, 'alpha', 2), withSe('a', m.a, m, 'a'), withSe('b', m.b, m, 'b')];
  const trust = !m.converged ? '  NOT CONVERGED' : m.trusted ? '' : '  (P(alive) not trusted, see warnings)';
  return `${label}: ${params.join(' ')} per day; LL=${f(m.logLik, 1)} (days), ${f(m.logLikWeeks, 1)} (weeks)${trust}`;
}

function holdoutLines(h: HoldoutCard): string[] {
  const names = Object.keys(h.models) as (keyof HoldoutCard['models'])[];
  const label: Record<string, string> = { bgnbd: 'BG/NBD', paretoNbd: 'Pareto/NBD', mbgnbd: 'MBG/NBD' };
  const header = ['x', 'customers', 'actual', ...names.map((n) => label[n] ?? n)];
  const rows = h.rows.map((r) => [r.frequency, String(r.customers), f(r.actual), ...names.map((n) => f(r.expected[n]))]);
  const widths = header.map((cell, j) => Math.max(cell.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  const sample = h.sampledFrom ? ` (a random ${h.customers} of ${h.sampledFrom} customers)` : '';
  const error = (n: (typeof names)[number]) => {
    const e = h.error[n];
    return `${label[n] ?? n} RMSE ${f(e?.rmse)} MAE ${f(e?.mae)} bias ${f((e?.bias ?? NaN) * 100, 1)}%`;
  };
  return [
    `Holdout: fitted to ${h.calibrationEnd}, scored on the ${h.days} days to ${h.holdoutEnd}; ${h.customers} customers${sample}. ` +
      'Mean repeat purchase days in the holdout, by repeat purchase days (x) before it:',
    line(header),
    ...rows.map(line),
    `  per customer: ${names.map(error).join('; ')}`,
  ];
}

function backtestLine(b: NonNullable<ModelCard['churn']['backtest']>): string {
  return (
    `Churn backtest (features at ${b.cutoff}, no purchase in the next ${b.horizonDays} days; ${b.testN} held-out customers, ` +
    `churn rate ${(b.churnRate * 100).toFixed(1)}%):\n  AUC ${f(b.auc)} vs recency-only ${f(b.baselineAuc)}; ` +
    `precision in top decile ${f(b.precisionTopDecile)} vs ${f(b.baselinePrecisionTopDecile)} — ` +
    (b.beatsBaseline ? 'beats the baseline' : 'DOES NOT beat the baseline')
  );
}

function storyLines(c: ModelCard): string[] {
  const { story } = c;
  const risk = story.churnRisk;
  const label = c.pAlive?.label ?? 'P(alive)';
  const percentiles = risk ? ` (risk percentiles 10/50/90: ${f(risk.p10, 0)}/${f(risk.median, 0)}/${f(risk.p90, 0)})` : '';
  const bands = story.pAliveBySilence.map((b) => `${b.silentDays} days ${f(b.median, 2)} (${f(b.p10, 2)}–${f(b.p90, 2)}, ${b.customers} customers)`);
  return [
    `Customers at churn risk ${story.threshold}+: ${story.atOrAboveThreshold}${percentiles}`,
    ...(bands.length ? [`${label} by days since the last purchase (median, 10th–90th percentile): ${bands.join('; ')}`] : []),
  ];
}

/** Cards stored by older versions lack the newer fields: they render with what they have. */
export function renderModelCard(c: ModelCard, currency = 'USD'): string {
  const money = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : formatMoney(Math.round(v), currency).replace(/\.00$/, ''));
  const warnings = c.warnings ?? [];
  const lines = [
    `Pulse model card — run ${c.runId}, as of ${c.asOf} (${c.timeZone})`,
    `Data: ${c.customers} customers, ${c.buyers} with purchases, ${c.orders} orders${c.dataWindow ? `, first purchase ${c.dataWindow.firstPurchase}` : ''}`,
    ...(warnings.length ? ['', 'Warnings:', ...warnings.map((w) => `  - ${w}`)] : []),
    '',
    modelLine('BG/NBD', c.bgnbd),
    modelLine('Pareto/NBD', c.paretoNbd),
    modelLine('MBG/NBD', c.mbgnbd),
    ...(c.pAlive ? [`${c.pAlive.label}: ${c.pAlive.why}`] : []),
    ...(c.holdout ? holdoutLines(c.holdout) : []),
    'error' in c.gammaGamma
      ? `Gamma-Gamma (spend): not fitted — ${c.gammaGamma.error}`
      : `Gamma-Gamma (spend, ${c.gammaGamma.customers} repeat customers): p=${f(c.gammaGamma.p)} q=${f(c.gammaGamma.q)} v=${f(c.gammaGamma.v, 2)}${c.gammaGamma.converged === false ? NOT_CONVERGED : ''}`,
    `CLV: ${c.clv.months}-month horizon, ${(c.clv.discountRatePerMonth * 100).toFixed(1)}%/month discount` +
      `${c.expectationModel ? ` (expected purchases from ${c.expectationModel})` : ''}; total ${money(c.clv.total)}`,
    '',
    c.churn.backtest ? backtestLine(c.churn.backtest) : `Churn backtest: not run — ${c.churn.note ?? 'unknown reason'} (default weights in use)`,
    `Churn weights (${c.churn.weightsSource}): ${Object.entries(c.churn.weights).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
    `Value at risk: ${money(c.churn.valueAtRisk)}${c.churn.threshold === undefined ? '' : `; at risk from churn risk ${c.churn.threshold}`}`,
    ...(c.story ? storyLines(c) : []),
    '',
    c.clustering
      ? `Behaviour clusters: k=${c.clustering.k} (silhouette ${f(c.clustering.silhouette)}), fitted on ${c.clustering.fittedOn}: ` +
        c.clustering.clusters.map((x) => `#${x.id} ${x.name} ${(x.share * 100).toFixed(0)}%`).join('; ')
      : 'Behaviour clusters: too few customers',
    `Lifecycle: ${Object.entries(c.lifecycle.stages).map(([k, v]) => `${k} ${v}`).join(', ')}; ${c.lifecycle.transitions} transitions this run`,
    `Basket rules: ${c.basket.rules}`,
    ...(c.alerts ? ['', `Owner alerts: ${c.alerts.raised.slipping} slipping and ${c.alerts.raised.silent} silent raised, ${c.alerts.resolved} resolved this run`, ...c.alerts.summary.map((l) => `  ${l}`)] : []),
    '',
    `Timings (ms): ${Object.entries(c.timingsMs).map(([k, v]) => `${k.trim()} ${v}`).join(', ')}; peak RSS ${c.peakRssMb} MB`,
  ];
  return lines.join('\n');
}
