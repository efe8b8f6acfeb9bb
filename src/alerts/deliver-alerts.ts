// The alert half of a tick: first the changes time brings (snoozes that ran out are raised again,
// alerts unclaimed for too long are escalated, once), then every alert message that is due, through
// the same outbox as digests (claim, mark attempted with its route, post with the delivery key —
// looking first for an earlier attempt's message — record the id). Only a process that can post to
// a chat platform takes alert messages; the others leave them to the bot.
import type { Context } from '../core/context.ts';
import { userNames } from '../db/users.ts';
import { recordAudit } from '../db/audit.ts';
import {
  claimAlertDelivery,
  deferAlertDelivery,
  finishAlertDelivery,
  getAlertDelivery,
  markAlertDeliveryAttempted,
  takeableAlertDeliveries,
  type AlertDeliveryRow,
} from '../db/alert-deliveries.ts';
import type { AlertKind, AlertPurpose } from '../db/alert-schema.ts';
import { escalateDue, getAlert, markNotified, wakeSnoozed, type AlertRow } from '../db/alerts.ts';
import { getCustomer } from '../db/customers.ts';
import { getInsight } from '../db/insights.ts';
import type { DigestPlatform } from '../db/schema.ts';
import { deliverOnce, inPool, type OutboxEnv, type OutboxItem, type OutboxResult, type Prepared } from '../digests/outbox.ts';
import { currentAlertSettings } from './current-settings.ts';
import { alertButtons, alertReply, type AlertView } from './message.ts';
import { quietUntil } from './quiet-hours.ts';
import { alertDestination, escalationDestination, ownerIdentity, teamDestination, type RouteAnswer } from './routing.ts';
import type { AlertSettings } from './settings.ts';

/** One alert message's outcome in a tick: the outbox's result, and which alert it was. */
export interface AlertDeliveryReport extends Omit<OutboxResult, 'waitedMs'> {
  alertId: number;
  /** `12:raise`, `12:escalate`, … */
  key: string;
  purpose: AlertPurpose;
  kind: AlertKind;
  customerId: string;
  attempt: number;
}

/** Who posts alerts, as the audit log names it. */
export const ALERT_ACTOR = 'pulse:alerts';

/** A route missing, or a message waiting for its parent: looked at again this much later. */
const WAIT_MS = 5 * 60_000;
/** What platforms answer when a direct message cannot be delivered at all. */
const DM_REFUSED = /Cannot send messages to this user|\b50007\b|cannot_dm|user_disabled|account_inactive|user_not_found/i;
const PARENT_WAIT_MS = 60_000;

export interface AlertTickOptions {
  processId: string;
  installId: string;
  leaseCutoff: () => string;
}

export async function deliverAlerts(ctx: Context, env: OutboxEnv, opts: AlertTickOptions): Promise<AlertDeliveryReport[]> {
  // A process that cannot post to any chat platform leaves alert messages to one that can.
  if ((env.poster.platforms?.() ?? []).length === 0) return [];
  const db = ctx.store.db;
  const nowIso = env.now.toISOString();
  const settings = await currentAlertSettings(db);
  await wakeSnoozed(db, nowIso);
  if (settings.escalateAfterMs !== null && (settings.managers ?? settings.channel)) await escalateDue(db, settings.escalateAfterMs, env.now);
  const rows = await takeableAlertDeliveries(db, nowIso, opts.leaseCutoff());
  const reports: AlertDeliveryReport[] = [];
  await inPool(rows, Math.max(1, env.policy.concurrency), async (row) => {
    if (!(await claimAlertDelivery(db, row.delivery_key, opts.processId, env.leaseNow().toISOString(), opts.leaseCutoff()))) return;
    const alert = await getAlert(db, row.alert_id);
    if (!alert) {
      await finishAlertDelivery(db, row.delivery_key, opts.processId, { status: 'skipped', error: 'the alert is gone' }, ctx.clock.now().toISOString());
      return;
    }
    const report = await deliverOne(ctx, env, opts, settings, row, alert);
    reports.push(report);
    await audit(ctx, report);
  });
  return reports.sort((a, b) => a.alertId - b.alertId || a.key.localeCompare(b.key));
}

