// ReportData from the rollups of the live refresh (see report-data.ts). What no rollup holds — a
// risk threshold other than HIGH_RISK, a breakdown of a filtered group, a window no refresh stored,
// a flood of feedback since the refresh — is answered by scanData, off the bot's event loop.
import { scoreBand } from '../analytics/themes.ts';
import type { Context } from '../core/context.ts';
import { slowWorkHere } from '../core/off-loop.ts';
import {
  detractorLines,
  entrantRows,
  feedbackAfter,
  feedbackArrivedAfter,
  groupRow,
  groupRows,
  rankedRows,
  runsWithEntrants,
  satisfactionRows,
  termWindow,
  topEntrants,
  type FeedbackLine,
} from '../db/report-rollups.ts';
import type { ModelRunRow, ReportGroupsTable } from '../db/schema.ts';
import type { ModelCard } from '../refresh/model-card.ts';
import { emptyScoreCounts, HIGH_RISK, type DailyCounts, type GroupFigures, type ReportData, type ReportFilter, toCents, type WindowTerms } from './report-data.ts';
import { scanRiskAbove } from '../db/report-scans.ts';
import { clvShares, scanData, topDetractors } from './scan-data.ts';

/** Feedback logged since the refresh is added to the stored counts at read time, up to this many rows. */
export const MAX_FEEDBACK_SINCE_REFRESH = 20_000;

/** Where a filter's figures are stored: its scope and key. */
export function scopeOf(f: ReportFilter): { scope: string; key: string } {
  if (f.owner !== undefined && f.segment !== undefined) return { scope: 'owner-segment', key: `${f.owner}\u001f${f.segment}` };
  if (f.owner !== undefined) return { scope: 'owner', key: f.owner };
  if (f.segment !== undefined) return { scope: 'segment', key: f.segment };
  return { scope: 'all', key: '' };
}

