// /pulse model — the model card in chat: what was fitted, how well, and whether churn beats recency.
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { formatCount, formatMoney } from '../core/format.ts';
import type { ReplyField } from '../core/reply.ts';
import type { ModelCard } from '../refresh/model-card.ts';
import { asOfFooter, requireRun } from './insight-guard.ts';

export const pulseCommand = defineCommand({
  name: 'pulse',
  description: 'About Pulse: the model card (fitted parameters, fit quality, churn backtest)',
  usage: '/pulse model',
  args: z.object({ topic: z.enum(['model'], { error: 'try `/pulse model`' }).default('model').describe('model: the model card') }),
  positional: ['topic'],
  role: 'rep',
  async run(_args, _call, ctx) {
    const run = await requireRun(ctx);
    const c = JSON.parse(run.card ?? '{}') as ModelCard;
    const n = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));
    const fields: ReplyField[] = [
      { label: 'Data', value: `${formatCount(c.customers)} customers, ${formatCount(c.buyers)} buyers, ${formatCount(c.orders)} orders; as of ${c.asOf}`, inline: false },
      { label: 'BG/NBD', value: 'error' in c.bgnbd ? `not fitted: ${c.bgnbd.error}` : `r ${n(c.bgnbd.r)}, α ${n(c.bgnbd.alphaWeeks)}/week, a ${n(c.bgnbd.a)}, b ${n(c.bgnbd.b)}`, inline: true },
      { label: 'Pareto/NBD (P(alive))', value: 'error' in c.paretoNbd ? `not fitted: ${c.paretoNbd.error}` : `r ${n(c.paretoNbd.r)}, α ${n(c.paretoNbd.alpha, 1)}, s ${n(c.paretoNbd.s)}, β ${n(c.paretoNbd.beta, 1)} (days)`, inline: true },
      { label: 'Gamma-Gamma', value: 'error' in c.gammaGamma ? `not fitted: ${c.gammaGamma.error}` : `p ${n(c.gammaGamma.p)}, q ${n(c.gammaGamma.q)}, v ${n(c.gammaGamma.v, 1)}`, inline: true },
      {
        label: 'Churn backtest',
        value: c.churn.backtest
          ? `AUC ${n(c.churn.backtest.auc)} vs recency-only ${n(c.churn.backtest.baselineAuc)}; top-decile precision ${n(c.churn.backtest.precisionTopDecile, 2)} vs ${n(c.churn.backtest.baselinePrecisionTopDecile, 2)} (${c.churn.backtest.testN} held-out customers, cutoff ${c.churn.backtest.cutoff})`
          : `not run: ${c.churn.note ?? 'unknown'}`,
      },
      { label: 'Clusters', value: c.clustering ? `k ${c.clustering.k}, silhouette ${n(c.clustering.silhouette, 2)}: ${c.clustering.clusters.map((x) => x.name).join(', ')}` : 'too few customers' },
      { label: 'Value', value: `12-month CLV ${formatMoney(c.clv.total)}; value at risk ${formatMoney(c.churn.valueAtRisk)}`, inline: true },
    ];
    return { title: `Model card · refresh #${c.runId}`, fields, footer: asOfFooter(run), visibility: 'private' };
  },
});