async function deliverOne(ctx: Context, env: OutboxEnv, opts: AlertTickOptions, settings: AlertSettings, row: AlertDeliveryRow, alert: AlertRow): Promise<AlertDeliveryReport> {
  const db = ctx.store.db;
  const key = row.delivery_key;
  const attempt = row.attempts + 1;
  const item: OutboxItem = {
    what: 'alert',
    deliveryKey: `${opts.installId}/alert/${key}`,
    attempt,
    attemptedAt: row.attempted_at,
    logFields: { alert: alert.alert_id, delivery: key },
    markAttempted: (now, m) => markAlertDeliveryAttempted(db, key, opts.processId, { platform: m.platform, channel: m.channel, direct: m.direct === true, threadOf: m.threadOf ?? null }, now),
    finish: async (outcome, now) => {
      const ok = await finishAlertDelivery(db, key, opts.processId, outcome, now);
      if (ok && outcome.status === 'posted' && (row.purpose === 'raise' || row.purpose === 'reraise')) await markNotified(db, alert.alert_id, outcome.posted_at ?? now);
      return ok;
    },
    defer: (until, why, now) => deferAlertDelivery(db, key, opts.processId, until, why, now),
  };
  const r = await deliverOnce(ctx, env, item, () => prepare(ctx, env, settings, row, alert));
  return {
    alertId: alert.alert_id,
    key,
    purpose: row.purpose,
    kind: alert.kind,
    customerId: alert.customer_id,
    attempt,
    result: r.result,
    ...(r.platform ? { platform: r.platform } : {}),
    ...(r.channel ? { channel: r.channel } : {}),
    ...(r.messageId ? { messageId: r.messageId } : {}),
    ...(r.found ? { found: true } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.nextAttemptAt ? { nextAttemptAt: r.nextAttemptAt } : {}),
  };
}

/** What this delivery posts and where — or why it is skipped, or must wait. */
async function prepare(ctx: Context, env: OutboxEnv, settings: AlertSettings, row: AlertDeliveryRow, alert: AlertRow): Promise<Prepared> {
  const purpose = row.purpose;
  if ((purpose === 'raise' || purpose === 'reraise') && alert.state === 'resolved') return { skip: 'the alert was resolved before this was posted' };
  if (purpose === 'reraise' && alert.state === 'snoozed') return { skip: 'snoozed again before the reminder was posted' };
  if (purpose === 'escalate' && alert.state !== 'open') return { skip: `${alert.state} before the escalation was posted` };
  const view = await viewOf(ctx, alert, purpose);
  const reply = alertReply(purpose, view);
  const buttons = purpose === 'recover' || purpose === 'claimed' || alert.state === 'resolved' ? undefined : alertButtons(alert);
  const later = (ms: number, why: string): Prepared => ({ defer: { until: new Date(env.now.getTime() + ms), why } });

  // The owner's DMs refused the message outright (Discord 50007, an inactive Slack account): nothing
  // reached them, so the team's channel gets it instead.
  const refusedDirect = row.direct === 1 && row.error !== null && DM_REFUSED.test(row.error) && (purpose === 'raise' || purpose === 'reraise');
  // Once attempted, the route is fixed: a takeover must look for the message where it went.
  if (row.attempted_at && row.platform && row.channel && !refusedDirect) {
    return { platform: row.platform as DigestPlatform, channel: row.channel, direct: row.direct === 1, reply, ...(row.thread_of ? { threadOf: row.thread_of } : {}), ...(buttons ? { buttons } : {}) };
  }
  let route: RouteAnswer;
  let threadOf: string | undefined;
  if (refusedDirect) route = teamDestination(ctx, env.poster, settings);
  else if (purpose === 'raise' || purpose === 'reraise') route = await alertDestination(ctx, env.poster, settings, alert);
  else if (purpose === 'escalate') {
    route = escalationDestination(ctx, env.poster, settings);
    // The alert is already in that channel: the escalation goes into its thread instead.
    const raise = await getAlertDelivery(ctx.store.db, `${alert.alert_id}:raise`);
    if ('to' in route && raise?.message_id && raise.platform === route.to.platform && raise.channel === route.to.channel) threadOf = raise.message_id;
  } else {
    // Replies go into the thread of the alert's message (recover:escalation, claimed:escalation: the escalation's).
    const parentKey = row.delivery_key.endsWith(':escalation') ? `${alert.alert_id}:escalate` : `${alert.alert_id}:raise`;
    const parent = await getAlertDelivery(ctx.store.db, parentKey);
    if (!parent) return { skip: 'there is no message to reply to' };
    if (parent.purpose === 'escalate' && parent.thread_of) return { skip: "the escalation is in the alert's own thread, which gets the reply" };
    if (!parent.message_id) {
      if (parent.status === 'pending' || parent.status === 'claimed' || parent.status === 'retrying') return later(PARENT_WAIT_MS, "waiting for the alert's own message");
      return { skip: 'the alert itself was never posted' };
    }
    if (purpose === 'claimed' && parent.direct === 1) return { skip: 'the owner claimed it in their direct messages: nobody else to tell' };
    threadOf = parent.message_id;
    const timeZone = parent.direct === 1 ? await ownerZone(ctx, env, alert) : ctx.config.timeZone;
    route = { to: { platform: parent.platform as DigestPlatform, channel: parent.channel!, direct: parent.direct === 1, timeZone, label: 'thread' } };
  }
  if ('wait' in route) return later(WAIT_MS, route.wait);
  const to = route.to;
  const quiet = to.direct ? quietUntil(env.now.getTime(), to.timeZone, settings.quietHours) : undefined;
  if (quiet !== undefined) return { defer: { until: new Date(quiet), why: `quiet hours in ${to.timeZone}` } };
  return { platform: to.platform, channel: to.channel, direct: to.direct, reply, ...(threadOf ? { threadOf } : {}), ...(buttons ? { buttons } : {}) };
}

