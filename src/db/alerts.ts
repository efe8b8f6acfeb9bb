// Alerts: raising them (edge-triggered and race-safe), their states (claimed, snoozed, escalated,
// resolved), what `/alerts` lists, and the matched controls of "does it help?".
//
// An alert's identity is (customer, kind, episode), unique in the table. The episode of a new alert
// is 1 + the latest episode when that one has ended, else the latest episode itself — so while an
// alert is open every attempt to raise another names the same key and the INSERT … ON CONFLICT DO
// NOTHING does nothing, however many refreshes, feedback answers or replicas try at once.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AlertControlsTable, AlertKind, AlertPurpose, AlertState, AlertsTable } from './alert-schema.ts';
import type { Database } from './schema.ts';
import { insertControlsSqlite, raiseAlertsSqlite } from './sqlite-alerts.ts';
import { isBusy } from './sqlite-retry.ts';
import type { SqliteHandle, Store } from './store.ts';

export type AlertRow = Selectable<AlertsTable>;
export type ControlRow = Selectable<AlertControlsTable>;

/** What raising an alert knows; the id, episode and state are decided here. */
export type NewAlert = Omit<AlertRow, 'alert_id' | 'episode' | 'state' | 'claimed_by' | 'claimed_at' | 'snoozed_until' | 'snoozed_by' | 'snoozes' | 'escalated_at' | 'notified_at' | 'resolved_at' | 'resolution' | 'updated_at'>;

/** Rows per multi-row statement: 28 columns × 400 stays far below every driver's parameter limit. */
const CHUNK = 400;

/**
 * Raises each alert unless its customer already has an open one of that kind; returns the alerts
 * raised, with their raise deliveries (due `dueAt`) written in the same transaction.
 */
export async function raiseAlerts(store: Pick<Store, 'db' | 'sqlite'>, alerts: readonly NewAlert[], dueAt: string): Promise<AlertRow[]> {
  if (alerts.length === 0) return [];
  return fastOnSqlite(store, (h) => raiseAlertsSqlite(h, alerts, dueAt), () => raiseAlertsPortable(store.db, alerts, dueAt));
}

/**
 * On SQLite, `fast` (prepared statements in one transaction); otherwise — PostgreSQL, or SQLite when
 * another process held the write lock past this connection's wait (the bot waits only a few ms;
 * nothing was written then) — `portable`, whose statements wait for the lock without blocking.
 */
async function fastOnSqlite<T>(store: Pick<Store, 'db' | 'sqlite'>, fast: (h: SqliteHandle) => T, portable: () => Promise<T>): Promise<T> {
  // Not inside someone else's open transaction on this connection (a kysely one mid-await): ours
  // would join it and could be rolled back with it.
  if (store.sqlite && !(store.sqlite as { inTransaction?: boolean }).inTransaction) {
    try {
      return fast(store.sqlite);
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
  }
  return portable();
}

/** The same through kysely (PostgreSQL; SQLite when its write lock is busy). */
async function raiseAlertsPortable(db: Kysely<Database>, alerts: readonly NewAlert[], dueAt: string): Promise<AlertRow[]> {
  const raised: AlertRow[] = [];
  for (let i = 0; i < alerts.length; i += CHUNK) {
    let pending = alerts.slice(i, i + CHUNK);
    // A concurrent writer may take ids between our read of the largest and our insert: those rows
    // are tried again with new ids, unless their episode was raised meanwhile.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 10) throw new Error('could not allocate alert ids: too many concurrent writers');
      const episodes = await latestEpisodes(db, pending);
      const rows = pending.flatMap((a) => {
        const latest = episodes.get(episodeKey(a.customer_id, a.kind));
        return latest && latest.state !== 'resolved' ? [] : [{ a, episode: (latest?.episode ?? 0) + 1 }];
      });
      if (rows.length === 0) break;
      const base = await nextAlertId(db);
      const values: AlertRow[] = rows.map(({ a, episode }, k) => newAlertRow(a, base + k, episode));
      // Only rows this statement inserted come back (a taken episode or id inserts nothing): ours.
      const won = await db.transaction().execute(async (trx) => {
        const inserted = new Set<number>();
        for (const r of await trx.insertInto('alerts').values(values).onConflict((oc) => oc.doNothing()).returning('alert_id').execute()) inserted.add(Number(r.alert_id));
        const mine = values.filter((v) => inserted.has(v.alert_id));
        await insertAlertDeliveries(trx, mine.map((r) => ({ alert_id: r.alert_id, purpose: 'raise' as const, key: `${r.alert_id}:raise`, due_at: dueAt })), dueAt);
        return mine;
      });
      raised.push(...won);
      const wonKeys = new Set(won.map((r) => episodeKey(r.customer_id, r.kind)));
      pending = rows.filter(({ a }) => !wonKeys.has(episodeKey(a.customer_id, a.kind))).map(({ a }) => a);
    }
  }
  return raised;
}

