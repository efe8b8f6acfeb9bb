// Where an alert goes: the owner's direct messages when Pulse knows the owner's chat identity, else
// the team's alert channel (else the managers'). The identity comes from, in order:
//   1. an admin's `/pulse link owner:"Maya Chen" @maya` (the only way on Discord);
//   2. Slack users.lookupByEmail with the owner's email — the owner field itself when it is an
//      address, the customer's `owner_email` column, or the email of a Pulse user with the owner's
//      name — cached a day (a miss too, so a thousand alerts cost one lookup);
//   3. a Pulse user (someone who has run a command) whose chat name is the owner's name.
// The owner's time zone (Slack's profile; a link's `tz:`) decides quiet hours; else PULSE_TIMEZONE.
import type { Context } from '../core/context.ts';
import { getCustomer } from '../db/customers.ts';
import { chatUserForOwner, getOwner, saveOwnerLookup, setOwnerTimeZone, type OwnerRow } from '../db/alert-owners.ts';
import type { DigestPlatform } from '../db/schema.ts';
import type { DigestPoster } from '../digests/tick.ts';
import type { AlertSettings } from './settings.ts';

/** How long a lookup's answer (found or not) is trusted. */
export const OWNER_LOOKUP_TTL_MS = 24 * 3_600_000;

export interface Identity {
  platform: DigestPlatform;
  userId: string;
  timeZone: string | null;
  source: OwnerRow['source'];
}

export interface Destination {
  platform: DigestPlatform;
  channel: string;
  direct: boolean;
  /** The zone quiet hours are read in (direct messages only). */
  timeZone: string;
  /** For log lines and `/alerts`: `owner's DM (slack:U1)`, `team channel`. */
  label: string;
}

