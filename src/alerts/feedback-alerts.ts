// `detractor` alerts: a CSAT ≤ 2 or NPS ≤ 6 answer from a valuable customer — one whose worth
// (12-month CLV, else revenue, as of the last refresh) is in the top share, the cutoff that refresh
// left behind. Raised at once for every answer logged with /feedback, and after an import from its
// rows (recent answers only: last year's survey is not news), never on the import's row path.
import type { Context } from '../core/context.ts';
import { localDay } from '../core/time.ts';
import { alertCutoffs, raiseAlerts, type AlertRow, type NewAlert } from '../db/alerts.ts';
import { ownerKey } from '../reports/report-data.ts';
import type { AlertDetails } from './message.ts';

/** An imported answer older than this (before today) raises no alert. */
export const DETRACTOR_RECENT_DAYS = 14;

export interface Answer {
  feedback_id: string;
  customer_id: string;
  scale: 'csat' | 'nps';
  score: number;
  day: number;
}

export function isDetractorAnswer(a: Pick<Answer, 'scale' | 'score'>): boolean {
  return a.scale === 'nps' ? a.score <= 6 : a.score <= 2;
}

/** The alert for one answer just logged, when it is a valuable detractor's; never throws. */
export async function alertForAnswer(ctx: Context, answer: Answer): Promise<AlertRow | undefined> {
  try {
    if (!isDetractorAnswer(answer)) return undefined;
    const [raised] = await raiseDetractors(ctx, [answer], 'feedback');
    if (raised) ctx.outbox?.nudge();
    return raised;
  } catch (err) {
    ctx.log.error('a detractor alert could not be raised; the feedback itself is stored', { customer: answer.customer_id, error: err });
    return undefined;
  }
}

/** Detractor alerts from the recent low answers of one import; returns how many were raised. Never throws. */
export async function alertsForImport(ctx: Context, importId: number): Promise<number> {
  try {
    const today = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
    const rows = await ctx.store.db
      .selectFrom('feedback')
      .select(['feedback_id', 'customer_id', 'scale', 'score', 'day'])
      .where('import_id', '=', importId)
      .where('day', '>=', today - DETRACTOR_RECENT_DAYS)
      .where((eb) => eb.or([eb.and([eb('scale', '=', 'csat'), eb('score', '<=', 2)]), eb.and([eb('scale', '=', 'nps'), eb('score', '<=', 6)])]))
      .orderBy('day', 'desc')
      .execute();
    // The latest low answer of each customer speaks for them.
    const latest = new Map<string, Answer>();
    for (const r of rows) if (!latest.has(r.customer_id)) latest.set(r.customer_id, { ...r, score: Number(r.score), day: Number(r.day) });
    return (await raiseDetractors(ctx, [...latest.values()], `import #${importId}`)).length;
  } catch (err) {
    ctx.log.error('detractor alerts could not be raised after the import; the import itself is done', { importId, error: err });
    return 0;
  }
}

async function raiseDetractors(ctx: Context, answers: readonly Answer[], raisedBy: string): Promise<AlertRow[]> {
  const db = ctx.store.db;
  const cutoffs = await alertCutoffs(db);
  // Before the first refresh nobody's worth is known, so nobody is known to be valuable.
  if (!cutoffs || answers.length === 0) return [];
  const now = ctx.clock.now().toISOString();
  const ids = [...new Set(answers.map((a) => a.customer_id))];
  const insights = new Map<string, { run_id: number; as_of_day: number; churn_risk: number | null; value_at_risk: number | null; worth: number; owner: string | null }>();
  for (let i = 0; i < ids.length; i += 400) {
    const rows = await db
      .selectFrom('insights as i')
      .innerJoin('customers as c', 'c.customer_id', 'i.customer_id')
      .select(['i.customer_id', 'i.run_id', 'i.as_of_day', 'i.churn_risk', 'i.value_at_risk', 'i.clv_12m', 'i.revenue', 'c.owner'])
      .where('i.customer_id', 'in', ids.slice(i, i + 400))
      .execute();
    for (const r of rows) insights.set(r.customer_id, { ...r, worth: r.clv_12m ?? r.revenue });
  }
  const alerts: NewAlert[] = [];
  for (const a of answers) {
    const ins = insights.get(a.customer_id);
    if (!ins || !(ins.worth >= cutoffs.worth) || !(ins.worth > 0)) continue;
    // "Bought again" is judged from the last purchase on or before the answer's day.
    const last = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.max('day').as('day'))
      .where('customer_id', '=', a.customer_id)
      .where('amount', '>=', 0)
      .where('day', '<=', a.day)
      .executeTakeFirst();
    const details: AlertDetails = { score: a.score, scale: a.scale, answeredDay: a.day, topShare: cutoffs.topShare };
    alerts.push({
      customer_id: a.customer_id,
      kind: 'detractor',
      owner: ins.owner,
      owner_key: ins.owner ? ownerKey(ins.owner) || null : null,
      raised_at: now,
      raised_by: raisedBy,
      run_id: ins.run_id,
      as_of_day: ins.as_of_day,
      last_purchase_day: last?.day === null || last?.day === undefined ? null : Number(last.day),
      churn_risk: ins.churn_risk,
      previous_risk: null,
      value_at_risk: ins.value_at_risk,
      worth: ins.worth,
      feedback_id: a.feedback_id,
      details: JSON.stringify(details),
    });
  }
  const raised = await raiseAlerts(ctx.store, alerts, now);
  if (raised.length) ctx.log.info('detractor alerts raised', { raisedBy, alerts: raised.map((r) => r.alert_id) });
  return raised;
}

