// Owner alerts after a refresh, from its in-memory scores: raise what crossed (evaluate.ts), end the
// episodes that ended (the customer bought again; a slipping customer's risk fell back under the
// threshold; 90 days passed), match each new alert with a control, and measure "does it help?" for
// the model card. Runs once the refresh is live; a failure here is logged and leaves the refresh
// as it is. Posting is not done here: the outbox posts what this raised (the process's tick).
import type { Context } from '../core/context.ts';
import { MS_PER_DAY } from '../core/time.ts';
import { alertsToFollow, driversOf, insertControls, previousRunDay, raiseAlerts, resolveAlerts, saveAlertCutoffs, type NewAlert, type Resolution } from '../db/alerts.ts';
import type { OrderHistories } from '../db/histories.ts';
import type { PreviousInsights } from '../db/refresh-io.ts';
import { parseDrivers } from '../reports/drivers.ts';
import { ownerKey } from '../reports/report-data.ts';
import { pickControls, valueDeciles } from './controls.ts';
import { currentAlertSettings } from './current-settings.ts';
import { alertEffect, describeEffect, EFFECT_WINDOW_DAYS, FOLLOW_UP_DAYS, type AlertEffect } from './effect.ts';
import { evaluateAlerts } from './evaluate.ts';
import type { AlertDetails } from './message.ts';

/** An unresolved alert this old is closed (its customer did not come back within the window). */
export const ALERT_EXPIRY_DAYS = 90;

/** What the refresh hands over: its snapshot, the customers' state and the scores it wrote. */
export interface RefreshAlertInput {
  runId: number;
  asOf: number;
  snapshot: { histories: OrderHistories; previous: PreviousInsights };
  state: {
    summaries: { purchaseDays: ArrayLike<number>; lastPurchaseDay: ArrayLike<number>; revenue: ArrayLike<number> };
    cadence: { usualGapDays: ArrayLike<number> };
  };
  models: { clv12: Float64Array };
  score: { scores(): { risk: Float64Array; valueAtRisk: Float64Array } };
}

/** The model card's alerts section. */
export interface AlertCardSection {
  raised: { slipping: number; silent: number };
  resolved: number;
  /** Value at risk from which a customer counts as valuable for `slipping`. */
  valueCutoff: number | null;
  effect: AlertEffect;
  summary: string[];
  /** Where the step's time went. */
  timingsMs?: Record<string, number>;
}

export async function alertsAfterRefresh(ctx: Context, input: RefreshAlertInput): Promise<AlertCardSection | undefined> {
  try {
    return await evaluate(ctx, input);
  } catch (err) {
    ctx.log.error('owner alerts could not be evaluated after the refresh; the refresh itself is done', { runId: input.runId, error: err });
    return undefined;
  }
}

