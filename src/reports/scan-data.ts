// ReportData computed from the rows (see report-data.ts): exact for any filter and window, and as
// slow as the data is large. The bot runs it only off its event loop.
import { addComment, newTermTally, painPointsFromTally, scoreBand, themesFromTally } from '../analytics/themes.ts';
import type { Context } from '../core/context.ts';
import { decodeTerms, termsOfComment } from '../db/comment-terms.ts';
import { scanBreakdown, scanClvValues, scanEntrantsByOwner, scanEntrantsTop, scanFeedback, scanFigures, scanRanked, type ScannedFeedback, type ScannedFigures } from '../db/report-scans.ts';
import type { ModelRunRow } from '../db/schema.ts';
import { emptyScoreCounts, HIGH_RISK, type DailyCounts, type Detractor, type GroupFigures, type ReportData, type ReportFilter, type SatisfactionData, type ValueTier, type WindowTerms } from './report-data.ts';
import { hasRollups } from './live-run.ts';

/** Terms kept per window: more than any report shows. */
export const WINDOW_TERMS = 10;

export function scanData(ctx: Context, run: ModelRunRow): ReportData;
export function scanData(ctx: Context, run: ModelRunRow | undefined): SatisfactionData;
export function scanData(ctx: Context, run: ModelRunRow | undefined): ReportData | SatisfactionData {
  const db = ctx.store.db;
  const byKey = run !== undefined && hasRollups(run);
  const rowsCache = new Map<string, Promise<ScannedFeedback[]>>();
  const feedback = (f: ReportFilter, from: number, to: number) => {
    const k = `${f.owner ?? '*'}|${f.segment ?? '*'}|${from}|${to}`;
    let rows = rowsCache.get(k);
    if (!rows) rowsCache.set(k, (rows = scanFeedback(ctx.store, f, from, to, byKey)));
    return rows;
  };
  const satisfaction: SatisfactionData = {
    async counts(f, from, to) {
      return dailyCounts(await feedback(f, from, to));
    },
    async terms(f, from, to) {
      // Themes are those of the comments the live refresh saw (the precomputed ones cannot be re-ranked).
      const seen = run?.feedback_watermark ?? Infinity;
      return windowTerms((await feedback(f, from, to)).filter((r) => r.seq <= seen));
    },
    async detractors(f, from, to, limit) {
      return topDetractors(await feedback(f, from, to), limit);
    },
  };
  if (!run) return satisfaction;
  return {
    ...satisfaction,
    run,
    async figures(f, minRisk = HIGH_RISK) {
      const figures = await scanFigures(db, f, minRisk, byKey);
      return { key: '', label: null, ...figures, ...(await clvDistribution(f)) };
    },
    async breakdown(by, f = {}) {
      const rows = await scanBreakdown(db, by, f, HIGH_RISK, byKey);
      return rows.map((r) => groupFigures(r.key ?? '', r.label, r));
    },
    ranked: (list, f, limit, minRisk = HIGH_RISK) => scanRanked(db, list, f, limit, minRisk, byKey),
    async entrants({ runIds }, f, limit) {
      const [top, byOwner] = await Promise.all([scanEntrantsTop(db, runIds, f, limit, byKey), scanEntrantsByOwner(db, runIds, f, byKey)]);
      return { top, byOwner: byOwner.map((o) => ({ owner: o.key ? o.owner : null, count: o.count, valueAtRisk: o.valueAtRisk })) };
    },
  };

  async function clvDistribution(f: ReportFilter): Promise<Pick<GroupFigures, 'clvTop20' | 'tiers'>> {
    const values = await scanClvValues(db, f, byKey);
    const shares = clvShares(values.map((v) => Math.round(v * 100)));
    return { clvTop20: shares.clvTop20 / 100, tiers: shares.tiers.map((t) => ({ ...t, value: t.value / 100 })) };
  }
}

function groupFigures(key: string, label: string | null, r: ScannedFigures): GroupFigures {
  return { ...r, key, label, clvTop20: null, tiers: null };
}

/** Platinum = top 5%, Gold = next 15%, Silver = next 30%, Bronze = the rest (by CLV, descending). */
export function valueTiers(sortedDesc: ArrayLike<number>): ValueTier[] {
  const n = sortedDesc.length;
  const cuts: [string, number][] = [['Platinum (top 5%)', 0.05], ['Gold (next 15%)', 0.2], ['Silver (next 30%)', 0.5], ['Bronze (bottom 50%)', 1]];
  let from = 0;
  return cuts.map(([name, upto]) => {
    const to = Math.min(n, Math.ceil(n * upto));
    let value = 0;
    for (let i = from; i < to; i++) value += sortedDesc[i]!;
    const tier = { name, customers: to - from, value };
    from = to;
    return tier;
  });
}

/** The CLV held by the top 20% and the tiers, from every CLV (in cents, for exact sums) sorted highest first. */
export function clvShares(sortedDesc: ArrayLike<number>): { clvTop20: number; tiers: ValueTier[] } {
  let top20 = 0;
  for (let i = 0; i < Math.ceil(sortedDesc.length * 0.2); i++) top20 += sortedDesc[i]!;
  return { clvTop20: top20, tiers: valueTiers(sortedDesc) };
}

export function dailyCounts(rows: readonly { day: number; scale: 'csat' | 'nps'; score: number }[]): DailyCounts {
  const out: DailyCounts = new Map();
  for (const r of rows) {
    let c = out.get(r.day);
    if (!c) out.set(r.day, (c = emptyScoreCounts()));
    c[r.scale][r.score]!++;
  }
  return out;
}

export function windowTerms(rows: readonly Pick<ScannedFeedback, 'comment' | 'terms' | 'score' | 'scale'>[]): WindowTerms {
  const tally = newTermTally();
  let comments = 0;
  for (const r of rows) {
    if (!r.comment) continue;
    comments++;
    addComment(tally, r.terms !== null ? decodeTerms(r.terms) : termsOfComment(r.comment), scoreBand(r.score, r.scale));
  }
  return { comments, pains: painPointsFromTally(tally, { limit: WINDOW_TERMS }), themes: themesFromTally(tally, { limit: WINDOW_TERMS }) };
}

/** Best first: the customer's value, then the latest answer, then the feedback id (a stable order). */
export function compareDetractors(a: Pick<Detractor, 'value' | 'day' | 'feedback_id'>, b: Pick<Detractor, 'value' | 'day' | 'feedback_id'>): number {
  return b.value - a.value || b.day - a.day || (a.feedback_id < b.feedback_id ? -1 : a.feedback_id > b.feedback_id ? 1 : 0);
}

/** Low scores, most valuable customer first, one per customer. */
export function topDetractors(rows: readonly Detractor[], limit: number): Detractor[] {
  const seen = new Set<string>();
  const out: Detractor[] = [];
  for (const r of rows.filter((x) => scoreBand(x.score, x.scale) === 'low').sort(compareDetractors)) {
    if (seen.has(r.customer_id)) continue;
    seen.add(r.customer_id);
    out.push(r);
    if (out.length === limit) break;
  }
  return out;
}
