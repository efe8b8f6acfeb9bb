// One scheduler tick: deliver exactly what is due at `now`. The minute scheduler, the catch-up at
// start and `pulse digest tick --now ISO` all call this.
//
// Claims are per delivery, taken just before that delivery is worked on: the newest due slot of a
// subscription is claimed by INSERTing its outbox row (the primary key makes the claim exclusive
// across processes); a retry whose time has come, or a claim whose holder vanished (lease expired,
// no message id), is taken over by a conditional UPDATE. A stalled post therefore holds only its
// own delivery: the others are still unclaimed, for this tick's other workers or another replica.
//
// The holder builds the digest, passes it through the one channel scrub, draws the chart from the
// scrubbed reply, marks the delivery attempted and posts with the delivery key, then records the
// message id. Whoever takes over a delivery that was marked attempted asks the platform first
// (Slack: message metadata via conversations.history; Discord: the embed footer of the bot's recent
// messages, and the nonce) and records the message found instead of posting it again — so even a
// poster killed after the platform took its message, before the id was written, posts nothing twice.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { retryAfterOf, type PostOptions, type Posted } from '../adapters/chat-adapter.ts';
import type { Context } from '../core/context.ts';
import { withoutPersonalData, type Reply, type ReplyChart } from '../core/reply.ts';
import { recordAudit } from '../db/audit.ts';
import { renewClaimForPost } from '../db/delivery-attempts.ts';
import {
  claimNewDelivery,
  finishDelivery,
  lastPeriodKeys,
  listSubscriptions,
  previousDelivery,
  reclaimableDeliveries,
  reclaimDelivery,
  type DeliveryKey,
  type SubscriptionRow,
} from '../db/digests.ts';
import { setMetaOnce } from '../db/meta.ts';
import type { DigestPlatform } from '../db/schema.ts';
import { buildDigest } from '../reports/digest.ts';
import { dueRuns, LATE_AFTER_MS } from './due-runs.ts';

export { RateLimitedError, retryAfterOf } from '../adapters/chat-adapter.ts';

/** Where digests go: each platform's ChatAdapter (see posters.ts). */
export interface DigestPoster {
  /** Posts (or finds an earlier attempt's message). A rate limit throws an error with `retryAfterMs`. */
  post(platform: DigestPlatform, channel: string, reply: Reply, opts: PostOptions): Promise<Posted>;
}

export interface DeliveryPolicy {
  /** A claim older than this without a message id is presumed dead and taken over. */
  leaseMs: number;
  /** Tries in all (the first included) before a delivery is marked failed. */
  maxAttempts: number;
  /** Wait before try 2, 3, …; the last value repeats. */
  backoffMs: readonly number[];
  /** A 429 asking to wait at most this long (in total, per delivery) is waited out inside the tick; longer is rescheduled. */
  maxInlineWaitMs: number;
  lateAfterMs: number;
  /** Deliveries worked on at once: one slow platform does not hold up the others. */
  concurrency: number;
}

export const DEFAULT_DELIVERY_POLICY: Readonly<DeliveryPolicy> = Object.freeze({
  leaseMs: 5 * 60_000,
  maxAttempts: 5,
  backoffMs: Object.freeze([60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000]),
  maxInlineWaitMs: 30_000,
  lateAfterMs: LATE_AFTER_MS,
  concurrency: 4,
});

export interface TickDeps {
  poster: DigestPoster;
  /** This process's claim token (`host:pid:random` by default). */
  processId?: string;
  renderChart?: (chart: ReplyChart) => Promise<Buffer>;
  sleep?: (ms: number) => Promise<void>;
  policy?: Partial<DeliveryPolicy>;
  /**
   * The real time, for claim leases, when `now` is not (`pulse digest tick --now` picks which slots
   * are due, but a lease stamped with a simulated time would let another process take over a live
   * claim). Defaults to `now`, which is the real time when the scheduler calls.
   */
  wallClock?: () => Date;
}

export type DeliveryResult = 'posted' | 'skipped' | 'retrying' | 'failed' | 'lost';

