// /alerts [mine|open|all] · /alerts N · /alerts claim N · /alerts snooze N [7d] · /alerts settings
// [key:value …] — the owner alerts: who should act on which customer, and what happened since.
import { z } from 'zod';
import { oneAlertReply, listReply, settingsReply } from '../alerts/alert-replies.ts';
import { currentAlertSettings } from '../alerts/current-settings.ts';
import { ALERT_SETTING_KEYS, formatDuration, normaliseSetting, parseDuration, type AlertSettingKey } from '../alerts/settings.ts';
import { defineCommand } from '../core/command.ts';
import type { Config } from '../core/config.ts';
import { ROLE_RANK, type Context, type Invocation } from '../core/context.ts';
import { forbidden, invalidArgs, notFound } from '../core/errors.ts';
import type { Reply } from '../core/reply.ts';
import { MS_PER_DAY } from '../core/time.ts';
import { alertDeliveriesOf, retryUnrouted } from '../db/alert-deliveries.ts';
import { listOwners, ownerKeysOf, setAlertSetting } from '../db/alert-owners.ts';
import { claimAlert, getAlert, insertAlertDeliveries, listAlerts, snoozeAlert, type AlertRow } from '../db/alerts.ts';
import { recordAudit } from '../db/audit.ts';
import { getCustomer } from '../db/customers.ts';
import { userNames } from '../db/users.ts';
import { formatLocal } from '../digests/cron.ts';
import { ownerKey } from '../reports/report-data.ts';
import { resolveChannel } from './digest.ts';

const ACTIONS = ['mine', 'open', 'all', 'show', 'claim', 'snooze', 'settings'] as const;
const DEFAULT_SNOOZE_MS = 7 * MS_PER_DAY;

const settingArgs = Object.fromEntries(ALERT_SETTING_KEYS.map((k) => [k, z.string().trim().min(1).optional().describe(`Settings: ${k}`)])) as Record<
  AlertSettingKey,
  z.ZodOptional<z.ZodString>
>;