/**
 * The row of a new alert, open. Spelled out rather than spread: V8 builds `{ ...a, more }` of this
 * width ~100 µs an object here — seconds for a week of alerts at a million customers.
 */
export function newAlertRow(a: NewAlert, alertId: number, episode: number): AlertRow {
  return {
    alert_id: alertId,
    customer_id: a.customer_id,
    kind: a.kind,
    episode,
    owner: a.owner,
    owner_key: a.owner_key,
    raised_at: a.raised_at,
    raised_by: a.raised_by,
    run_id: a.run_id,
    as_of_day: a.as_of_day,
    last_purchase_day: a.last_purchase_day,
    churn_risk: a.churn_risk,
    previous_risk: a.previous_risk,
    value_at_risk: a.value_at_risk,
    worth: a.worth,
    feedback_id: a.feedback_id,
    details: a.details,
    state: 'open',
    claimed_by: null,
    claimed_at: null,
    snoozed_until: null,
    snoozed_by: null,
    snoozes: 0,
    escalated_at: null,
    notified_at: null,
    resolved_at: null,
    resolution: null,
    updated_at: a.raised_at,
  };
}

const episodeKey = (customerId: string, kind: string) => `${kind}\u001f${customerId}`;

async function latestEpisodes(db: Kysely<Database>, alerts: readonly Pick<NewAlert, 'customer_id' | 'kind'>[]): Promise<Map<string, { episode: number; state: AlertState }>> {
  const out = new Map<string, { episode: number; state: AlertState }>();
  const ids = [...new Set(alerts.map((a) => a.customer_id))];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom('alerts').select(['customer_id', 'kind', 'episode', 'state']).where('customer_id', 'in', ids.slice(i, i + CHUNK)).execute();
    for (const r of rows) {
      const k = episodeKey(r.customer_id, r.kind);
      const have = out.get(k);
      if (!have || r.episode > have.episode) out.set(k, { episode: Number(r.episode), state: r.state });
    }
  }
  return out;
}

async function nextAlertId(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('alerts').select(sql<number | null>`max(alert_id)`.as('id')).executeTakeFirst();
  return Number(r?.id ?? 0) + 1;
}

export interface DeliveryToAdd {
  alert_id: number;
  purpose: AlertPurpose;
  key: string;
  due_at: string;
}

/** Adds outbox rows (a key already there stays as it is: exactly one message per key). */
export async function insertAlertDeliveries(db: Kysely<Database> | Transaction<Database>, rows: readonly DeliveryToAdd[], now: string): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK).map((d) => ({
      delivery_key: d.key,
      alert_id: d.alert_id,
      purpose: d.purpose,
      due_at: d.due_at,
      status: 'pending' as const,
      attempts: 0,
      direct: 0,
      updated_at: now,
    }));
    const res = await db.insertInto('alert_deliveries').values(chunk).onConflict((oc) => oc.column('delivery_key').doNothing()).executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0n);
  }
  return added;
}

export async function getAlert(db: Kysely<Database>, alertId: number): Promise<AlertRow | undefined> {
  return db.selectFrom('alerts').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
}

export interface Resolution {
  alert_id: number;
  /** bought again | risk fell | expired */
  resolution: string;
}

/**
 * Ends these alerts' episodes (those still unresolved), adds the "recovered" reply of each one
 * that recovered (posted in the thread of its message, if it had one), and drops what was still
 * waiting to be posted about them. Returns how many were resolved.
 */