async function evaluate(ctx: Context, x: RefreshAlertInput): Promise<AlertCardSection> {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    timings[name] = Math.round(t - mark);
    mark = t;
  };
  const db = ctx.store.db;
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  const settings = await currentAlertSettings(db);
  const h = x.snapshot.histories;
  const n = h.customerIds.length;
  const s = x.state.summaries;
  const { risk, valueAtRisk } = x.score.scores();
  const usualGap = new Float64Array(n);
  for (let i = 0; i < n; i++) usualGap[i] = x.state.cadence.usualGapDays[i]!;
  const worth = new Float64Array(n);
  for (let i = 0; i < n; i++) worth[i] = Number.isFinite(x.models.clv12[i]!) ? x.models.clv12[i]! : s.revenue[i]!;
  const previousDay = await previousRunDay(db, x.runId);
  const { candidates, valueCutoff, worthCutoff } = evaluateAlerts(
    {
      asOfDay: x.asOf,
      previousAsOfDay: previousDay !== undefined && previousDay <= x.asOf ? previousDay : null,
      risk,
      previousRisk: x.snapshot.previous.churnRisk,
      previousKnown: x.snapshot.previous.known,
      valueAtRisk,
      worth,
      purchaseDays: s.purchaseDays,
      lastPurchaseDay: s.lastPurchaseDay,
      usualGap,
    },
    settings,
  );
  await saveAlertCutoffs(db, { runId: x.runId, worth: worthCutoff, valueAtRisk: valueCutoff, topShare: settings.topShare });
  lap('evaluate');

  // Raise: the figures as of this refresh, the drivers as the live insights word them.
  const drivers = await driversOf(db, [...new Set(candidates.filter((c) => c.kind === 'slipping').map((c) => h.customerIds[c.index]!))]);
  const rows: NewAlert[] = candidates.map(({ index: i, kind }) => {
    const owner = h.owners[i] ?? null;
    const bought = s.purchaseDays[i]! > 0;
    const details: AlertDetails =
      kind === 'slipping'
        ? { drivers: parseDrivers(drivers.get(h.customerIds[i]!) ?? null), threshold: settings.risk, topShare: settings.topShare }
        : { silentDays: x.asOf - s.lastPurchaseDay[i]!, usualGapDays: usualGap[i]!, silentGaps: settings.silentGaps, topShare: settings.topShare };
    return {
      customer_id: h.customerIds[i]!,
      kind,
      owner,
      owner_key: owner ? ownerKey(owner) || null : null,
      raised_at: nowIso,
      raised_by: `refresh #${x.runId}`,
      run_id: x.runId,
      as_of_day: x.asOf,
      last_purchase_day: bought ? s.lastPurchaseDay[i]! : null,
      churn_risk: finite(risk[i]!),
      previous_risk: finite(x.snapshot.previous.churnRisk[i]!),
      value_at_risk: finite(round2(valueAtRisk[i]!)),
      worth: finite(round2(worth[i]!)),
      feedback_id: null,
      details: JSON.stringify(details),
    };
  });
  const raised = await raiseAlerts(ctx.store, rows, nowIso);
  const raisedIds = new Set(raised.map((a) => a.alert_id));
  lap('raise');

  // Episodes that ended, the alerts still without a control and the customers "does it help?"
  // follows: one read, then each customer's place in the refresh's arrays.
  const windowStart = new Date(now.getTime() - EFFECT_WINDOW_DAYS * MS_PER_DAY).toISOString();
  const controlSince = new Date(now.getTime() - 7 * MS_PER_DAY).toISOString();
  const followed = await alertsToFollow(db, windowStart);
  const open = followed.filter((a) => a.state !== 'resolved' && !raisedIds.has(a.alert_id));
  const needControl = followed.filter((a) => a.raised_at >= controlSince && a.control_customer === null);
  const effect = followed.filter((a) => a.raised_at >= windowStart);
  const controls = effect.flatMap((e) => (e.control_customer ? [e.control_customer] : []));
  const indexOf = customerIndex(h.customerIds, [...followed.map((a) => a.customer_id), ...controls]);
  // Alerted customers (raised in the window, or still open) are never anyone's control.
  const excluded = new Uint8Array(n);
  for (const a of followed) {
    const i = indexOf.get(a.customer_id);
    if (i !== undefined) excluded[i] = 1;
  }
  lap('read alerts');

  const expiry = new Date(now.getTime() - ALERT_EXPIRY_DAYS * MS_PER_DAY).toISOString();
  const ended: Resolution[] = [];
  for (const a of open) {
    const i = indexOf.get(a.customer_id);
    if (i !== undefined && s.purchaseDays[i]! > 0 && s.lastPurchaseDay[i]! > (a.last_purchase_day ?? -Infinity)) ended.push({ alert_id: a.alert_id, resolution: 'bought again' });
    else if (i !== undefined && a.kind === 'slipping' && risk[i]! < settings.risk) ended.push({ alert_id: a.alert_id, resolution: 'risk fell' });
    else if (a.raised_at < expiry) ended.push({ alert_id: a.alert_id, resolution: 'expired' });
  }
  const resolved = await resolveAlerts(db, ended, nowIso);
  lap('resolve');

  // Controls: for each new alert, one customer like it who has no alert.
  const requests = needControl.flatMap((a) => {
    const i = indexOf.get(a.customer_id);
    const r = a.churn_risk ?? (i !== undefined ? risk[i]! : NaN);
    const v = a.value_at_risk ?? (i !== undefined ? valueAtRisk[i]! : NaN);
    return Number.isFinite(r) && Number.isFinite(v) ? [{ alertId: a.alert_id, risk: r, valueAtRisk: v }] : [];
  });
  const cuts = valueDeciles(valueAtRisk, x.runId);
  const picked = pickControls(requests, risk, valueAtRisk, (i) => excluded[i] === 0, cuts, x.runId);
  await insertControls(
    ctx.store,
    [...picked].map(([alertId, i]) => ({
      alert_id: alertId,
      customer_id: h.customerIds[i]!,
      run_id: x.runId,
      as_of_day: x.asOf,
      last_purchase_day: s.purchaseDays[i]! > 0 ? s.lastPurchaseDay[i]! : null,
      churn_risk: finite(risk[i]!),
      value_at_risk: finite(round2(valueAtRisk[i]!)),
    })),
  );
  lap('controls');

  // Does it help: did the customer buy within 30 days after the day the alert's figures are as of?
  const boughtWithin = (id: string | null, day: number | null): boolean | null => {
    if (id === null || day === null || day + FOLLOW_UP_DAYS > x.asOf) return null;
    const i = indexOf.get(id);
    if (i === undefined) return false;
    for (let k = h.offsets[i]!; k < h.offsets[i + 1]!; k++) {
      const d = h.days[k]!;
      if (d > day && d <= day + FOLLOW_UP_DAYS && h.amounts[k]! >= 0) return true;
    }
    return false;
  };
  const stats = alertEffect(
    effect.map((e) => {
      const alertedBought = boughtWithin(e.customer_id, e.as_of_day);
      return {
        kind: e.kind,
        claimed: e.claimed_at !== null,
        snoozed: e.snoozes > 0,
        escalated: e.escalated_at !== null,
        alertedBought,
        ...(e.control_customer !== null && alertedBought !== null ? { controlBought: boughtWithin(e.control_customer, e.control_as_of_day) } : {}),
      };
    }),
  );
  lap('effect');
  const counts = { slipping: raised.filter((a) => a.kind === 'slipping').length, silent: raised.filter((a) => a.kind === 'silent').length };
  ctx.log.info('owner alerts evaluated', { runId: x.runId, raised: counts, resolved, controls: picked.size, timings });
  return { raised: counts, resolved, valueCutoff: Number.isFinite(valueCutoff) ? round2(valueCutoff) : null, effect: stats, summary: describeEffect(stats), timingsMs: timings };
}

/**
 * Where each of `ids` sits in the refresh's customer list. The list comes sorted from the store, so
 * a binary search finds each one without a pass over a million ids; any it misses (a collation of
 * PostgreSQL's that sorts otherwise than JavaScript compares, a customer no longer there) are looked
 * for in one pass.
 */
function customerIndex(customerIds: readonly string[], ids: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const missed = new Set<string>();
  for (const id of ids) {
    if (out.has(id) || missed.has(id)) continue;
    let lo = 0;
    let hi = customerIds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const here = customerIds[mid]!;
      if (here === id) {
        out.set(id, mid);
        break;
      }
      if (here < id) lo = mid + 1;
      else hi = mid - 1;
    }
    if (lo > hi) missed.add(id);
  }
  if (missed.size > 0) {
    customerIds.forEach((id, i) => {
      if (missed.has(id)) out.set(id, i);
    });
  }
  return out;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
const round2 = (v: number) => Math.round(v * 100) / 100;
