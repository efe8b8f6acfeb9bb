// /digest subscribe|list|unsubscribe|preview|history — scheduled satisfaction and at-risk posts.
import { z } from 'zod';
import { defineCommand } from '../core/command.ts';
import { discordConfigured, slackConfigured, type Config } from '../core/config.ts';
import { ROLE_RANK, type Invocation } from '../core/context.ts';
import { forbidden, invalidArgs, notFound } from '../core/errors.ts';
import { formatCount, truncate } from '../core/format.ts';
import type { Reply } from '../core/reply.ts';
import { endSubscription, getSubscription, insertSubscription, lastPeriodKeys, listSubscriptions, recentDeliveries, type SubscriptionRow } from '../db/digests.ts';
import type { DigestKind, DigestPlatform } from '../db/schema.ts';
import { buildDigest } from '../reports/digest.ts';
import { canonicalTimeZone, formatLocal, nextSlots, parseSchedule } from '../digests/cron.ts';

export const DIGEST_ACTIONS = ['subscribe', 'list', 'unsubscribe', 'preview', 'history'] as const;
export const DIGEST_KINDS = ['satisfaction', 'at-risk'] as const;
export const DEFAULT_DIGEST_SCHEDULE = '0 9 * * 1';
/** The most often a digest may post: a channel flooded every minute reads nothing. */
export const MIN_DIGEST_INTERVAL_MINUTES = 60;

/** The shortest time between consecutive slots, in minutes (undefined with fewer than two). */
function shortestGapMinutes(slots: number[]): number | undefined {
  let gap: number | undefined;
  for (let i = 1; i < slots.length; i++) gap = Math.min(gap ?? Infinity, Math.round((slots[i]! - slots[i - 1]!) / 60_000));
  return gap;
}

const CRON_HINT = 'A schedule is five cron fields — minute hour day-of-month month weekday — read in the zone: `schedule:"0 9 * * 1"` is Mondays at 09:00, `schedule:"30 8 * * 1-5"` weekdays at 08:30.';
const ZONE_HINT = 'Use an IANA zone name such as `tz:Europe/Berlin`, `tz:America/New_York` or `tz:UTC`.';

