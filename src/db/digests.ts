// Digest subscriptions, the delivery outbox, and the reads the at-risk digest needs.
//
// Exactly once per (subscription, period): a process owns a period only by winning an INSERT on
// the outbox's primary key, or — for a retry — by winning a conditional UPDATE that only matches a
// row nobody holds (lease expired, or a retry whose time has come) and that has no message id. Both
// are single statements, atomic on SQLite and on PostgreSQL (which re-checks the WHERE of an UPDATE
// after waiting for a concurrent writer's row lock).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, DeliveryStatus, DigestDeliveriesTable, DigestKind, DigestPlatform, DigestSubscriptionsTable } from './schema.ts';

export type SubscriptionRow = Selectable<DigestSubscriptionsTable>;
export type DeliveryRow = Selectable<DigestDeliveriesTable>;

export interface NewSubscription {
  platform: DigestPlatform;
  channel: string;
  kind: DigestKind;
  schedule: string;
  time_zone: string;
  owner: string | null;
  segment: string | null;
  skip_if_empty: boolean;
  created_by: string;
  created_at: string;
}

/** Stores a subscription under the next free number (`/digest unsubscribe 3` is easy to type). */
export async function insertSubscription(db: Kysely<Database>, s: NewSubscription): Promise<SubscriptionRow> {
  for (let attempt = 0; ; attempt++) {
    const last = await db.selectFrom('digest_subscriptions').select((eb) => eb.fn.max('subscription_id').as('id')).executeTakeFirst();
    const row: SubscriptionRow = { ...s, subscription_id: Number(last?.id ?? 0) + 1, skip_if_empty: s.skip_if_empty ? 1 : 0, active: 1, ended_by: null, ended_at: null };
    const res = await db.insertInto('digest_subscriptions').values(row).onConflict((oc) => oc.column('subscription_id').doNothing()).executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 1) return row;
    // Another process took that number between our read and our insert: take the next one.
    if (attempt >= 5) throw new Error('Could not allocate a digest subscription id');
  }
}

export async function getSubscription(db: Kysely<Database>, id: number): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('digest_subscriptions').selectAll().where('subscription_id', '=', id).executeTakeFirst();
}

export async function listSubscriptions(db: Kysely<Database>, opts: { activeOnly?: boolean } = {}): Promise<SubscriptionRow[]> {
  let q = db.selectFrom('digest_subscriptions').selectAll().orderBy('subscription_id');
  if (opts.activeOnly !== false) q = q.where('active', '=', 1);
  return q.execute();
}

/** Ends a subscription (its deliveries stay for `/digest history`); false when it was not active. */
export async function endSubscription(db: Kysely<Database>, id: number, by: string, at: string): Promise<boolean> {
  const res = await db.updateTable('digest_subscriptions').set({ active: 0, ended_by: by, ended_at: at }).where('subscription_id', '=', id).where('active', '=', 1).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  // A retry still waiting will never run now: say so in history instead of leaving it "retrying".
  await db.updateTable('digest_deliveries').set({ status: 'skipped', error: 'unsubscribed before it could be posted', next_attempt_at: null, updated_at: at }).where('subscription_id', '=', id).where('status', '=', 'retrying').execute();
  return true;
}

/** The newest period in the outbox of each subscription, whatever its status. */
export async function lastPeriodKeys(db: Kysely<Database>): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('digest_deliveries')
    .select((eb) => ['subscription_id', eb.fn.max('period_key').as('period_key')])
    .groupBy('subscription_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.subscription_id), String(r.period_key)]));
}

export interface DeliveryKey {
  subscription_id: number;
  period_key: string;
}

