// Pulse users: chat identities with a name, an email and a role.
import type { Kysely } from 'kysely';
import type { Database, UserRow } from './schema.ts';

export async function getUser(db: Kysely<Database>, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function upsertUser(db: Kysely<Database>, user: { user_id: string; name: string | null; email: string | null; role?: string }, now: Date): Promise<void> {
  await db
    .insertInto('users')
    .values({ user_id: user.user_id, name: user.name, email: user.email, role: user.role ?? 'rep', updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ name: user.name, email: user.email, updated_at: now.toISOString() }))
    .execute();
}

/** Sets someone's role, whether or not Pulse has seen them yet (their name arrives with their first command). */
export async function setRole(db: Kysely<Database>, userId: string, role: string, now: Date): Promise<void> {
  await db
    .insertInto('users')
    .values({ user_id: userId, name: null, email: null, role, updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ role, updated_at: now.toISOString() }))
    .execute();
}

/** Everyone with more than the rep role, admins first. */
export async function privilegedUsers(db: Kysely<Database>): Promise<UserRow[]> {
  const rows = await db.selectFrom('users').selectAll().where('role', 'in', ['manager', 'admin']).orderBy('user_id').execute();
  return rows.sort((a, b) => (a.role === b.role ? 0 : a.role === 'admin' ? -1 : 1));
}

/** The names stored for these identities. */
export async function userNames(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['user_id', 'name']).where('user_id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.filter((r) => r.name).map((r) => [r.user_id, r.name!]));
}
