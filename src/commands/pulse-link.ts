// `/pulse link owner:"Maya Chen" @maya [tz:Europe/Berlin]` and `/pulse links`: which chat identity an
// owner named in the customers file is — where that owner's alerts go as direct messages. The only
// way on Discord (Slack also finds owners by email). Admins link; everyone may read the links.
import { canonicalTimeZone } from '../digests/cron.ts';
import type { Context, Invocation } from '../core/context.ts';
import { ROLE_RANK } from '../core/context.ts';
import { forbidden, invalidArgs } from '../core/errors.ts';
import { parseIdentity } from '../core/identity.ts';
import type { Reply } from '../core/reply.ts';
import { recordAudit } from '../db/audit.ts';
import { linkOwner, ownerExists, unlinkOwner, type OwnerRow } from '../db/alert-owners.ts';
import { ownerKey } from '../reports/report-data.ts';

export async function linkOwnerReply(args: { owner?: string | undefined; user?: string | undefined; tz?: string | undefined }, call: Invocation, ctx: Context): Promise<Reply> {
  if (ROLE_RANK[call.actor.role] < ROLE_RANK.admin) throw forbidden(`\`/pulse link\` needs the admin role; you have ${call.actor.role}.`, '`/pulse roles` lists the admins.');
  if (!args.owner || !args.user) throw invalidArgs('Which owner, and who are they in chat? For example `/pulse link owner:"Maya Chen" @maya`.');
  const key = ownerKey(args.owner);
  const db = ctx.store.db;
  const now = ctx.clock.now().toISOString();
  const audit = (outcome: string, detail: string) =>
    recordAudit(db, { at: now, actorId: call.actor.id, platform: call.platform, channel: call.channel, command: 'owner link', outcome, detail });
  if (/^(off|none|clear|remove)$/i.test(args.user)) {
    const removed = await unlinkOwner(db, key);
    if (removed) await audit('ok', `${args.owner} → none`);
    return { text: removed ? `${args.owner} is no longer linked: their alerts go to the team’s alert channel unless Slack finds them by email.` : `${args.owner} was not linked.`, visibility: 'private' };
  }
  const identity = parseIdentity(args.user, call, ctx.config);
  const [platform, userId] = [identity.slice(0, identity.indexOf(':')), identity.slice(identity.indexOf(':') + 1)];
  if (platform === 'console') throw invalidArgs('Owners are linked to a Slack or Discord user: their alerts come as direct messages there.');
  const zone = args.tz ? canonicalTimeZone(args.tz) : undefined;
  if (args.tz && !zone) throw invalidArgs(`\`${args.tz}\` is not a time zone I know.`, 'Use an IANA zone name such as `tz:Europe/Berlin`.');
  await linkOwner(db, { owner_key: key, owner: args.owner.trim(), platform, user_id: userId, time_zone: zone ?? null, linked_by: call.actor.id, checked_at: now });
  await audit('ok', `${args.owner} → ${identity}`);
  const known = await ownerExists(db, key);
  return {
    title: 'Owner linked',
    text:
      `Alerts for ${args.owner}’s customers now go to ${identity} as direct messages` +
      `${zone ? `, quiet hours read in ${zone}` : ''}.` +
      (known ? '' : `\nNo customer has the owner “${args.owner}” yet: check the spelling against the customers file (any case).`),
    footer: '`/pulse links` lists every link.',
    visibility: 'private',
  };
}

export function linksReply(owners: OwnerRow[]): Reply {
  const rows = owners.filter((o) => o.user_id);
  if (rows.length === 0) return { title: 'Owners in chat', text: 'No owner is linked or found yet. An admin links one with `/pulse link owner:"Maya Chen" @maya`.', visibility: 'private' };
  return {
    title: 'Owners in chat',
    tables: [
      {
        columns: [{ label: 'Owner' }, { label: 'Chat user' }, { label: 'Time zone' }, { label: 'How' }],
        rows: rows.map((o) => [o.owner, `${o.platform}:${o.user_id}`, o.time_zone ?? '—', o.source === 'link' ? `linked by ${o.linked_by ?? 'an admin'}` : o.source === 'email' ? 'found by email' : 'their chat name']),
      },
    ],
    visibility: 'private',
  };
}