async function viewOf(ctx: Context, alert: AlertRow, purpose: AlertPurpose): Promise<AlertView> {
  const db = ctx.store.db;
  const customer = await getCustomer(db, alert.customer_id);
  const view: AlertView = { alert, name: customer?.name ?? null, company: customer?.company ?? null, currency: ctx.config.currency };
  if (alert.feedback_id) {
    const fb = await db.selectFrom('feedback').select('comment').where('feedback_id', '=', alert.feedback_id).executeTakeFirst();
    view.comment = fb?.comment ?? null;
  }
  if (purpose === 'claimed' && alert.claimed_by) view.claimedBy = (await userNames(db, [alert.claimed_by])).get(alert.claimed_by) ?? alert.claimed_by;
  if (purpose === 'escalate' && alert.notified_at) view.unclaimedMs = ctx.clock.now().getTime() - Date.parse(alert.notified_at);
  if (purpose === 'recover') {
    const insight = await getInsight(db, alert.customer_id);
    view.lastPurchaseDay = insight?.last_day ?? null;
    view.currentRisk = insight?.churn_risk ?? null;
  }
  return view;
}

async function ownerZone(ctx: Context, env: OutboxEnv, alert: AlertRow): Promise<string> {
  if (!alert.owner || !alert.owner_key) return ctx.config.timeZone;
  const who = await ownerIdentity(ctx, env.poster, alert.owner, alert.owner_key, alert.customer_id).catch(() => undefined);
  return who?.timeZone ?? ctx.config.timeZone;
}

/** Posts, skips and failures go to the audit log (retries and waits are not outcomes yet). */
async function audit(ctx: Context, r: AlertDeliveryReport): Promise<void> {
  if (r.result === 'retrying' || r.result === 'lost' || r.result === 'deferred') return;
  await recordAudit(ctx.store.db, {
    at: ctx.clock.now().toISOString(),
    actorId: ALERT_ACTOR,
    platform: r.platform ?? 'none',
    ...(r.platform && r.channel ? { channel: `${r.platform}:${r.channel}` } : {}),
    command: `alert ${r.purpose}`,
    outcome: r.result === 'posted' ? 'ok' : r.result,
    detail: `#${r.alertId} ${r.kind}${r.messageId ? ` message ${r.messageId}` : ''}${r.found ? ' (found from an earlier attempt)' : ''}`,
  }).catch((err: unknown) => ctx.log.warn('audit entry could not be written', { command: 'alert post', error: err }));
}
