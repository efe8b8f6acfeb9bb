// The audit log: who ran which command or post, where, when and how it ended. Never arguments,
// never reply text: what a command was about stays out, so the log itself holds no personal data.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Database } from './schema.ts';

export type AuditRow = Selectable<AuditLogTable>;

export interface AuditEntry {
  at: string;
  actorId: string;
  platform: string;
  channel?: string | undefined;
  command: string;
  outcome: string;
  incidentId?: string | undefined;
  detail?: string | undefined;
}

export async function recordAudit(db: Kysely<Database>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      audit_id: `${e.at}-${randomUUID().slice(0, 8)}`,
      at: e.at,
      actor_id: e.actorId,
      platform: e.platform,
      channel: e.channel ?? null,
      command: e.command,
      outcome: e.outcome,
      incident_id: e.incidentId ?? null,
      detail: e.detail ?? null,
    })
    .execute();
}

export interface AuditFilter {
  limit: number;
  actorId?: string;
  /** Only entries whose command starts with this (`digest`, `pulse role`). */
  command?: string;
}

/** The newest entries first. */
export async function listAudit(db: Kysely<Database>, f: AuditFilter): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('audit_id', 'desc').limit(f.limit);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.command) q = q.where((eb) => eb.or([eb('command', '=', f.command!), eb('command', 'like', `${f.command!.replace(/[\\%_]/g, '')} %`)]));
  return q.execute();
}

export async function countAudit(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}