export interface DeliveryReport {
  subscriptionId: number;
  kind: string;
  platform: DigestPlatform;
  channel: string;
  periodKey: string;
  scheduledFor: string;
  late: boolean;
  /** Which try this was (1 = first). */
  attempt: number;
  result: DeliveryResult;
  messageId?: string;
  /** The message was found in the channel (an earlier attempt had posted it) rather than posted now. */
  found?: boolean;
  error?: string;
  nextAttemptAt?: string;
  /** Time spent waiting out rate limits inside this tick. */
  waitedMs?: number;
}

export interface TickReport {
  now: string;
  processId: string;
  deliveries: DeliveryReport[];
}

export function defaultProcessId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Who posts digests, as the audit log names it. */
export const DIGEST_ACTOR = 'pulse:digests';

interface Work {
  sub: SubscriptionRow;
  key: DeliveryKey;
  scheduledFor: Date;
  late: boolean;
  attempt: number;
  /** When an earlier attempt was about to post (it may have reached the platform), else null. */
  attemptedAt: string | null;
}

/** Something due that nobody may hold yet: claimed right before it is worked on. */
type Candidate = { claim: () => Promise<Work | undefined> };

export async function tick(ctx: Context, deps: TickDeps, now: Date = ctx.clock.now()): Promise<TickReport> {
  const policy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };
  const processId = deps.processId ?? defaultProcessId();
  const db = ctx.store.db;
  const leaseNow = () => (deps.wallClock ? deps.wallClock() : now);
  const leaseCutoff = () => new Date(leaseNow().getTime() - policy.leaseMs).toISOString();
  const subs = await listSubscriptions(db, { activeOnly: true });
  const byId = new Map(subs.map((s) => [s.subscription_id, s]));
  const lastKeys = await lastPeriodKeys(db);
  const installId = await setMetaOnce(db, 'install_id', randomUUID().replace(/-/g, '').slice(0, 8));
  const candidates: Candidate[] = [];

  for (const sub of subs) {
    let runs: ReturnType<typeof dueRuns>;
    try {
      runs = dueRuns(sub, lastKeys.get(sub.subscription_id) ?? null, now, policy.lateAfterMs);
    } catch (err) {
      ctx.log.error('digest subscription has a schedule that cannot be read', { subscription: sub.subscription_id, schedule: sub.schedule, error: err });
      continue;
    }
    for (const run of runs) {
      const key = { subscription_id: sub.subscription_id, period_key: run.periodKey };
      candidates.push({
        claim: async () => {
          const won = await claimNewDelivery(db, {
            ...key,
            scheduled_for: run.scheduledFor.toISOString(),
            late: run.late,
            claimed_by: processId,
            now: leaseNow().toISOString(),
          });
          return won ? { sub, key, scheduledFor: run.scheduledFor, late: run.late, attempt: 1, attemptedAt: null } : undefined;
        },
      });
    }
  }

  for (const row of await reclaimableDeliveries(db, leaseNow().toISOString(), leaseCutoff())) {
    const sub = byId.get(row.subscription_id);
    if (!sub) continue;
    const key = { subscription_id: row.subscription_id, period_key: row.period_key };
    candidates.push({
      claim: async () => {
        if (!(await reclaimDelivery(db, key, processId, leaseNow().toISOString(), leaseCutoff()))) return undefined;
        if (row.status === 'claimed')
          ctx.log.warn('digest delivery taken over after its claim expired', {
            subscription: key.subscription_id,
            period: key.period_key,
            previousHolder: row.claimed_by,
          });
        return { sub, key, scheduledFor: new Date(row.scheduled_for), late: row.late === 1, attempt: row.attempts + 1, attemptedAt: row.attempted_at };
      },
    });
  }

  const deliveries: DeliveryReport[] = [];
  await inPool(candidates, Math.max(1, policy.concurrency), async (c) => {
    const w = await c.claim();
    if (!w) return;
    const report = await deliver(ctx, deps, policy, processId, installId, w, now, leaseNow);
    deliveries.push(report);
    await auditDelivery(ctx, report);
  });
  deliveries.sort((a, b) => a.subscriptionId - b.subscriptionId || a.periodKey.localeCompare(b.periodKey));
  return { now: now.toISOString(), processId, deliveries };
}