export const alertsCommand = defineCommand({
  name: 'alerts',
  changesData: true,
  description: 'Owner alerts: customers slipping, detractors, gone quiet — list, claim, snooze, settings',
  usage: '/alerts [mine|open|all] · /alerts N · /alerts claim N · /alerts snooze N [7d] · /alerts settings [channel:#… managers:#… escalate-after:2d quiet-hours:22-07 risk:60 top-share:20% silent-after:3x]',
  examples: ['/alerts', '/alerts open', '/alerts claim 12', '/alerts snooze 12 3d', '/alerts settings', '/alerts settings channel:#sales-alerts escalate-after:3d'],
  args: z.object({
    action: z.enum(ACTIONS, { error: 'say mine, open, all, an alert number, claim N, snooze N or settings' }).optional().describe('mine (default), open, all, claim, snooze or settings'),
    target: z.string().trim().min(1).optional().describe('The alert number (claim, snooze, show)'),
    duration: z.string().trim().min(1).optional().describe('How long to snooze (default 7d)'),
    limit: z.coerce.number().int().min(1).max(50).default(15).describe('How many alerts to list (1–50)'),
    ...settingArgs,
  }),
  positional: ['action', 'target', 'duration'],
  // `/alerts 12` shows alert 12.
  prepare: (raw) => (typeof raw.action === 'string' && /^#?\d+$/.test(raw.action) ? { ...raw, action: 'show', target: raw.action.replace('#', '') } : raw),
  role: 'rep',
  async run(args, call, ctx) {
    const db = ctx.store.db;
    const now = ctx.clock.now();
    const zone = ctx.config.timeZone;
    const action = args.action ?? (ROLE_RANK[call.actor.role] >= ROLE_RANK.manager ? 'open' : 'mine');
    const given = ALERT_SETTING_KEYS.filter((k) => args[k] !== undefined);
    if (given.length && action !== 'settings') throw invalidArgs(`\`${given[0]}:\` is a setting: write \`/alerts settings ${given[0]}:…\`.`);
    switch (action) {
      case 'settings': {
        const isAdmin = ROLE_RANK[call.actor.role] >= ROLE_RANK.admin;
        if (given.length === 0) return settingsReply(await currentAlertSettings(db), await listOwners(db), [], isAdmin);
        if (!isAdmin) throw forbidden(`Changing alert settings needs the admin role; you have ${call.actor.role}.`, '`/pulse roles` lists the admins.');
        // Every value is checked before any is stored: a typo changes nothing.
        const values = given.map((k) => [k, normaliseSetting(k, k === 'channel' || k === 'managers' ? channelSetting(args[k]!, call, ctx.config) : args[k]!)] as const);
        const changed: string[] = [];
        for (const [k, v] of values) {
          const before = await setAlertSetting(db, k, v, call.actor.id, now.toISOString());
          changed.push(`${k}: ${before ?? 'default'} → ${v}`);
          await recordAudit(db, { at: now.toISOString(), actorId: call.actor.id, platform: call.platform, channel: call.channel, command: 'alerts settings change', outcome: 'ok', detail: `${k}: ${before ?? 'default'} → ${v}` });
        }
        if (given.includes('channel') || given.includes('managers')) await retryUnrouted(db, now.toISOString());
        ctx.log.info('alert settings changed', { by: call.actor.id, changed });
        return settingsReply(await currentAlertSettings(db), await listOwners(db), changed, true);
      }
      case 'claim': {
        const alert = await alertNamed(ctx, args.target);
        const before = alert.claimed_by;
        const r = await claimAlert(db, alert.alert_id, call.actor.id, now.toISOString());
        if (!r.ok) return alreadyResolved(r.alert ?? alert);
        // The channel that saw the alert (or its escalation) hears who took it; a DM needs no reply.
        await insertAlertDeliveries(
          db,
          [
            { alert_id: alert.alert_id, purpose: 'claimed', key: `${alert.alert_id}:claimed`, due_at: now.toISOString() },
            ...(alert.escalated_at ? [{ alert_id: alert.alert_id, purpose: 'claimed' as const, key: `${alert.alert_id}:claimed:escalation`, due_at: now.toISOString() }] : []),
          ],
          now.toISOString(),
        );
        await auditAction(ctx, call, 'alerts claim', alert);
        const was = before && before !== call.actor.id ? ` (it was claimed by ${(await userNames(db, [before])).get(before) ?? before})` : '';
        return { title: `Claimed alert #${alert.alert_id}`, text: `It is yours${was}: no escalation now. ${await who(ctx, alert)}`, visibility: 'private' };
      }
      case 'snooze': {
        const alert = await alertNamed(ctx, args.target);
        const ms = args.duration ? parseDuration(args.duration) : DEFAULT_SNOOZE_MS;
        if (ms === undefined || ms < 3_600_000 || ms > 90 * MS_PER_DAY) throw invalidArgs(`\`${args.duration}\` is not a snooze I can use.`, 'Write it like `7d`, `36h` or `2w` (an hour to 90 days).');
        const until = new Date(now.getTime() + ms);
        const r = await snoozeAlert(db, alert.alert_id, call.actor.id, until.toISOString(), now.toISOString());
        if (!r.ok) return alreadyResolved(r.alert ?? alert);
        await auditAction(ctx, call, 'alerts snooze', alert);
        return {
          title: `Snoozed alert #${alert.alert_id} for ${formatDuration(ms)}`,
          text: `Until ${formatLocal(until.getTime(), zone)}: no escalation meanwhile; then it comes back to the owner if the customer has not bought again. ${await who(ctx, alert)}`,
          visibility: 'private',
        };
      }
      case 'show': {
        const alert = await alertNamed(ctx, args.target);
        const c = await getCustomer(db, alert.customer_id);
        const comment = alert.feedback_id ? (await db.selectFrom('feedback').select('comment').where('feedback_id', '=', alert.feedback_id).executeTakeFirst())?.comment ?? null : null;
        const names = await userNames(db, [alert.claimed_by, alert.snoozed_by].filter((x): x is string => Boolean(x)));
        return oneAlertReply(alert, { name: c?.name ?? null, company: c?.company ?? null, comment }, await alertDeliveriesOf(db, alert.alert_id), names, zone, ctx.config.currency);
      }
      default: {
        const mine = action === 'mine';
        const keys = mine ? [...new Set([ownerKey(call.actor.name), ownerKey(call.actor.email), ...(await ownerKeysOf(db, call.actor.id))].filter(Boolean))] : undefined;
        const since = new Date(now.getTime() - 90 * MS_PER_DAY).toISOString();
        const { rows, total } = await listAlerts(db, { view: action === 'all' ? 'all' : 'open', sinceIso: since, ...(keys ? { ownerKeys: keys, claimedBy: call.actor.id } : {}), limit: args.limit });
        const names = await userNames(db, rows.flatMap((r) => [r.claimed_by].filter((x): x is string => Boolean(x))));
        const title = action === 'mine' ? 'Your alerts' : action === 'all' ? 'Alerts · last 90 days' : 'Open alerts';
        const empty =
          action === 'mine'
            ? `No open alerts for your customers${call.actor.name ? ` (owner “${call.actor.name}”)` : ''}. \`/alerts open\` lists everyone’s.`
            : action === 'all'
              ? 'No alerts in the last 90 days.'
              : 'No open alerts.';
        return listReply(title, rows, total, names, zone, empty);
      }
    }
  },
});

async function alertNamed(ctx: Context, target: string | undefined): Promise<AlertRow> {
  const id = Number(target?.replace(/^#/, ''));
  if (!target || !Number.isInteger(id) || id <= 0) throw invalidArgs('Which alert? Give its number, e.g. `/alerts claim 12`.', '`/alerts` lists them.');
  const alert = await getAlert(ctx.store.db, id);
  if (!alert) throw notFound(`There is no alert #${id}.`, '`/alerts open` lists the open ones.');
  return alert;
}

function alreadyResolved(a: AlertRow): Reply {
  return { title: `Alert #${a.alert_id} is already resolved`, text: `It ended on ${a.resolved_at?.slice(0, 10) ?? '?'} (${a.resolution ?? 'resolved'}): nothing to do.`, visibility: 'private' };
}

async function who(ctx: Context, a: AlertRow): Promise<string> {
  const c = await getCustomer(ctx.store.db, a.customer_id);
  return `Customer: ${c?.name ?? a.customer_id} (\`/customer ${a.customer_id}\`).`;
}

async function auditAction(ctx: Context, call: Invocation, command: string, a: AlertRow): Promise<void> {
  await recordAudit(ctx.store.db, { at: ctx.clock.now().toISOString(), actorId: call.actor.id, platform: call.platform, channel: call.channel, command, outcome: 'ok', detail: `#${a.alert_id} ${a.kind}` });
}

/** A channel setting as typed → `platform:id` (`off` stays); alerts go to Slack or Discord only. */
function channelSetting(text: string, call: Invocation, config: Config): string {
  if (/^(off|none|never|no|clear)$/i.test(text.trim())) return 'off';
  const where = resolveChannel(text.trim() === 'here' ? undefined : text, call, config);
  if (where.platform === 'console') throw invalidArgs('Alerts are posted to Slack or Discord, not the console.', 'Give a channel mention, `slack:C0123ABCD` or `discord:123456789012345678`.');
  return `${where.platform}:${where.channel}`;
}