export type RouteAnswer = { to: Destination } | { wait: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The owner's chat identity, from a link, the cache, or a lookup (cached); undefined when there is none. */
export async function ownerIdentity(ctx: Context, poster: DigestPoster, owner: string, ownerKey: string, customerId: string): Promise<Identity | undefined> {
  const db = ctx.store.db;
  const now = ctx.clock.now();
  const cached = await getOwner(db, ownerKey);
  const fresh = cached && (cached.source === 'link' || now.getTime() - Date.parse(cached.checked_at) < OWNER_LOOKUP_TTL_MS);
  if (cached && fresh) {
    if (!cached.user_id || !cached.platform) return undefined;
    // A link made without `tz:`: the platform's profile says the zone, once.
    if (!cached.time_zone && poster.userTimeZone && (poster.platforms?.() ?? []).includes(cached.platform as DigestPlatform)) {
      const zone = await poster.userTimeZone(cached.platform as DigestPlatform, cached.user_id).catch(() => undefined);
      if (zone) {
        await setOwnerTimeZone(db, ownerKey, zone);
        return identityOf({ ...cached, time_zone: zone });
      }
    }
    return identityOf(cached);
  }

  const profile = await chatUserForOwner(db, ownerKey);
  const emails = new Set<string>();
  if (EMAIL.test(owner.trim())) emails.add(owner.trim().toLowerCase());
  const attributeEmail = ownerEmailAttribute((await getCustomer(db, customerId))?.attributes ?? null);
  if (attributeEmail) emails.add(attributeEmail);
  if (profile?.email) emails.add(profile.email.toLowerCase());
  let found: OwnerRow | undefined;
  if (poster.userByEmail && (poster.platforms?.() ?? []).includes('slack')) {
    for (const email of emails) {
      const user = await poster.userByEmail(email);
      if (user) {
        found = row(owner, ownerKey, 'slack', user.userId, user.timeZone ?? null, 'email', now);
        break;
      }
    }
  }
  if (!found && profile) {
    const [platform, userId] = splitIdentity(profile.user_id);
    const timeZone = (await poster.userTimeZone?.(platform, userId).catch(() => undefined)) ?? null;
    found = row(owner, ownerKey, platform, userId, timeZone, 'profile', now);
  }
  await saveOwnerLookup(db, found ?? row(owner, ownerKey, null, null, null, 'none', now));
  return found ? identityOf(found) : undefined;
}

/**
 * The destination of an alert's own message (a raise or a re-raise): the owner's DM when this
 * process can reach them, the team's channel otherwise. `wait` when it must wait (no route at all,
 * or only through a platform another process serves).
 */
export async function alertDestination(
  ctx: Context,
  poster: DigestPoster,
  settings: AlertSettings,
  alert: { owner: string | null; owner_key: string | null; customer_id: string },
): Promise<RouteAnswer> {
  const platforms = poster.platforms?.() ?? [];
  if (alert.owner && alert.owner_key) {
    const who = await ownerIdentity(ctx, poster, alert.owner, alert.owner_key, alert.customer_id);
    // An identity on a platform this Pulse does not post to (a Discord link, Slack only) cannot be reached.
    if (who && platforms.includes(who.platform) && poster.openDirect) {
      const channel = await poster.openDirect(who.platform, who.userId);
      return { to: { platform: who.platform, channel, direct: true, timeZone: who.timeZone ?? ctx.config.timeZone, label: `${alert.owner}'s direct messages (${who.platform}:${who.userId})` } };
    }
  }
  return channelDestination(ctx, platforms, settings.channel ?? settings.managers, alert.owner ? `no chat identity for ${alert.owner}` : 'the customer has no owner');
}

/** The team's alert channel (else the managers'): for an alert the owner's direct messages refused. */
export function teamDestination(ctx: Context, poster: DigestPoster, settings: AlertSettings): RouteAnswer {
  return channelDestination(ctx, poster.platforms?.() ?? [], settings.channel ?? settings.managers, "the owner's direct messages refused it");
}

/** Where an escalation goes: the managers' channel, else the team's. */
export function escalationDestination(ctx: Context, poster: DigestPoster, settings: AlertSettings): RouteAnswer {
  return channelDestination(ctx, poster.platforms?.() ?? [], settings.managers ?? settings.channel, 'escalation');
}

function channelDestination(ctx: Context, platforms: DigestPlatform[], target: string | null, why: string): RouteAnswer {
  if (!target) return { wait: `no route: ${why}, and no alert channel is set (an admin sets one with \`/alerts settings channel:#…\`)` };
  const [platform, channel] = splitIdentity(target);
  if (!platforms.includes(platform)) return { wait: `needs the ${platform} connection to post to ${target}` };
  return { to: { platform, channel, direct: false, timeZone: ctx.config.timeZone, label: target } };
}

/** A customer's `owner_email` (or `Owner Email`, `owner email`) column, kept among its attributes. */
export function ownerEmailAttribute(attributes: string | null): string | undefined {
  if (!attributes) return undefined;
  try {
    const o = JSON.parse(attributes) as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (/^owner[\s_-]?e-?mail$/i.test(k.trim()) && typeof v === 'string' && EMAIL.test(v.trim())) return v.trim().toLowerCase();
    }
  } catch {
    /* attributes that are not JSON: nothing to read */
  }
  return undefined;
}

function splitIdentity(id: string): [DigestPlatform, string] {
  const at = id.indexOf(':');
  return [id.slice(0, at) as DigestPlatform, id.slice(at + 1)];
}

function identityOf(r: OwnerRow): Identity {
  return { platform: r.platform as DigestPlatform, userId: r.user_id!, timeZone: r.time_zone, source: r.source };
}

function row(owner: string, ownerKey: string, platform: string | null, userId: string | null, timeZone: string | null, source: OwnerRow['source'], now: Date): OwnerRow {
  return { owner_key: ownerKey, owner, platform, user_id: userId, time_zone: timeZone, source, linked_by: null, checked_at: now.toISOString() };
}
