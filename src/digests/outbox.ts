// Exactly once, for anything the outbox posts — a digest for one period, an alert's message. The
// caller has claimed one delivery (its row is this process's); `deliverOnce` builds the message,
// renews the claim and marks the delivery attempted right before posting (from then on the message
// may reach the platform even if this process never hears back), posts with the delivery key —
// asking the platform first whether an earlier attempt's message is already there — and records
// the message id. Rate limits are waited out within the policy; other failures are retried with
// backoff and then marked failed. Digests and alerts differ only in their rows and their messages.
import type { Posted } from '../adapters/chat-adapter.ts';
import { retryAfterOf } from '../adapters/chat-adapter.ts';
import type { Context } from '../core/context.ts';
import type { Reply, ReplyButton } from '../core/reply.ts';
import type { DigestPlatform } from '../db/schema.ts';
import type { DeliveryPolicy, DigestPoster } from './tick.ts';

/** How a delivery ended, as its row records it. */
export interface OutboxOutcome {
  status: 'posted' | 'retrying' | 'failed' | 'skipped';
  message_id?: string | null;
  posted_at?: string | null;
  next_attempt_at?: string | null;
  error?: string | null;
}

export interface OutboxMessage {
  platform: DigestPlatform;
  channel: string;
  reply: Reply;
  chart?: Buffer;
  /** Buttons that stay on a channel post (they act as whoever presses, privately). */
  buttons?: ReplyButton[];
  /** Post as a reply in this message's thread. */
  threadOf?: string;
  /** The channel is a direct message with one person. */
  direct?: boolean;
}

/** What a delivery's builder decides: a message, nothing at all (skipped), or not yet (deferred). */
export type Prepared = OutboxMessage | { skip: string } | { defer: { until: Date; why: string } };

/** One claimed delivery, whatever its table. */
export interface OutboxItem {
  /** `digest` or `alert`: log lines say which. */
  what: string;
  /** The key the message carries (Slack metadata, Discord nonce and footer). */
  deliveryKey: string;
  /** Which try this is (1 = first). */
  attempt: number;
  /** When an earlier attempt was about to post (its message may be on the platform), else null. */
  attemptedAt: string | null;
  /** Ids for log lines. */
  logFields: Record<string, unknown>;
  /** Renews the claim and marks the delivery attempted, with where it goes; false: the claim was lost. */
  markAttempted(now: string, message: OutboxMessage): Promise<boolean>;
  /** Records the outcome; only the holder may (false: the claim was lost). */
  finish(outcome: OutboxOutcome, now: string): Promise<boolean>;
  /** Gives the claim back untried, due again at `until` (only before any attempt). */
  defer?(until: string, why: string, now: string): Promise<boolean>;
}

export type OutboxResultKind = 'posted' | 'skipped' | 'deferred' | 'retrying' | 'failed' | 'lost';

export interface OutboxResult {
  result: OutboxResultKind;
  platform?: DigestPlatform;
  channel?: string;
  messageId?: string;
  /** The message was found in the channel (an earlier attempt had posted it) rather than posted now. */
  found?: boolean;
  error?: string;
  nextAttemptAt?: string;
  /** Time spent waiting out rate limits inside this tick. */
  waitedMs?: number;
}

