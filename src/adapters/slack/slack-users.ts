// Slack users → Pulse actors. Name and email come from users.info (scopes users:read and
// users:read.email) and are cached in memory for a while, so a rep's tenth command costs no API call.
//
// Lookups sit on the path of the 3-second acknowledgement, so they fail fast: their own Web API
// client (never paused behind a rate-limited chat.postMessage), no retries, a short timeout. When a
// lookup fails the person runs the command under what the users table last stored for them — a
// transient failure never overwrites a stored name or email.
import { webApi } from '@slack/bolt';
import { resolveActor } from '../../app/actors.ts';
import type { Config } from '../../core/config.ts';
import type { Actor, Context } from '../../core/context.ts';
import { slackClientOptions } from './post-to-channel.ts';
import { slackLogger } from './slack-logger.ts';

export interface SlackProfile {
  name?: string;
  email?: string;
}

/** Fetches one user's profile; throws when Slack does not answer. */
export type ProfileLookup = (userId: string) => Promise<SlackProfile>;

export interface SlackUserDirectoryOptions {
  /** How long a profile is trusted (default 10 minutes). */
  ttlMs?: number;
  /** How long a failed lookup is remembered before it is tried again (default 1 minute). */
  failureTtlMs?: number;
  /** Profiles kept at most (oldest dropped first). */
  maxEntries?: number;
  /** users.info timeout (default 1,500 ms). */
  timeoutMs?: number;
}

interface Entry {
  expires: number;
  profile: Promise<SlackProfile>;
}

export class SlackUserDirectory {
  readonly #ctx: Context;
  readonly #lookup: ProfileLookup;
  readonly #ttlMs: number;
  readonly #failureTtlMs: number;
  readonly #maxEntries: number;
  readonly #cache = new Map<string, Entry>();
  readonly #warned = new Set<string>();

  constructor(ctx: Context, lookup: ProfileLookup, opts: SlackUserDirectoryOptions = {}) {
    this.#ctx = ctx;
    this.#lookup = lookup;
    this.#ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.#failureTtlMs = opts.failureTtlMs ?? 60_000;
    this.#maxEntries = opts.maxEntries ?? 10_000;
  }

  /** The Pulse actor for Slack user `userId` (`slack:U123`); `fallbackName` only when nothing better is known. */
  async actor(userId: string, fallbackName?: string): Promise<Actor> {
    const actor = await resolveActor(this.#ctx, `slack:${userId}`, await this.profile(userId));
    if (!actor.name && fallbackName) actor.name = fallbackName;
    return actor;
  }

  /** The cached profile, looked up when missing or expired; `{}` when Slack does not say. */
  async profile(userId: string): Promise<SlackProfile> {
    const now = this.#ctx.clock.now().getTime();
    const hit = this.#cache.get(userId);
    if (hit && hit.expires > now) return { ...(await hit.profile) };
    const entry: Entry = { expires: now + this.#ttlMs, profile: Promise.resolve({}) };
    entry.profile = this.#lookup(userId).catch((err: unknown) => {
      entry.expires = now + this.#failureTtlMs;
      const code = (err as { data?: { error?: string }; code?: string }).data?.error ?? (err as { code?: string }).code ?? String(err);
      if (!this.#warned.has(code)) {
        this.#warned.add(code);
        this.#ctx.log.warn('slack: users.info failed; using the stored profile', { code, ...(code === 'missing_scope' ? { hint: 'add users:read and users:read.email to the app' } : {}) });
      }
      return {};
    });
    this.#cache.delete(userId);
    this.#cache.set(userId, entry);
    if (this.#cache.size > this.#maxEntries) this.#cache.delete(this.#cache.keys().next().value!);
    return { ...(await entry.profile) };
  }
}

/** users.info through a client of its own: no retries, no waiting behind other calls' rate limits. */
export function usersInfoLookup(ctx: { config: Config; log: Context['log'] }, opts: { timeoutMs?: number } = {}): ProfileLookup {
  const client = new webApi.WebClient(ctx.config.slack.botToken, {
    ...slackClientOptions(ctx.config, { retries: 0 }),
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? 1_500,
    logger: slackLogger(ctx.log),
  });
  return async (userId) => {
    const res = await client.users.info({ user: userId });
    const u = res.user;
    const name = u?.profile?.real_name || u?.real_name || u?.profile?.display_name || u?.name || undefined;
    const email = u?.profile?.email || undefined;
    return { ...(name ? { name } : {}), ...(email ? { email } : {}) };
  };
}