/** The key a delivery's message carries: this store's install id, the subscription, the slot. */
export function deliveryKeyOf(installId: string, key: DeliveryKey): string {
  const slot = key.period_key
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace(/(T\d{4})\d{2}Z$/, '$1Z');
  return `${installId}/${key.subscription_id}/${slot}`;
}

async function deliver(
  ctx: Context,
  deps: TickDeps,
  policy: DeliveryPolicy,
  processId: string,
  installId: string,
  w: Work,
  now: Date,
  leaseNow: () => Date,
): Promise<DeliveryReport> {
  const db = ctx.store.db;
  const { sub, key } = w;
  const base = {
    subscriptionId: sub.subscription_id,
    kind: sub.kind,
    platform: sub.platform,
    channel: sub.channel,
    periodKey: key.period_key,
    scheduledFor: w.scheduledFor.toISOString(),
    late: w.late,
    attempt: w.attempt,
  };
  const stamp = () => ctx.clock.now().toISOString();
  let waitedMs = 0;
  try {
    const previous = await previousDelivery(db, sub.subscription_id, key.period_key);
    const built = await buildDigest(ctx, {
      kind: sub.kind,
      owner: sub.owner,
      segment: sub.segment,
      platform: sub.platform,
      scheduledFor: w.scheduledFor,
      since: previous ? new Date(previous.posted_at ?? previous.scheduled_for) : null,
      late: w.late,
      timeZone: sub.time_zone,
    });
    if (built.empty && sub.skip_if_empty === 1) {
      const reason = built.emptyReason ?? 'nothing to report';
      await finishDelivery(db, key, processId, { status: 'skipped', error: reason }, stamp());
      ctx.log.info('digest skipped: nothing to report', { subscription: sub.subscription_id, period: key.period_key, reason });
      return { ...base, result: 'skipped', error: reason };
    }
    // The one channel scrub, before anything is drawn from the reply: the chart's labels are text too.
    const reply = withoutPersonalData(built.reply);
    let png: Buffer | undefined;
    if (reply.chart) {
      try {
        // vega and resvg load on first use: start-up should not pay for charts it may never draw.
        png = await (deps.renderChart ?? (async (chart: ReplyChart) => (await import('./chart.ts')).renderChartPng(chart)))(reply.chart);
      } catch (err) {
        // The text is the digest; a chart that cannot be drawn is not a reason to post nothing.
        ctx.log.warn('digest chart could not be rendered; posting without it', { subscription: sub.subscription_id, error: err });
      }
    }
    const sleep = deps.sleep ?? realSleep;
    const deliveryKey = deliveryKeyOf(installId, key);
    let posted: Posted;
    for (;;) {
      // Building and waiting take time: renew the lease right before posting, and post only if this
      // process still holds the claim. From here on the message may reach the platform.
      if (!(await renewClaimForPost(db, key, processId, leaseNow().toISOString()))) {
        ctx.log.warn('digest claim lost before posting; another process has it', { subscription: sub.subscription_id, period: key.period_key });
        return { ...base, result: 'lost' };
      }
      try {
        const lookSince = w.attemptedAt ? new Date(w.attemptedAt) : undefined;
        posted = await deps.poster.post(sub.platform, sub.channel, reply, { deliveryKey, ...(png ? { chart: png } : {}), ...(lookSince ? { lookSince } : {}) });
        break;
      } catch (err) {
        const wait = retryAfterOf(err);
        if (wait === undefined || waitedMs + wait > policy.maxInlineWaitMs) throw err;
        ctx.log.warn('digest post rate limited; waiting', { subscription: sub.subscription_id, retryAfterMs: wait });
        await sleep(wait);
        waitedMs += wait;
      }
    }
    const messageId = posted.messageId;
    // The message is out: record its id before anything else can go wrong. From here on a failure
    // must not lead to a retry by this process; a takeover will find the message and record it.
    let recorded: boolean;
    try {
      recorded = await recordPosted(ctx, key, processId, messageId, stamp);
    } catch (err) {
      ctx.log.error('digest posted but its message id could not be recorded yet; a takeover will find the message', {
        subscription: sub.subscription_id,
        period: key.period_key,
        messageId,
        error: err,
      });
      return { ...base, result: 'lost', messageId, error: describeError(err), waitedMs };
    }
    if (!recorded) {
      ctx.log.error('digest posted but its claim had been taken over', { subscription: sub.subscription_id, period: key.period_key, messageId });
      return { ...base, result: 'lost', messageId, waitedMs };
    }
    if (posted.found)
      ctx.log.warn('digest found in the channel from an earlier attempt; recorded, not posted again', {
        subscription: sub.subscription_id,
        period: key.period_key,
        messageId,
      });
    ctx.log.info('digest posted', {
      subscription: sub.subscription_id,
      period: key.period_key,
      platform: sub.platform,
      channel: sub.channel,
      messageId,
      late: w.late,
    });
    return { ...base, result: 'posted', messageId, ...(posted.found ? { found: true } : {}), ...(waitedMs ? { waitedMs } : {}) };
  } catch (err) {
    const error = describeError(err);
    const rateLimit = retryAfterOf(err);
    if (w.attempt >= policy.maxAttempts) {
      await finishDelivery(db, key, processId, { status: 'failed', error }, stamp());
      ctx.log.error('digest delivery failed; giving up', { subscription: sub.subscription_id, period: key.period_key, attempts: w.attempt, error: err });
      return { ...base, result: 'failed', error, ...(waitedMs ? { waitedMs } : {}) };
    }
    const backoff = policy.backoffMs[Math.min(w.attempt - 1, policy.backoffMs.length - 1)] ?? 60_000;
    const nextAttemptAt = new Date(now.getTime() + waitedMs + Math.max(backoff, rateLimit ?? 0)).toISOString();
    await finishDelivery(db, key, processId, { status: 'retrying', error, next_attempt_at: nextAttemptAt }, stamp());
    ctx.log.warn('digest delivery failed; will retry', {
      subscription: sub.subscription_id,
      period: key.period_key,
      attempt: w.attempt,
      nextAttemptAt,
      error: err,
    });
    return { ...base, result: 'retrying', error, nextAttemptAt, ...(waitedMs ? { waitedMs } : {}) };
  }
}