export interface OutboxEnv {
  poster: DigestPoster;
  policy: DeliveryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** The tick's instant (retries are scheduled from it). */
  now: Date;
  /** The real time, for claims. */
  leaseNow: () => Date;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds, posts and records one claimed delivery; never throws (a failure is a retry or, at last, failed). */
export async function deliverOnce(ctx: Context, env: OutboxEnv, item: OutboxItem, prepare: () => Promise<Prepared>): Promise<OutboxResult> {
  const stamp = () => ctx.clock.now().toISOString();
  const log = item.logFields;
  let waitedMs = 0;
  let where: Pick<OutboxResult, 'platform' | 'channel'> = {};
  try {
    const prepared = await prepare();
    if ('skip' in prepared) {
      await item.finish({ status: 'skipped', error: prepared.skip }, stamp());
      ctx.log.info(`${item.what} skipped`, { ...log, reason: prepared.skip });
      return { result: 'skipped', error: prepared.skip };
    }
    if ('defer' in prepared) {
      const until = prepared.defer.until.toISOString();
      if (item.defer && (await item.defer(until, prepared.defer.why, stamp()))) return { result: 'deferred', error: prepared.defer.why, nextAttemptAt: until };
      throw new Error(`could not put the delivery back until ${until}: ${prepared.defer.why}`);
    }
    const message = prepared;
    where = { platform: message.platform, channel: message.channel };
    let posted: Posted;
    for (;;) {
      // Building and waiting take time: renew the lease right before posting, and post only if this
      // process still holds the claim. From here on the message may reach the platform.
      if (!(await item.markAttempted(env.leaseNow().toISOString(), message))) {
        ctx.log.warn(`${item.what} claim lost before posting; another process has it`, log);
        return { result: 'lost', ...where };
      }
      try {
        const lookSince = item.attemptedAt ? new Date(item.attemptedAt) : undefined;
        posted = await env.poster.post(message.platform, message.channel, message.reply, {
          deliveryKey: item.deliveryKey,
          ...(message.chart ? { chart: message.chart } : {}),
          ...(message.buttons?.length ? { buttons: message.buttons } : {}),
          ...(message.threadOf ? { threadOf: message.threadOf } : {}),
          ...(lookSince ? { lookSince } : {}),
        });
        break;
      } catch (err) {
        const wait = retryAfterOf(err);
        if (wait === undefined || waitedMs + wait > env.policy.maxInlineWaitMs) throw err;
        ctx.log.warn(`${item.what} post rate limited; waiting`, { ...log, retryAfterMs: wait });
        await env.sleep(wait);
        waitedMs += wait;
      }
    }
    const messageId = posted.messageId;
    // The message is out: record its id before anything else can go wrong. From here on a failure
    // must not lead to a retry by this process; a takeover will find the message and record it.
    let recorded: boolean;
    try {
      recorded = await recordPosted(ctx, item, messageId, stamp);
    } catch (err) {
      ctx.log.error(`${item.what} posted but its message id could not be recorded yet; a takeover will find the message`, { ...log, messageId, error: err });
      return { result: 'lost', ...where, messageId, error: describeError(err), waitedMs };
    }
    if (!recorded) {
      ctx.log.error(`${item.what} posted but its claim had been taken over`, { ...log, messageId });
      return { result: 'lost', ...where, messageId, waitedMs };
    }
    if (posted.found) ctx.log.warn(`${item.what} found in the channel from an earlier attempt; recorded, not posted again`, { ...log, messageId });
    ctx.log.info(`${item.what} posted`, { ...log, platform: message.platform, channel: message.channel, messageId });
    return { result: 'posted', ...where, messageId, ...(posted.found ? { found: true } : {}), ...(waitedMs ? { waitedMs } : {}) };
  } catch (err) {
    return failed(ctx, env, item, err, waitedMs, where, stamp);
  }
}

/** A try that failed: retried after the policy's backoff (or the platform's Retry-After), or given up. */
async function failed(
  ctx: Context,
  env: OutboxEnv,
  item: OutboxItem,
  err: unknown,
  waitedMs: number,
  where: Pick<OutboxResult, 'platform' | 'channel'>,
  stamp: () => string,
): Promise<OutboxResult> {
  const error = describeError(err);
  const rateLimit = retryAfterOf(err);
  const waited = waitedMs ? { waitedMs } : {};
  if (item.attempt >= env.policy.maxAttempts) {
    await item.finish({ status: 'failed', error }, stamp());
    ctx.log.error(`${item.what} delivery failed; giving up`, { ...item.logFields, attempts: item.attempt, error: err });
    return { result: 'failed', ...where, error, ...waited };
  }
  const backoff = env.policy.backoffMs[Math.min(item.attempt - 1, env.policy.backoffMs.length - 1)] ?? 60_000;
  const nextAttemptAt = new Date(env.now.getTime() + waitedMs + Math.max(backoff, rateLimit ?? 0)).toISOString();
  await item.finish({ status: 'retrying', error, next_attempt_at: nextAttemptAt }, stamp());
  ctx.log.warn(`${item.what} delivery failed; will retry`, { ...item.logFields, attempt: item.attempt, nextAttemptAt, error: err });
  return { result: 'retrying', ...where, error, nextAttemptAt, ...waited };
}

/** Writes the message id; a failing write is tried again, since losing it costs a lookup later. */
async function recordPosted(ctx: Context, item: OutboxItem, messageId: string, stamp: () => string): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      const at = stamp();
      return await item.finish({ status: 'posted', message_id: messageId, posted_at: at, error: null, next_attempt_at: null }, at);
    } catch (err) {
      if (i >= 4) throw err;
      ctx.log.warn(`could not record a posted ${item.what} yet; trying again`, { ...item.logFields, messageId, error: err });
      await realSleep(200 * 2 ** i);
    }
  }
}

export function describeError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 500 ? `${msg.slice(0, 499)}…` : msg;
}

/** Runs `work` over `items`, at most `size` at once. */
export async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
