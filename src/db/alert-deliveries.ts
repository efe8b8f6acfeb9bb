// The alert outbox: one row per message (raise, re-raise, escalation, recovered and claimed replies),
// claimed and recorded exactly as digest deliveries are (see digests.ts): a row is taken by a
// conditional UPDATE that only matches a row nobody holds — pending and due, a retry whose time has
// come, or a claim whose lease ran out without a message id — so one process wins it; it is marked
// attempted (with its route, fixed from then on) just before the post, and the message id recorded.
import type { Kysely, Selectable } from 'kysely';
import type { AlertDeliveriesTable, AlertDeliveryStatus } from './alert-schema.ts';
import type { Database } from './schema.ts';

export type AlertDeliveryRow = Selectable<AlertDeliveriesTable>;

/** Rows that may be taken now, oldest due first. */
export async function takeableAlertDeliveries(db: Kysely<Database>, now: string, leaseCutoff: string, limit = 200): Promise<AlertDeliveryRow[]> {
  return db
    .selectFrom('alert_deliveries')
    .selectAll()
    .where('message_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('due_at', '<=', now)]),
        eb.and([eb('status', '=', 'retrying'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'claimed'), eb('claimed_at', '<=', leaseCutoff)]),
      ]),
    )
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** Whether any alert message is waiting to be posted now (a cheap look before loading chat clients). */
export async function anyAlertDeliveryDue(db: Kysely<Database>, now: string): Promise<boolean> {
  const r = await db.selectFrom('alert_deliveries').select('delivery_key').where('status', '=', 'pending').where('due_at', '<=', now).limit(1).executeTakeFirst();
  return r !== undefined;
}

/** Takes a row (true when this UPDATE won it). */
export async function claimAlertDelivery(db: Kysely<Database>, key: string, claimedBy: string, now: string, leaseCutoff: string): Promise<boolean> {
  const res = await db
    .updateTable('alert_deliveries')
    .set((eb) => ({ status: 'claimed', claimed_by: claimedBy, claimed_at: now, attempts: eb('attempts', '+', 1), next_attempt_at: null, updated_at: now }))
    .where('delivery_key', '=', key)
    .where('message_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('due_at', '<=', now)]),
        eb.and([eb('status', '=', 'retrying'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'claimed'), eb('claimed_at', '<=', leaseCutoff)]),
      ]),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Gives a claimed row back without counting a try: not due yet after all (quiet hours, a parent
 * message still on its way, no route yet). Only for rows never attempted.
 */
export async function deferAlertDelivery(db: Kysely<Database>, key: string, claimedBy: string, dueAt: string, why: string, now: string): Promise<boolean> {
  const res = await db
    .updateTable('alert_deliveries')
    .set((eb) => ({ status: 'pending', due_at: dueAt, claimed_by: null, claimed_at: null, attempts: eb('attempts', '-', 1), error: why, updated_at: now }))
    .where('delivery_key', '=', key)
    .where('claimed_by', '=', claimedBy)
    .where('status', '=', 'claimed')
    .where('attempted_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export interface AlertRoute {
  platform: string;
  channel: string;
  direct: boolean;
  threadOf: string | null;
}

/**
 * Renews this process's claim and marks the row attempted with its route (the first attempt's
 * time stays); true while the claim is still this process's.
 */
export async function markAlertDeliveryAttempted(db: Kysely<Database>, key: string, claimedBy: string, route: AlertRoute, now: string): Promise<boolean> {
  const res = await db
    .updateTable('alert_deliveries')
    .set((eb) => ({
      claimed_at: now,
      updated_at: now,
      attempted_at: eb.fn.coalesce('attempted_at', eb.val(now)),
      platform: route.platform,
      channel: route.channel,
      direct: route.direct ? 1 : 0,
      thread_of: route.threadOf,
    }))
    .where('delivery_key', '=', key)
    .where('claimed_by', '=', claimedBy)
    .where('status', '=', 'claimed')
    .where('message_id', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export interface AlertDeliveryOutcome {
  status: Exclude<AlertDeliveryStatus, 'claimed' | 'pending'>;
  message_id?: string | null;
  posted_at?: string | null;
  next_attempt_at?: string | null;
  error?: string | null;
}

/** Records how a claimed row ended; only its current holder may (false: the claim was lost). */
export async function finishAlertDelivery(db: Kysely<Database>, key: string, claimedBy: string, outcome: AlertDeliveryOutcome, now: string): Promise<boolean> {
  const res = await db
    .updateTable('alert_deliveries')
    .set({ ...outcome, updated_at: now })
    .where('delivery_key', '=', key)
    .where('claimed_by', '=', claimedBy)
    .where('status', '=', 'claimed')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function getAlertDelivery(db: Kysely<Database>, key: string): Promise<AlertDeliveryRow | undefined> {
  return db.selectFrom('alert_deliveries').selectAll().where('delivery_key', '=', key).executeTakeFirst();
}

export async function alertDeliveriesOf(db: Kysely<Database>, alertId: number): Promise<AlertDeliveryRow[]> {
  return db.selectFrom('alert_deliveries').selectAll().where('alert_id', '=', alertId).orderBy('due_at').orderBy('delivery_key').execute();
}

/** Rows waiting only for a route (no channel was set): due now, after an admin set one. */
export async function retryUnrouted(db: Kysely<Database>, now: string): Promise<void> {
  await db.updateTable('alert_deliveries').set({ due_at: now, updated_at: now }).where('status', '=', 'pending').where('error', 'like', 'no route%').execute();
}
