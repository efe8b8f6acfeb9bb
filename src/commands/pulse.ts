// /pulse model | role @someone rep|manager|admin | roles | audit | link owner:"NAME" @someone | links —
// about Pulse itself: the model card, who may do what, (for admins) who did what, and which chat
// identity an owner named in the customers file is (where owner alerts go).
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { ROLE_RANK, type Invocation, type Role } from '../core/context.ts';
import { forbidden, invalidArgs } from '../core/errors.ts';
import { formatCount, formatMoney } from '../core/format.ts';
import { parseIdentity } from '../core/identity.ts';
import type { Reply, ReplyField } from '../core/reply.ts';
import { listAudit, recordAudit } from '../db/audit.ts';
import { getUser, privilegedUsers, setRole, userNames } from '../db/users.ts';
import { listOwners } from '../db/alert-owners.ts';
import { linkOwnerReply, linksReply } from './pulse-link.ts';
import type { ModelCard } from '../refresh/model-card.ts';
import { asOfFooter, requireRun } from './insight-guard.ts';

const TOPICS = ['model', 'role', 'roles', 'audit', 'link', 'links'] as const;
const ROLES = ['rep', 'manager', 'admin'] as const;

const WHAT_ROLES_MAY: Record<Role, string> = {
  rep: 'look customers up and log feedback',
  manager: 'also subscribe and stop digests',
  admin: 'also manage roles, read `/pulse audit` and run `pulse forget` / `pulse export`',
};

export const pulseCommand = defineCommand({
  name: 'pulse',
  description: 'About Pulse: the model card, roles, the audit log, owners linked to chat users',
  usage:
    '/pulse model · /pulse roles · /pulse role @someone rep|manager|admin · /pulse audit [@someone] [limit:N] · ' +
    '/pulse link owner:"NAME" @someone [tz:ZONE] · /pulse link owner:"NAME" off · /pulse links',
  examples: ['/pulse model', '/pulse roles', '/pulse role @maya manager', '/pulse audit limit:50', '/pulse link owner:"Maya Chen" @maya', '/pulse links'],
  args: z.object({
    topic: z
      .enum(TOPICS, { error: 'try `/pulse model`, `/pulse roles`, `/pulse role @someone manager` or `/pulse audit`' })
      .default('model')
      .describe('model, roles, role, audit, link or links'),
    user: z.string().trim().min(1).optional().describe('Who: a mention (@someone), slack:U0123 or discord:1234'),
    role: z.enum(ROLES, { error: 'the role is rep, manager or admin' }).optional().describe('rep, manager or admin'),
    limit: z.coerce.number().int().min(1).max(100).default(25).describe('How many audit entries to show (1–100)'),
    owner: z.string().trim().min(1).max(200).optional().describe('link: the owner as named in the customers file'),
    tz: z.string().trim().min(1).optional().describe('link: the owner’s time zone (quiet hours), e.g. Europe/Berlin'),
  }),
  positional: ['topic', 'user', 'role'],
  role: 'rep',
  async run(args, call, ctx) {
    switch (args.topic) {
      case 'role': {
        requireAdmin(call, 'role');
        if (!args.user || !args.role) throw invalidArgs('Whose role, and which? For example `/pulse role @maya manager`.');
        const target = parseIdentity(args.user, call, ctx.config);
        if (ctx.config.admins.includes(target)) {
          throw invalidArgs(`\`${target}\` is an admin through PULSE_ADMINS, whatever is stored here.`, 'Change the PULSE_ADMINS setting to change that.');
        }
        if (target === call.actor.id) throw forbidden('You cannot change your own role.', 'Ask another admin.');
        const now = ctx.clock.now();
        const before = (await getUser(ctx.store.db, target))?.role ?? 'rep';
        await setRole(ctx.store.db, target, args.role, now);
        await recordAudit(ctx.store.db, {
          at: now.toISOString(),
          actorId: call.actor.id,
          platform: call.platform,
          channel: call.channel,
          command: 'role change',
          outcome: 'ok',
          detail: `${target}: ${before} → ${args.role}`,
        });
        ctx.log.info('role changed', { by: call.actor.id, user: target, from: before, to: args.role });
        const name = (await getUser(ctx.store.db, target))?.name;
        return {
          title: 'Role changed',
          text: `${who(target, name)} is now **${args.role}** (was ${before}): may ${WHAT_ROLES_MAY[args.role]}.`,
          footer: '`/pulse roles` lists everyone above rep.',
          visibility: 'private',
        };
      }
      case 'link':
        return linkOwnerReply(args, call, ctx);
      case 'links':
        return linksReply(await listOwners(ctx.store.db));
      case 'roles':
        return rolesReply(await privilegedUsers(ctx.store.db), ctx.config.admins, await userNames(ctx.store.db, ctx.config.admins));
      case 'audit': {
        requireAdmin(call, 'audit');
        const actorId = args.user ? parseIdentity(args.user, call, ctx.config) : undefined;
        const rows = await listAudit(ctx.store.db, { limit: args.limit, ...(actorId ? { actorId } : {}) });
        const names = await userNames(
          ctx.store.db,
          rows.map((r) => r.actor_id),
        );
        if (rows.length === 0)
          return { title: 'Audit log', text: actorId ? `Nothing recorded for \`${actorId}\`.` : 'Nothing recorded yet.', visibility: 'private' };
        return {
          title: 'Audit log',
          text: 'Who ran what, where and how it ended — command names and outcomes only, never what was asked.',
          tables: [
            {
              columns: [{ label: 'When (UTC)' }, { label: 'Who' }, { label: 'Where' }, { label: 'Command' }, { label: 'Outcome' }, { label: 'Detail' }],
              rows: rows.map((r) => [
                r.at.slice(0, 19).replace('T', ' '),
                who(r.actor_id, names.get(r.actor_id)),
                r.channel ?? r.platform,
                r.command,
                r.outcome,
                [r.detail, r.incident_id ? `incident ${r.incident_id}` : ''].filter(Boolean).join(' · '),
              ]),
            },
          ],
          footer: `Newest first; \`/pulse audit limit:${Math.min(100, args.limit * 2)}\` shows more, \`/pulse audit @someone\` one person.`,
          visibility: 'private',
        };
      }
      case 'model':
      default:
        return modelCard(ctx);
    }
  },
});