export const digestCommand = defineCommand({
  name: 'digest',
  changesData: true,
  description: 'Scheduled digests in a channel: subscribe, list, unsubscribe, preview, history',
  usage: '/digest subscribe satisfaction|at-risk [CHANNEL] [schedule:"CRON"] [tz:ZONE] [skip-if-empty] [owner:NAME] [segment:NAME] · /digest list · /digest unsubscribe ID · /digest preview KIND · /digest history [ID]',
  examples: ['/digest subscribe satisfaction', '/digest subscribe at-risk schedule:"0 8 * * 1-5" tz:Europe/Berlin skip-if-empty', '/digest preview at-risk owner:"Maya Chen"', '/digest list', '/digest unsubscribe 3', '/digest history'],
  args: z.object({
    action: z.enum(DIGEST_ACTIONS, { error: 'the action is subscribe, list, unsubscribe, preview or history' }).default('list').describe('subscribe, list (default), unsubscribe, preview or history'),
    target: z.string().trim().min(1).optional().describe('Digest kind (satisfaction or at-risk) to subscribe or preview; subscription number to unsubscribe'),
    channel: z.string().trim().min(1).optional().describe('Where to post (default: this channel)'),
    schedule: z.string().trim().min(1).optional().describe(`Cron schedule, default "${DEFAULT_DIGEST_SCHEDULE}" (Mondays 09:00)`),
    tz: z.string().trim().min(1).optional().describe('IANA time zone of the schedule (default PULSE_TIMEZONE)'),
    'skip-if-empty': z.boolean().default(false).describe('Post nothing when there is nothing new'),
    owner: z.string().trim().min(1).optional().describe('Only customers of this owner'),
    segment: z.string().trim().min(1).optional().describe('Only customers in this segment'),
    limit: z.coerce.number().int().min(1).max(50).default(15).describe('How many deliveries history shows (1–50)'),
  }),
  positional: ['action', 'target', 'channel'],
  role: 'rep',
  async run(args, call, ctx) {
    switch (args.action) {
      case 'subscribe': {
        requireManager(call, 'subscribe');
        const kind = digestKind(args.target);
        const where = resolveChannel(args.channel, call, ctx.config);
        const schedule = args.schedule ?? DEFAULT_DIGEST_SCHEDULE;
        const parsed = parseSchedule(schedule);
        if (!parsed.ok) throw invalidArgs(`\`${schedule}\` is not a schedule I can use: ${parsed.reason}.`, CRON_HINT);
        const zoneText = args.tz ?? ctx.config.timeZone;
        const zone = canonicalTimeZone(zoneText);
        if (!zone) throw invalidArgs(`\`${zoneText}\` is not a time zone I know.`, ZONE_HINT);
        const now = ctx.clock.now();
        const every = shortestGapMinutes(nextSlots(parsed.schedule, zone, now.getTime(), 24));
        if (every !== undefined && every < MIN_DIGEST_INTERVAL_MINUTES) {
          throw invalidArgs(`\`${schedule}\` would post every ${every === 1 ? 'minute' : `${every} minutes`}; a digest posts at most once an hour.`, CRON_HINT);
        }
        const sub = await insertSubscription(ctx.store.db, {
          platform: where.platform,
          channel: where.channel,
          kind,
          schedule: parsed.schedule.expression,
          time_zone: zone,
          owner: args.owner ?? null,
          segment: args.segment ?? null,
          skip_if_empty: args['skip-if-empty'],
          created_by: call.actor.id,
          created_at: now.toISOString(),
        });
        const next = nextSlots(parsed.schedule, zone, now.getTime(), 3);
        ctx.log.info('digest subscribed', { subscription: sub.subscription_id, kind, platform: where.platform, channel: where.channel, schedule: sub.schedule, zone, by: call.actor.id });
        return {
          title: `Subscribed: digest #${sub.subscription_id}`,
          text: `The **${kind}** digest will be posted to ${channelLabel(sub)}.`,
          fields: [
            { label: 'Schedule', value: `\`${sub.schedule}\` in ${zone}`, inline: true },
            { label: 'Filters', value: filtersLabel(sub), inline: true },
            { label: 'When empty', value: sub.skip_if_empty ? 'skipped' : 'posted anyway', inline: true },
            { label: 'Next runs', value: next.length ? next.map((t) => formatLocal(t, zone)).join('\n') : 'never: this schedule has no date in the next 30 years' },
          ],
          footer: `\`/digest preview ${kind}\` shows what it would say now; \`/digest unsubscribe ${sub.subscription_id}\` stops it.`,
          visibility: 'private',
        };
      }
      case 'unsubscribe': {
        requireManager(call, 'unsubscribe');
        const id = Number(args.target);
        if (!args.target || !Number.isInteger(id) || id <= 0) throw invalidArgs('Which subscription? Give its number, e.g. `/digest unsubscribe 3`.', '`/digest list` shows the numbers.');
        const sub = await getSubscription(ctx.store.db, id);
        if (!sub || sub.active !== 1) throw notFound(`There is no active digest #${id}.`, '`/digest list` shows the active ones.');
        await endSubscription(ctx.store.db, id, call.actor.id, ctx.clock.now().toISOString());
        ctx.log.info('digest unsubscribed', { subscription: id, by: call.actor.id });
        return { text: `Stopped digest #${id} (${sub.kind} to ${channelLabel(sub)}). Its past deliveries stay in \`/digest history\`.`, visibility: 'private' };
      }
      case 'preview': {
        const kind = digestKind(args.target);
        const zone = args.tz ? canonicalTimeZone(args.tz) : ctx.config.timeZone;
        if (!zone) throw invalidArgs(`\`${args.tz}\` is not a time zone I know.`, ZONE_HINT);
        const built = await buildDigest(ctx, { kind, owner: args.owner ?? null, segment: args.segment ?? null, platform: call.platform, scheduledFor: ctx.clock.now(), since: null, timeZone: zone });
        const note = built.empty ? `Nothing new (${built.emptyReason}): a skip-if-empty subscription would post nothing now.` : undefined;
        return {
          ...built.reply,
          title: `Preview · ${built.reply.title ?? kind}`,
          footer: [note, built.reply.footer, 'Preview: what the digest would post if it ran now. Only you see it.'].filter(Boolean).join('\n'),
          visibility: 'private',
        };
      }
      case 'history':
        return historyReply(await recentDeliveries(ctx.store.db, args.limit, args.target && /^\d+$/.test(args.target) ? Number(args.target) : undefined));
      case 'list':
      default: {
        const subs = await listSubscriptions(ctx.store.db, { activeOnly: true });
        return listReply(subs, await lastPeriodKeys(ctx.store.db), ctx.clock.now());
      }
    }
  },
});

function requireManager(call: Invocation, what: string): void {
  if (ROLE_RANK[call.actor.role] < ROLE_RANK.manager) {
    throw forbidden(`\`/digest ${what}\` needs the manager role; you have ${call.actor.role}.`, 'Ask an admin to make you a manager, or ask a manager to set it up.');
  }
}

function digestKind(text: string | undefined): DigestKind {
  const t = text?.toLowerCase().replace(/[_\s]/g, '-');
  if (t === 'satisfaction' || t === 'csat' || t === 'nps') return 'satisfaction';
  if (t === 'at-risk' || t === 'atrisk' || t === 'churn' || t === 'churn-risk') return 'at-risk';
  throw invalidArgs(text ? `\`${text}\` is not a digest kind.` : 'Which digest? Say `satisfaction` or `at-risk`.', 'Kinds: `satisfaction` (weekly CSAT and NPS, trend, pain points, detractors) and `at-risk` (new at-risk customers, value at risk, by owner).');
}

export interface ChannelTarget {
  platform: DigestPlatform;
  channel: string;
}

/**
 * Where to post: `slack:C123`, `discord:123`, a Slack `<#C123|name>` or Discord `<#123>` mention,
 * a bare id (on the platform the command came from; from the console, the only chat platform
 * configured), or nothing (the channel the command was typed in; the console itself from the console).
 */