/** The claim of a new period: true when this INSERT created the row, false when the period is taken. */
export async function claimNewDelivery(db: Kysely<Database>, d: DeliveryKey & { scheduled_for: string; late: boolean; claimed_by: string; now: string }): Promise<boolean> {
  const res = await db
    .insertInto('digest_deliveries')
    .values({
      subscription_id: d.subscription_id,
      period_key: d.period_key,
      scheduled_for: d.scheduled_for,
      status: 'claimed',
      late: d.late ? 1 : 0,
      attempts: 1,
      claimed_at: d.now,
      claimed_by: d.claimed_by,
      next_attempt_at: null,
      message_id: null,
      posted_at: null,
      error: null,
      updated_at: d.now,
    })
    .onConflict((oc) => oc.columns(['subscription_id', 'period_key']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Deliveries of active subscriptions that may be taken over: a retry whose time has come, or a claim whose lease ran out. */
export async function reclaimableDeliveries(db: Kysely<Database>, now: string, leaseCutoff: string): Promise<DeliveryRow[]> {
  return db
    .selectFrom('digest_deliveries as d')
    .innerJoin('digest_subscriptions as s', 's.subscription_id', 'd.subscription_id')
    .selectAll('d')
    .where('s.active', '=', 1)
    .where('d.message_id', 'is', null)
    .where((eb) => eb.or([eb.and([eb('d.status', '=', 'retrying'), eb('d.next_attempt_at', '<=', now)]), eb.and([eb('d.status', '=', 'claimed'), eb('d.claimed_at', '<=', leaseCutoff)])]))
    .orderBy('d.period_key')
    .execute();
}

/** Takes over a reclaimable delivery; true when this UPDATE won it. */
export async function reclaimDelivery(db: Kysely<Database>, key: DeliveryKey, claimedBy: string, now: string, leaseCutoff: string): Promise<boolean> {
  const res = await db
    .updateTable('digest_deliveries')
    .set((eb) => ({ status: 'claimed', claimed_by: claimedBy, claimed_at: now, attempts: eb('attempts', '+', 1), next_attempt_at: null, updated_at: now }))
    .where('subscription_id', '=', key.subscription_id)
    .where('period_key', '=', key.period_key)
    .where('message_id', 'is', null)
    .where((eb) => eb.or([eb.and([eb('status', '=', 'retrying'), eb('next_attempt_at', '<=', now)]), eb.and([eb('status', '=', 'claimed'), eb('claimed_at', '<=', leaseCutoff)])]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Extends this process's claim (true) — or finds it was taken over or finished (false). */
export async function renewClaim(db: Kysely<Database>, key: DeliveryKey, claimedBy: string, now: string): Promise<boolean> {
  const res = await db
    .updateTable('digest_deliveries')
    .set({ claimed_at: now, updated_at: now })
    .where('subscription_id', '=', key.subscription_id)
    .where('period_key', '=', key.period_key)
    .where('claimed_by', '=', claimedBy)
    .where('status', '=', 'claimed')
    .where('message_id', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export interface DeliveryOutcome {
  status: Exclude<DeliveryStatus, 'claimed'>;
  message_id?: string | null;
  posted_at?: string | null;
  next_attempt_at?: string | null;
  error?: string | null;
}

/** Records how a claimed delivery ended; only its current holder may (false: the claim was lost). */
export async function finishDelivery(db: Kysely<Database>, key: DeliveryKey, claimedBy: string, outcome: DeliveryOutcome, now: string): Promise<boolean> {
  const res = await db
    .updateTable('digest_deliveries')
    .set({ ...outcome, updated_at: now })
    .where('subscription_id', '=', key.subscription_id)
    .where('period_key', '=', key.period_key)
    .where('claimed_by', '=', claimedBy)
    .where('status', '=', 'claimed')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function getDelivery(db: Kysely<Database>, key: DeliveryKey): Promise<DeliveryRow | undefined> {
  return db.selectFrom('digest_deliveries').selectAll().where('subscription_id', '=', key.subscription_id).where('period_key', '=', key.period_key).executeTakeFirst();
}

/** The last period before `periodKey` that was delivered or deliberately skipped (the "since" of an at-risk digest). */
export async function previousDelivery(db: Kysely<Database>, subscriptionId: number, periodKey: string): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('digest_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('period_key', '<', periodKey)
    .where('status', 'in', ['posted', 'skipped'])
    .orderBy('period_key', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface DeliveryWithSubscription extends DeliveryRow {
  kind: DigestKind;
  platform: DigestPlatform;
  channel: string;
  time_zone: string;
}

export async function recentDeliveries(db: Kysely<Database>, limit: number, subscriptionId?: number): Promise<DeliveryWithSubscription[]> {
  let q = db
    .selectFrom('digest_deliveries as d')
    .innerJoin('digest_subscriptions as s', 's.subscription_id', 'd.subscription_id')
    .selectAll('d')
    .select(['s.kind', 's.platform', 's.channel', 's.time_zone'])
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.period_key', 'desc')
    .limit(limit);
  if (subscriptionId !== undefined) q = q.where('d.subscription_id', '=', subscriptionId);
  return (await q.execute()) as DeliveryWithSubscription[];
}

// ---- what the at-risk digest reads ------------------------------------------------------------

export interface DigestFilter {
  owner?: string | null;
  segment?: string | null;
}

export const SLIPPING_STAGES = ['at-risk', 'churned'] as const;

export interface EntrantWindow {
  /** Transitions written by refreshes that finished after this instant (the previous digest)… */
  since: string;
  /** …about days on or before this one. */
  untilDay: number;
}

/**
 * Customers who moved into at-risk or churned within the window and are still there, from the
 * lifecycle log every refresh appends to.
 */
function entrants(db: Kysely<Database>, f: DigestFilter, w: EntrantWindow) {
  let q = db
    .selectFrom('insights as i')
    .innerJoin('customers as c', 'c.customer_id', 'i.customer_id')
    .where('i.lifecycle_stage', 'in', [...SLIPPING_STAGES])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('lifecycle_transitions as t')
          .select('t.customer_id')
          .whereRef('t.customer_id', '=', 'i.customer_id')
          .where('t.to_stage', 'in', [...SLIPPING_STAGES])
          // By run, not by day: a refresh later on the day of a digest is news for the next one.
          .where('t.run_id', 'in', eb.selectFrom('model_runs').select('run_id').where('finished_at', '>', w.since))
          .where('t.as_of_day', '<=', w.untilDay),
      ),
    );
  if (f.owner) q = q.where(sql`lower(c.owner)`, '=', f.owner.toLowerCase());
  if (f.segment) q = q.where(sql`lower(i.segment)`, '=', f.segment.toLowerCase());
  return q;
}

export interface EntrantRow {
  customer_id: string;
  name: string | null;
  owner: string | null;
  lifecycle_stage: string;
  lifecycle_reason: string | null;
  churn_risk: number | null;
  churn_drivers: string | null;
  value_at_risk: number | null;
}

export async function newAtRiskEntrants(db: Kysely<Database>, f: DigestFilter, w: EntrantWindow, limit: number): Promise<EntrantRow[]> {
  const rows = await entrants(db, f, w)
    .select(['i.customer_id', 'c.name', 'c.owner', 'i.lifecycle_stage', 'i.lifecycle_reason', 'i.churn_risk', 'i.churn_drivers', 'i.value_at_risk'])
    .orderBy(sql`coalesce(i.value_at_risk, 0)`, 'desc')
    .orderBy('i.customer_id')
    .limit(limit)
    .execute();
  return rows as EntrantRow[];
}

export interface OwnerCount {
  owner: string | null;
  count: number;
  valueAtRisk: number;
}

/** New entrants per owner (count and value at risk). */
export async function newAtRiskEntrantsByOwner(db: Kysely<Database>, f: DigestFilter, w: EntrantWindow): Promise<OwnerCount[]> {
  const rows = await entrants(db, f, w)
    .select((eb) => ['c.owner', eb.fn.countAll<number>().as('count'), eb.fn.sum<number>(eb.fn.coalesce('i.value_at_risk', sql<number>`0`)).as('value')])
    .groupBy('c.owner')
    .execute();
  return rows.map((r) => ({ owner: r.owner, count: Number(r.count), valueAtRisk: Number(r.value ?? 0) }));
}

/** Customers at or above `minRisk` per owner (count and value at risk). */
export async function highRiskByOwner(db: Kysely<Database>, f: DigestFilter, minRisk: number): Promise<OwnerCount[]> {
  let q = db
    .selectFrom('insights as i')
    .innerJoin('customers as c', 'c.customer_id', 'i.customer_id')
    .select((eb) => ['c.owner', eb.fn.countAll<number>().as('count'), eb.fn.sum<number>(eb.fn.coalesce('i.value_at_risk', sql<number>`0`)).as('value')])
    .where('i.churn_risk', '>=', minRisk)
    .groupBy('c.owner');
  if (f.owner) q = q.where(sql`lower(c.owner)`, '=', f.owner.toLowerCase());
  if (f.segment) q = q.where(sql`lower(i.segment)`, '=', f.segment.toLowerCase());
  const rows = await q.execute();
  return rows.map((r) => ({ owner: r.owner, count: Number(r.count), valueAtRisk: Number(r.value ?? 0) }));
}

/** Chat users of one platform whose name or email matches one of `names` (case-insensitively): owner → user. */
export async function chatUsersNamed(db: Kysely<Database>, platform: DigestPlatform, names: string[]): Promise<Map<string, { userId: string; name: string }>> {
  const wanted = [...new Set(names.map((n) => n.toLowerCase()))];
  if (wanted.length === 0 || platform === 'console') return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['user_id', 'name', 'email'])
    .where('user_id', 'like', `${platform}:%`)
    .where((eb) => eb.or([eb(sql`lower(name)`, 'in', wanted), eb(sql`lower(email)`, 'in', wanted)]))
    .orderBy('user_id')
    .execute();
  const out = new Map<string, { userId: string; name: string }>();
  for (const r of rows) {
    for (const key of [r.name, r.email]) {
      const k = key?.toLowerCase();
      if (k && wanted.includes(k) && !out.has(k)) out.set(k, { userId: r.user_id, name: r.name ?? r.email ?? r.user_id });
    }
  }
  return out;
}