function requireAdmin(call: Invocation, what: string): void {
  if (ROLE_RANK[call.actor.role] < ROLE_RANK.admin) {
    throw forbidden(`\`/pulse ${what}\` needs the admin role; you have ${call.actor.role}.`, '`/pulse roles` lists the admins.');
  }
}

function who(id: string, name: string | null | undefined): string {
  return name ? `${name} (${id})` : id;
}

function rolesReply(
  stored: { user_id: string; name: string | null; role: string; updated_at: string }[],
  configured: readonly string[],
  configuredNames: Map<string, string>,
): Reply {
  const rows = [
    ...configured.map((id) => [who(id, configuredNames.get(id)), 'admin', 'PULSE_ADMINS']),
    ...stored.filter((u) => !configured.includes(u.user_id)).map((u) => [who(u.user_id, u.name), u.role, `set ${u.updated_at.slice(0, 10)}`]),
  ];
  const roleLines = (Object.keys(WHAT_ROLES_MAY) as Role[]).map((r) => `**${r}**: may ${WHAT_ROLES_MAY[r]}`).join('\n');
  return {
    title: 'Roles',
    text: `${roleLines}\nEveryone else is a rep. An admin changes a role with \`/pulse role @someone manager\`.`,
    ...(rows.length ? { tables: [{ columns: [{ label: 'Who' }, { label: 'Role' }, { label: 'Since' }], rows }] } : {}),
    visibility: 'private',
  };
}

async function modelCard(ctx: Parameters<typeof requireRun>[0]): Promise<Reply> {
  const run = await requireRun(ctx);
  const c = JSON.parse(run.card ?? '{}') as ModelCard;
  const n = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));
  const fields: ReplyField[] = [
    {
      label: 'Data',
      value: `${formatCount(c.customers)} customers, ${formatCount(c.buyers)} buyers, ${formatCount(c.orders)} orders; as of ${c.asOf}`,
      inline: false,
    },
    {
      label: 'BG/NBD',
      value: 'error' in c.bgnbd ? `not fitted: ${c.bgnbd.error}` : `r ${n(c.bgnbd.r)}, α ${n(c.bgnbd.alphaWeeks)}/week, a ${n(c.bgnbd.a)}, b ${n(c.bgnbd.b)}`,
      inline: true,
    },
    {
      label: 'Pareto/NBD (P(alive))',
      value:
        'error' in c.paretoNbd
          ? `not fitted: ${c.paretoNbd.error}`
          : `r ${n(c.paretoNbd.r)}, α ${n(c.paretoNbd.alpha, 1)}, s ${n(c.paretoNbd.s)}, β ${n(c.paretoNbd.beta, 1)} (days)`,
      inline: true,
    },
    {
      label: 'Gamma-Gamma',
      value: 'error' in c.gammaGamma ? `not fitted: ${c.gammaGamma.error}` : `p ${n(c.gammaGamma.p)}, q ${n(c.gammaGamma.q)}, v ${n(c.gammaGamma.v, 1)}${c.gammaGamma.converged === false ? ' (did not converge)' : ''}`,
      inline: true,
    },
    {
      label: 'Churn backtest',
      value: c.churn.backtest
        ? `AUC ${n(c.churn.backtest.auc)} vs recency-only ${n(c.churn.backtest.baselineAuc)}; ` +
          `top-decile precision ${n(c.churn.backtest.precisionTopDecile, 2)} vs ${n(c.churn.backtest.baselinePrecisionTopDecile, 2)} ` +
          `(${c.churn.backtest.testN} held-out customers, cutoff ${c.churn.backtest.cutoff})`
        : `not run: ${c.churn.note ?? 'unknown'}`,
    },
    {
      label: 'Clusters',
      value: c.clustering
        ? `k ${c.clustering.k}, silhouette ${n(c.clustering.silhouette, 2)}: ${c.clustering.clusters.map((x) => x.name).join(', ')}`
        : 'too few customers',
    },
    { label: 'Value', value: `12-month CLV ${formatMoney(c.clv.total, ctx.config.currency)}; value at risk ${formatMoney(c.churn.valueAtRisk, ctx.config.currency)}`, inline: true },
    ...(c.alerts ? [{ label: 'Owner alerts: does it help?', value: c.alerts.summary.join('\n') }] : []),
  ];
  return { title: `Model card · refresh #${c.runId}`, fields, footer: asOfFooter(run), visibility: 'private' };
}