export async function resolveAlerts(db: Kysely<Database>, list: readonly Resolution[], now: string): Promise<number> {
  let resolved = 0;
  const byResolution = new Map<string, number[]>();
  for (const r of list) byResolution.set(r.resolution, [...(byResolution.get(r.resolution) ?? []), r.alert_id]);
  for (const [resolution, ids] of byResolution) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await db.transaction().execute(async (trx) => {
        const done = await trx
          .updateTable('alerts')
          .set({ state: 'resolved', resolved_at: now, resolution, snoozed_until: null, updated_at: now })
          .where('alert_id', 'in', chunk)
          .where('state', '!=', 'resolved')
          .returning('alert_id')
          .execute();
        const ended = done.map((d) => Number(d.alert_id));
        resolved += ended.length;
        if (ended.length === 0) return;
        await trx
          .updateTable('alert_deliveries')
          .set({ status: 'skipped', error: 'the alert was resolved before this was posted', updated_at: now })
          .where('alert_id', 'in', ended)
          .where('status', 'in', ['pending', 'retrying'])
          .where('purpose', 'in', ['raise', 'reraise', 'escalate', 'claimed'])
          .execute();
        if (resolution === 'expired') return;
        await insertAlertDeliveries(
          trx,
          ended.flatMap((id) => [
            { alert_id: id, purpose: 'recover' as const, key: `${id}:recover`, due_at: now },
            { alert_id: id, purpose: 'recover' as const, key: `${id}:recover:escalation`, due_at: now },
          ]),
          now,
        );
      });
    }
  }
  return resolved;
}

export type ActionOutcome = { ok: true; alert: AlertRow } | { ok: false; alert: AlertRow | undefined };

/** Claims an unresolved alert for `actorId` (a claim of a claimed alert moves it to the new person). */
export async function claimAlert(db: Kysely<Database>, alertId: number, actorId: string, now: string): Promise<ActionOutcome> {
  const res = await db
    .updateTable('alerts')
    .set({ state: 'claimed', claimed_by: actorId, claimed_at: now, snoozed_until: null, updated_at: now })
    .where('alert_id', '=', alertId)
    .where('state', '!=', 'resolved')
    .executeTakeFirst();
  const alert = await getAlert(db, alertId);
  return Number(res.numUpdatedRows) === 1 && alert ? { ok: true, alert } : { ok: false, alert };
}

/** Snoozes an unresolved alert until `until`: no escalation meanwhile; then it is raised again. */
export async function snoozeAlert(db: Kysely<Database>, alertId: number, actorId: string, until: string, now: string): Promise<ActionOutcome> {
  const res = await db
    .updateTable('alerts')
    .set((eb) => ({ state: 'snoozed', snoozed_until: until, snoozed_by: actorId, snoozes: eb('snoozes', '+', 1), updated_at: now }))
    .where('alert_id', '=', alertId)
    .where('state', '!=', 'resolved')
    .executeTakeFirst();
  const alert = await getAlert(db, alertId);
  return Number(res.numUpdatedRows) === 1 && alert ? { ok: true, alert } : { ok: false, alert };
}

/** The owner (or channel) was told at `at`: the escalation clock starts again from there. */
export async function markNotified(db: Kysely<Database>, alertId: number, at: string): Promise<void> {
  await db.updateTable('alerts').set({ notified_at: at, updated_at: at }).where('alert_id', '=', alertId).execute();
}

/**
 * Snoozes that ran out: each alert goes back to open (or claimed, if someone had claimed it) and
 * gets a re-raise message. One conditional UPDATE per alert decides who does it.
 */
export async function wakeSnoozed(db: Kysely<Database>, now: string): Promise<AlertRow[]> {
  const due = await db.selectFrom('alerts').selectAll().where('state', '=', 'snoozed').where('snoozed_until', '<=', now).execute();
  const woken: AlertRow[] = [];
  for (const a of due) {
    const back: AlertState = a.claimed_by ? 'claimed' : 'open';
    const ok = await db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('alerts')
        // The escalation clock starts again with the reminder, not with the first message.
        .set({ state: back, snoozed_until: null, notified_at: now, updated_at: now })
        .where('alert_id', '=', a.alert_id)
        .where('state', '=', 'snoozed')
        .where('snoozed_until', '=', a.snoozed_until)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await insertAlertDeliveries(trx, [{ alert_id: a.alert_id, purpose: 'reraise', key: `${a.alert_id}:reraise:${a.snoozes}`, due_at: now }], now);
      return true;
    });
    if (ok) woken.push({ ...a, state: back, snoozed_until: null });
  }
  return woken;
}

