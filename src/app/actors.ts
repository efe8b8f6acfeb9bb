// Chat identities → Pulse users (name, email, role). Roles come from the users table; identities in
// PULSE_ADMINS are admins; everyone else is a rep.
import os from 'node:os';
import type { Actor, Context, Role } from '../core/context.ts';
import { getUser, upsertUser } from '../db/users.ts';

const ROLES: readonly Role[] = ['rep', 'manager', 'admin'];

export async function resolveActor(ctx: Context, userId: string, profile: { name?: string; email?: string } = {}): Promise<Actor> {
  const stored = await getUser(ctx.store.db, userId);
  if (profile.name || profile.email) {
    if (!stored || stored.name !== (profile.name ?? null) || stored.email !== (profile.email ?? null)) {
      await upsertUser(ctx.store.db, { user_id: userId, name: profile.name ?? null, email: profile.email ?? null }, ctx.clock.now());
    }
  }
  const storedRole = ROLES.includes(stored?.role as Role) ? (stored!.role as Role) : 'rep';
  const role: Role = ctx.config.admins.includes(userId) ? 'admin' : storedRole;
  const actor: Actor = { id: userId, role };
  const name = profile.name ?? stored?.name ?? undefined;
  const email = profile.email ?? stored?.email ?? undefined;
  if (name) actor.name = name;
  if (email) actor.email = email;
  return actor;
}

/** Whoever runs the terminal is its admin. */
export function consoleActor(): Actor {
  let name = 'console';
  try {
    name = os.userInfo().username || name;
  } catch {
    /* no passwd entry in some containers */
  }
  return { id: `console:${name}`, name, role: 'admin' };
}