/** Writes the message id; a failing write is tried again, since losing it costs a lookup later. */
async function recordPosted(ctx: Context, key: DeliveryKey, processId: string, messageId: string, stamp: () => string): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      const at = stamp();
      return await finishDelivery(
        ctx.store.db,
        key,
        processId,
        { status: 'posted', message_id: messageId, posted_at: at, error: null, next_attempt_at: null },
        at,
      );
    } catch (err) {
      if (i >= 4) throw err;
      ctx.log.warn('could not record a posted digest yet; trying again', { period: key.period_key, messageId, error: err });
      await realSleep(200 * 2 ** i);
    }
  }
}

/** Posts, skips and failures go to the audit log (retries are not outcomes yet). */
async function auditDelivery(ctx: Context, d: DeliveryReport): Promise<void> {
  if (d.result === 'retrying' || d.result === 'lost') return;
  await recordAudit(ctx.store.db, {
    at: ctx.clock.now().toISOString(),
    actorId: DIGEST_ACTOR,
    platform: d.platform,
    channel: `${d.platform}:${d.channel}`,
    command: `digest post ${d.kind}`,
    outcome: d.result === 'posted' ? 'ok' : d.result,
    detail: `#${d.subscriptionId} ${d.periodKey}${d.messageId ? ` message ${d.messageId}` : ''}${d.found ? ' (found from an earlier attempt)' : ''}`,
  }).catch((err: unknown) => ctx.log.warn('audit entry could not be written', { command: 'digest post', error: err }));
}

/** Runs `work` over `items`, at most `size` at once. */
async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

function describeError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 500 ? `${msg.slice(0, 499)}…` : msg;
}