/**
 * Open alerts nobody claimed within `afterMs` of being told: marked escalated and given their one
 * escalation message (the key makes it one, whoever marks it).
 */
export async function escalateDue(db: Kysely<Database>, afterMs: number, now: Date): Promise<AlertRow[]> {
  const cutoff = new Date(now.getTime() - afterMs).toISOString();
  const at = now.toISOString();
  const due = await db.selectFrom('alerts').selectAll().where('state', '=', 'open').where('escalated_at', 'is', null).where('notified_at', '<=', cutoff).execute();
  const escalated: AlertRow[] = [];
  for (const a of due) {
    const ok = await db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('alerts').set({ escalated_at: at, updated_at: at }).where('alert_id', '=', a.alert_id).where('state', '=', 'open').where('escalated_at', 'is', null).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await insertAlertDeliveries(trx, [{ alert_id: a.alert_id, purpose: 'escalate', key: `${a.alert_id}:escalate`, due_at: at }], at);
      return true;
    });
    if (ok) escalated.push({ ...a, escalated_at: at });
  }
  return escalated;
}

// ---- what /alerts lists -------------------------------------------------------------------------

export interface AlertListFilter {
  /** open: every alert not resolved; all: the last `sinceIso` too. */
  view: 'open' | 'all';
  sinceIso?: string;
  /** `mine`: alerts of these owners (keys), or claimed by this actor. */
  ownerKeys?: readonly string[];
  claimedBy?: string;
  limit: number;
}

export interface ListedAlert extends AlertRow {
  name: string | null;
}

export async function listAlerts(db: Kysely<Database>, f: AlertListFilter): Promise<{ rows: ListedAlert[]; total: number }> {
  let q = db.selectFrom('alerts as a').leftJoin('customers as c', 'c.customer_id', 'a.customer_id');
  if (f.view === 'open') q = q.where('a.state', '!=', 'resolved');
  else if (f.sinceIso) q = q.where((eb) => eb.or([eb('a.state', '!=', 'resolved'), eb('a.raised_at', '>=', f.sinceIso!)]));
  if (f.ownerKeys || f.claimedBy) {
    const keys = [...new Set(f.ownerKeys ?? [])].filter(Boolean);
    q = q.where((eb) => eb.or([...(keys.length ? [eb('a.owner_key', 'in', keys)] : []), ...(f.claimedBy ? [eb('a.claimed_by', '=', f.claimedBy)] : []), sql<boolean>`1 = 0`]));
  }
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await q.selectAll('a').select('c.name').orderBy('a.raised_at', 'desc').orderBy('a.alert_id', 'desc').limit(f.limit).execute();
  return { rows: rows as ListedAlert[], total: Number(total?.n ?? 0) };
}

// ---- does it help? ------------------------------------------------------------------------------

/** An alert the refresh follows up: still unresolved, or raised inside the "does it help?" window. */
export interface FollowedAlert {
  alert_id: number;
  customer_id: string;
  kind: AlertKind;
  state: AlertState;
  raised_at: string;
  as_of_day: number | null;
  last_purchase_day: number | null;
  churn_risk: number | null;
  value_at_risk: number | null;
  claimed_at: string | null;
  snoozes: number;
  escalated_at: string | null;
  /** Its matched control (null: none picked yet). */
  control_customer: string | null;
  control_as_of_day: number | null;
}

/**
 * Every alert still unresolved or raised since `sinceIso`, with its matched control, oldest first:
 * one read of only the columns the refresh needs (a full row is ~30 columns; at a million
 * customers a week raises thousands of alerts, and reading them whole, four times, took seconds).
 */