export function resolveChannel(text: string | undefined, call: Invocation, config: Config): ChannelTarget {
  const raw = text ?? call.channel;
  if (!raw) return { platform: 'console', channel: 'console' };
  const slackMention = /^<#([A-Z][A-Z0-9]+)(?:\|[^>]*)?>$/i.exec(raw);
  if (slackMention) return { platform: 'slack', channel: slackMention[1]!.toUpperCase() };
  const discordMention = /^<#(\d+)>$/.exec(raw);
  if (discordMention) return { platform: 'discord', channel: discordMention[1]! };
  const prefixed = /^(slack|discord|console):(.+)$/i.exec(raw);
  if (prefixed) return checkId(prefixed[1]!.toLowerCase() as DigestPlatform, prefixed[2]!);
  if (raw.startsWith('#')) throw invalidArgs(`I cannot look up the channel \`${raw}\` by name.`, 'Run the command in that channel, mention it (#channel in Slack or Discord), or give its id as `slack:C0123ABCD` / `discord:123456789012345678`.');
  if (call.platform === 'slack' || call.platform === 'discord') return checkId(call.platform, raw);
  const slack = slackConfigured(config);
  const discord = discordConfigured(config);
  if (slack && discord) throw invalidArgs(`Is \`${raw}\` a Slack or a Discord channel?`, 'Write `slack:ID` or `discord:ID`.');
  if (slack) return checkId('slack', raw);
  if (discord) return checkId('discord', raw);
  return { platform: 'console', channel: raw };
}

function checkId(platform: DigestPlatform, id: string): ChannelTarget {
  if (platform === 'slack' && !/^[A-Z0-9]{2,}$/i.test(id)) throw invalidArgs(`\`${id}\` is not a Slack channel id (like C0123ABCD).`);
  if (platform === 'discord' && !/^\d{2,}$/.test(id)) throw invalidArgs(`\`${id}\` is not a Discord channel id (a number like 123456789012345678).`);
  return { platform, channel: platform === 'slack' ? id.toUpperCase() : id };
}

function channelLabel(s: { platform: DigestPlatform; channel: string }): string {
  return s.platform === 'console' ? 'the console' : `${s.platform}:${s.channel}`;
}

function filtersLabel(s: { owner: string | null; segment: string | null }): string {
  return [s.owner ? `owner ${s.owner}` : '', s.segment ? `segment ${s.segment}` : ''].filter(Boolean).join(', ') || 'all customers';
}

export function listReply(subs: SubscriptionRow[], lastKeys: Map<number, string>, now: Date): Reply {
  if (subs.length === 0) return { title: 'Digests', text: 'No digests are scheduled. A manager starts one with `/digest subscribe satisfaction` or `/digest subscribe at-risk`.', visibility: 'private' };
  return {
    title: 'Digests',
    tables: [
      {
        columns: [{ label: '#', align: 'right' }, { label: 'Kind' }, { label: 'Where' }, { label: 'Schedule' }, { label: 'Next run' }, { label: 'Filters' }, { label: 'Last period' }],
        rows: subs.map((s) => {
          const parsed = parseSchedule(s.schedule);
          const next = parsed.ok ? nextSlots(parsed.schedule, s.time_zone, now.getTime(), 1)[0] : undefined;
          const last = lastKeys.get(s.subscription_id);
          return [
            String(s.subscription_id),
            s.kind + (s.skip_if_empty ? ' (skip if empty)' : ''),
            channelLabel(s),
            `${s.schedule} ${s.time_zone}`,
            next === undefined ? '—' : formatLocal(next, s.time_zone),
            filtersLabel(s),
            last ? formatLocal(Date.parse(last), s.time_zone) : '—',
          ];
        }),
      },
    ],
    footer: '`/digest history` shows what was posted, skipped or failed.',
    visibility: 'private',
  };
}

export function historyReply(rows: Awaited<ReturnType<typeof recentDeliveries>>): Reply {
  if (rows.length === 0) return { title: 'Digest history', text: 'Nothing has been delivered yet.', visibility: 'private' };
  const failed = rows.filter((r) => r.status === 'failed').length;
  return {
    title: 'Digest history',
    ...(failed ? { text: `**${formatCount(failed)}** ${failed === 1 ? 'delivery' : 'deliveries'} failed after every retry: see the errors below.` } : {}),
    tables: [
      {
        columns: [{ label: 'Due' }, { label: '#', align: 'right' }, { label: 'Kind' }, { label: 'Where' }, { label: 'Status' }, { label: 'Tries', align: 'right' }, { label: 'Message / error' }],
        rows: rows.map((r) => [
          formatLocal(Date.parse(r.scheduled_for), r.time_zone),
          String(r.subscription_id),
          r.kind,
          channelLabel(r),
          r.status + (r.late ? ' (late)' : '') + (r.status === 'retrying' && r.next_attempt_at ? ` — next try ${formatLocal(Date.parse(r.next_attempt_at), r.time_zone)}` : ''),
          String(r.attempts),
          truncate(r.message_id ?? r.error ?? '', 80),
        ]),
      },
    ],
    visibility: 'private',
  };
}
