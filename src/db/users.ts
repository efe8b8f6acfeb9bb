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
