// Owners' chat identities (an admin's `/pulse link`, or a lookup by email, cached) and the alert
// settings an admin sets.
import type { Kysely, Selectable } from 'kysely';
import type { AlertOwnersTable } from './alert-schema.ts';
import type { Database } from './schema.ts';

export type OwnerRow = Selectable<AlertOwnersTable>;

export async function getOwner(db: Kysely<Database>, ownerKey: string): Promise<OwnerRow | undefined> {
  return db.selectFrom('alert_owners').selectAll().where('owner_key', '=', ownerKey).executeTakeFirst();
}

/** Links an owner to a chat identity (an admin's word: a lookup never overwrites it). */
export async function linkOwner(db: Kysely<Database>, row: Omit<OwnerRow, 'source'>): Promise<void> {
  const values = { ...row, source: 'link' as const };
  await db
    .insertInto('alert_owners')
    .values(values)
    .onConflict((oc) =>
      oc.column('owner_key').doUpdateSet({ owner: row.owner, platform: row.platform, user_id: row.user_id, time_zone: row.time_zone, source: 'link', linked_by: row.linked_by, checked_at: row.checked_at }),
    )
    .execute();
}

export async function unlinkOwner(db: Kysely<Database>, ownerKey: string): Promise<boolean> {
  const res = await db.deleteFrom('alert_owners').where('owner_key', '=', ownerKey).where('source', '=', 'link').executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Caches what a lookup found (or that it found nobody), unless an admin linked the owner meanwhile. */
export async function saveOwnerLookup(db: Kysely<Database>, row: OwnerRow): Promise<void> {
  await db
    .insertInto('alert_owners')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('owner_key')
        .doUpdateSet({ owner: row.owner, platform: row.platform, user_id: row.user_id, time_zone: row.time_zone, source: row.source, checked_at: row.checked_at })
        .where('alert_owners.source', '!=', 'link'),
    )
    .execute();
}

/** The zone a lookup found for a linked owner (the link itself stays as the admin set it). */
export async function setOwnerTimeZone(db: Kysely<Database>, ownerKey: string, timeZone: string): Promise<void> {
  await db.updateTable('alert_owners').set({ time_zone: timeZone }).where('owner_key', '=', ownerKey).where('time_zone', 'is', null).execute();
}

/** Whether any customer has this owner (trimmed, any case). */
export async function ownerExists(db: Kysely<Database>, ownerKey: string): Promise<boolean> {
  const r = await db.selectFrom('customers').select('customer_id').where((eb) => eb(eb.fn('lower', [eb.fn('trim', ['owner'])]), '=', ownerKey)).limit(1).executeTakeFirst();
  return r !== undefined;
}

export async function listOwners(db: Kysely<Database>): Promise<OwnerRow[]> {
  return db.selectFrom('alert_owners').selectAll().orderBy('source').orderBy('owner_key').execute();
}

/** The owners (keys) a chat identity stands for. */
export async function ownerKeysOf(db: Kysely<Database>, userId: string): Promise<string[]> {
  const [platform, id] = [userId.slice(0, userId.indexOf(':')), userId.slice(userId.indexOf(':') + 1)];
  const rows = await db.selectFrom('alert_owners').select('owner_key').where('platform', '=', platform).where('user_id', '=', id).execute();
  return rows.map((r) => r.owner_key);
}

/** A chat user whose stored name or email is this owner's (someone who has used Pulse). */
export async function chatUserForOwner(db: Kysely<Database>, ownerKey: string): Promise<{ user_id: string; email: string | null } | undefined> {
  const rows = await db
    .selectFrom('users')
    .select(['user_id', 'name', 'email'])
    .where((eb) => eb.or([eb('user_id', 'like', 'slack:%'), eb('user_id', 'like', 'discord:%')]))
    .where((eb) => eb.or([eb(eb.fn('lower', ['name']), '=', ownerKey), eb(eb.fn('lower', ['email']), '=', ownerKey)]))
    .orderBy('user_id')
    .execute();
  const r = rows.find((x) => x.user_id.startsWith('slack:')) ?? rows[0];
  return r ? { user_id: r.user_id, email: r.email } : undefined;
}

export async function alertSettingRows(db: Kysely<Database>): Promise<{ key: string; value: string; updated_by: string; updated_at: string }[]> {
  return db.selectFrom('alert_settings').selectAll().orderBy('key').execute();
}

/** Sets one setting; returns the value it replaced (undefined: the default stood), as read just before. */
export async function setAlertSetting(db: Kysely<Database>, key: string, value: string, by: string, at: string): Promise<string | undefined> {
  const before = await db.selectFrom('alert_settings').select('value').where('key', '=', key).executeTakeFirst();
  await db
    .insertInto('alert_settings')
    .values({ key, value, updated_by: by, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_by: by, updated_at: at }))
    .execute();
  return before?.value;
}