export function precomputedData(ctx: Context, run: ModelRunRow): ReportData {
  const db = ctx.store.db;
  const runId = run.run_id;
  const watermark = run.feedback_watermark ?? 0;
  let scan: ReportData | undefined;
  const slow = (why: string): ReportData => {
    slowWorkHere(ctx, why);
    return (scan ??= scanData(ctx, run));
  };
  // Feedback since the refresh, read once per report (a report asks for several windows).
  let since: Promise<FeedbackLine[]> | undefined;
  const feedbackSinceRefresh = async (): Promise<FeedbackLine[]> => {
    since ??= (async () => {
      if ((await feedbackArrivedAfter(ctx.store, watermark)) > MAX_FEEDBACK_SINCE_REFRESH) {
        slowWorkHere(ctx, 'much feedback arrived since the last refresh');
      }
      return feedbackAfter(ctx.store, watermark);
    })();
    return since;
  };
  const inFilter = (f: ReportFilter, from: number, to: number) => (l: FeedbackLine) =>
    l.day >= from && l.day <= to && (f.owner === undefined || l.owner_key === f.owner) && (f.segment === undefined || (l.segment ?? '') === f.segment);
  // Runs before segments had satisfaction rollups stored everyone's and each owner's.
  const storedScopes = new Set(runCard(run).satisfactionScopes ?? ['all', 'owner']);
  const satisfactionScope = (f: ReportFilter) => {
    const where = scopeOf(f);
    return storedScopes.has(where.scope) ? where : undefined;
  };
  /**
   * A standard window (stored for everyone on every run) with no row for this scope's key: nobody in
   * the scope answered in it. Any other window was never stored: the rows must be asked.
   */
  const noAnswersIn = async (from: number, to: number) => (await termWindow(db, runId, 'all', '', from, to)) !== undefined;

  return {
    run,
    async figures(f, minRisk = HIGH_RISK) {
      const { scope, key } = scopeOf(f);
      const row = await groupRow(db, runId, scope, key);
      const stored = row ? figuresOf(row) : emptyFigures(key);
      if (minRisk === HIGH_RISK) return stored;
      // Another threshold changes two figures only: counted from the insights' risk index, off the loop.
      slowWorkHere(ctx, `a risk threshold of ${minRisk}`);
      return { ...stored, ...(await scanRiskAbove(db, f, minRisk, true)) };
    },
    async breakdown(by, f = {}) {
      if (f.owner === undefined && f.segment === undefined) return (await groupRows(db, runId, by)).map(figuresOf);
      if (by === 'owner' && f.owner === undefined) return (await groupRows(db, runId, 'owner-segment', f.segment)).map((r) => ({ ...figuresOf(r), key: r.key.split('\u001f')[0]! }));
      if (by === 'owner' && f.segment === undefined) {
        const row = await groupRow(db, runId, 'owner', f.owner!);
        return row ? [figuresOf(row)] : [];
      }
      return slow(`a ${by} breakdown of a filtered group`).breakdown(by, f);
    },
    async ranked(list, f, limit, minRisk = HIGH_RISK) {
      const stored = list === 'clv' ? f.owner === undefined || f.segment === undefined : true;
      if (minRisk !== HIGH_RISK || !stored) return slow(`a ${list} list at risk ${minRisk}`).ranked(list, f, limit, minRisk);
      const { scope, key } = scopeOf(f);
      return rankedRows(db, runId, list, scope, key, limit);
    },
    async entrants({ runIds }, f, limit) {
      if (f.segment !== undefined) return slow('new entrants of a segment').entrants({ runIds }, f, limit);
      // The top is read only from the runs the rollups list entrants for: one indexed read each.
      const [rows, top] = await Promise.all([
        entrantRows(db, runId, runIds, f.owner),
        runsWithEntrants(db, runId, runIds, f.owner).then((runs) => topEntrants(db, runs, limit, f.owner)),
      ]);
      return { top, byOwner: rows.map((r) => ({ owner: r.ownerKey === '' ? null : r.owner, count: r.customers, valueAtRisk: toCents(r.valueAtRisk) })) };
    },
    async counts(f, from, to) {
      const where = satisfactionScope(f);
      if (!where) return slow('satisfaction of a segment').counts(f, from, to);
      const out: DailyCounts = new Map();
      const add = (day: number, scale: 'csat' | 'nps', score: number, n: number) => {
        let c = out.get(day);
        if (!c) out.set(day, (c = emptyScoreCounts()));
        c[scale][score]! += n;
      };
      for (const r of await satisfactionRows(db, runId, where.scope, where.key, from, to)) add(Number(r.day), r.scale, Number(r.score), Number(r.responses));
      for (const l of (await feedbackSinceRefresh()).filter(inFilter(f, from, to))) add(l.day, l.scale, l.score, 1);
      return new Map([...out].sort((a, b) => a[0] - b[0]));
    },
    async terms(f, from, to) {
      const where = satisfactionScope(f);
      const stored = where && (await termWindow(db, runId, where.scope, where.key, from, to));
      if (!stored) {
        if (where && (await noAnswersIn(from, to))) return { comments: 0, pains: [], themes: [] };
        return slow('themes of a window the refresh did not store').terms(f, from, to);
      }
      const out: WindowTerms = { comments: stored.comments, pains: [], themes: [] };
      for (const t of stored.terms) {
        if (t.kind === 'pain') out.pains.push({ term: t.term, z: Number(t.z), logOdds: Number(t.log_odds), lowComments: Number(t.low), highComments: Number(t.high), comments: Number(t.comments) });
        else out.themes.push({ term: t.term, comments: Number(t.comments), share: Number(t.share) });
      }
      return out;
    },
    async detractors(f, from, to, limit) {
      const where = satisfactionScope(f);
      let stored = where && (await detractorLines(db, runId, where.scope, where.key, from, to));
      if (!stored && where && (await noAnswersIn(from, to))) stored = [];
      if (!stored) return slow('detractors of a window the refresh did not store').detractors(f, from, to, limit);
      const fresh = (await feedbackSinceRefresh()).filter(inFilter(f, from, to)).filter((l) => scoreBand(l.score, l.scale) === 'low');
      return topDetractors([...stored, ...fresh], limit);
    },
  };
}

function figuresOf(r: ReportGroupsTable): GroupFigures {
  return {
    key: r.key,
    label: r.label,
    customers: Number(r.customers),
    revenue: Number(r.revenue),
    clv: Number(r.clv),
    valueAtRisk: Number(r.value_at_risk),
    scored: Number(r.scored),
    atRisk: Number(r.at_risk),
    atRiskValue: Number(r.at_risk_value),
    clvCustomers: Number(r.clv_customers),
    clvTop20: r.clv_top20 === null ? null : Number(r.clv_top20),
    tiers: r.tiers ? JSON.parse(r.tiers) : null,
  };
}

function emptyFigures(key: string): GroupFigures {
  return { key, label: null, customers: 0, revenue: 0, clv: 0, valueAtRisk: 0, scored: 0, atRisk: 0, atRiskValue: 0, clvCustomers: 0, ...clvShares([]) };
}

/**
 * The model card a run stored (older runs lack newer fields; an unreadable card reads as empty).
 * Every command reads the live run's card (several kilobytes of JSON): the last one parsed is kept
 * (callers only read it).
 */
export function runCard(run: Pick<ModelRunRow, 'card'>): Readonly<Partial<ModelCard>> {
  const text = run.card ?? '{}';
  if (text === lastCard.text) return lastCard.parsed;
  let parsed: Partial<ModelCard>;
  try {
    parsed = JSON.parse(text) as Partial<ModelCard>;
  } catch {
    parsed = {};
  }
  lastCard = { text, parsed };
  return parsed;
}
let lastCard: { text: string; parsed: Partial<ModelCard> } = { text: '{}', parsed: {} };