export async function alertsToFollow(db: Kysely<Database>, sinceIso: string): Promise<FollowedAlert[]> {
  const rows = await db
    .selectFrom('alerts as a')
    .leftJoin('alert_controls as k', 'k.alert_id', 'a.alert_id')
    .select(['a.alert_id', 'a.customer_id', 'a.kind', 'a.state', 'a.raised_at', 'a.as_of_day', 'a.last_purchase_day', 'a.churn_risk', 'a.value_at_risk'])
    .select(['a.claimed_at', 'a.snoozes', 'a.escalated_at', 'k.customer_id as control_customer', 'k.as_of_day as control_as_of_day'])
    .where((eb) => eb.or([eb('a.state', '!=', 'resolved'), eb('a.raised_at', '>=', sinceIso)]))
    .orderBy('a.alert_id')
    .execute();
  // Numbers converted in place (PostgreSQL hands some back as strings); no spread: see newAlertRow.
  for (const r of rows as FollowedAlert[]) {
    r.alert_id = Number(r.alert_id);
    r.snoozes = Number(r.snoozes);
    if (r.as_of_day !== null) r.as_of_day = Number(r.as_of_day);
    if (r.last_purchase_day !== null) r.last_purchase_day = Number(r.last_purchase_day);
    if (r.control_as_of_day !== null) r.control_as_of_day = Number(r.control_as_of_day);
  }
  return rows as FollowedAlert[];
}

export async function insertControls(store: Pick<Store, 'db' | 'sqlite'>, rows: readonly ControlRow[]): Promise<void> {
  if (rows.length === 0) return;
  await fastOnSqlite(
    store,
    (h) => insertControlsSqlite(h, rows),
    async () => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await store.db.insertInto('alert_controls').values(rows.slice(i, i + CHUNK)).onConflict((oc) => oc.column('alert_id').doNothing()).execute();
      }
    },
  );
}

// ---- what the refresh leaves for the feedback path -----------------------------------------------

const CUTOFFS_KEY = 'alerts.cutoffs';

export interface AlertCutoffs {
  runId: number;
  /** The smallest worth (12-month CLV, else revenue) in the top share: a detractor is valuable at or above it. */
  worth: number;
  /** The smallest value at risk in the top share. */
  valueAtRisk: number;
  topShare: number;
}

export async function saveAlertCutoffs(db: Kysely<Database>, c: AlertCutoffs): Promise<void> {
  const value = JSON.stringify(c);
  await db.insertInto('meta').values({ key: CUTOFFS_KEY, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}

export async function alertCutoffs(db: Kysely<Database>): Promise<AlertCutoffs | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', CUTOFFS_KEY).executeTakeFirst();
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as AlertCutoffs;
  } catch {
    return undefined;
  }
}

/** The churn drivers (JSON lists of sentences) the live insights hold for these customers. */
export async function driversOf(db: Kysely<Database>, customerIds: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (let i = 0; i < customerIds.length; i += CHUNK) {
    const rows = await db.selectFrom('insights').select(['customer_id', 'churn_drivers']).where('customer_id', 'in', customerIds.slice(i, i + CHUNK)).execute();
    for (const r of rows) out.set(r.customer_id, r.churn_drivers);
  }
  return out;
}

/** The previous finished refresh's as-of day (before `runId`), if any. */
export async function previousRunDay(db: Kysely<Database>, runId: number): Promise<number | undefined> {
  const r = await db.selectFrom('model_runs').select('as_of_day').where('status', '=', 'done').where('run_id', '<', runId).orderBy('run_id', 'desc').limit(1).executeTakeFirst();
  return r ? Number(r.as_of_day) : undefined;
}

export interface OwnerAlertCounts {
  owner: string | null;
  raised: number;
  claimed: number;
  escalated: number;
  recovered: number;
}

/** Alerts raised since `sinceIso` per owner (one owner's, with `ownerKey`), most first. */
export async function alertCountsByOwner(db: Kysely<Database>, sinceIso: string, ownerKey?: string | null): Promise<OwnerAlertCounts[]> {
  let q = db
    .selectFrom('alerts')
    .select((eb) => [
      eb.fn.max('owner').as('owner'),
      eb.fn.countAll<number>().as('raised'),
      eb.fn.count<number>('claimed_at').as('claimed'),
      eb.fn.count<number>('escalated_at').as('escalated'),
      eb.fn.sum<number>(eb.case().when('resolution', 'in', ['bought again', 'risk fell']).then(1).else(0).end()).as('recovered'),
    ])
    .where('raised_at', '>=', sinceIso)
    .groupBy('owner_key');
  if (ownerKey) q = q.where('owner_key', '=', ownerKey);
  const rows = await q.execute();
  return rows
    .map((r) => ({ owner: r.owner, raised: Number(r.raised), claimed: Number(r.claimed), escalated: Number(r.escalated), recovered: Number(r.recovered ?? 0) }))
    .sort((a, b) => b.raised - a.raised || String(a.owner).localeCompare(String(b.owner)));
}
