// One scheduler tick: deliver exactly what is due at `now`. The minute scheduler, the catch-up at
// start and `pulse digest tick --now ISO` all call this.
//
// For each active subscription the newest due slot is claimed by INSERTing its outbox row (the
// primary key makes the claim exclusive across processes); deliveries whose retry time has come, or
// whose holder vanished (claimed longer than the lease ago, no message id), are taken over by a
// conditional UPDATE. The holder builds the digest, renders the chart, posts, and records the
// message id at once. A crash between claim and post leaves a claimed row without a message id:
// after the lease another tick takes it over and posts — once. (A crash after the platform accepted
// the post but before the id was written cannot be told apart from a lost post: that window is a
// single local UPDATE, and is the one place a duplicate remains possible.)
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Context } from '../core/context.ts';
import type { Reply, ReplyChart } from '../core/reply.ts';
import { claimNewDelivery, finishDelivery, lastPeriodKeys, listSubscriptions, previousDelivery, reclaimableDeliveries, reclaimDelivery, renewClaim, type DeliveryKey, type SubscriptionRow } from '../db/digests.ts';
import type { DigestPlatform } from '../db/schema.ts';
import { buildDigest } from '../reports/digest.ts';
import { dueRuns, LATE_AFTER_MS } from './due-runs.ts';

/** Sends a digest to a platform. Adapters provide real ones; see posters.ts. */
export interface DigestPoster {
  /** Posts and returns the platform's message id. A rate limit throws an error with `retryAfterMs`. */
  post(platform: DigestPlatform, channel: string, reply: Reply, png?: Buffer): Promise<{ messageId: string }>;
}

/** What a poster throws on HTTP 429 (any error with a numeric `retryAfterMs` is treated alike). */
export class RateLimitedError extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = `rate limited: retry after ${Math.ceil(retryAfterMs / 1000)} s`) {
    super(message);
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

export function retryAfterOf(err: unknown): number | undefined {
  const v = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
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
}

export const DEFAULT_DELIVERY_POLICY: Readonly<DeliveryPolicy> = Object.freeze({
  leaseMs: 5 * 60_000,
  maxAttempts: 5,
  backoffMs: Object.freeze([60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000]),
  maxInlineWaitMs: 30_000,
  lateAfterMs: LATE_AFTER_MS,
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

interface Work {
  sub: SubscriptionRow;
  key: DeliveryKey;
  scheduledFor: Date;
  late: boolean;
  attempt: number;
}

export async function tick(ctx: Context, deps: TickDeps, now: Date = ctx.clock.now()): Promise<TickReport> {
  const policy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };
  const processId = deps.processId ?? defaultProcessId();
  const db = ctx.store.db;
  const nowIso = now.toISOString();
  const leaseNow = deps.wallClock ? deps.wallClock() : now;
  const leaseIso = leaseNow.toISOString();
  const leaseCutoff = new Date(leaseNow.getTime() - policy.leaseMs).toISOString();
  const subs = await listSubscriptions(db, { activeOnly: true });
  const byId = new Map(subs.map((s) => [s.subscription_id, s]));
  const lastKeys = await lastPeriodKeys(db);
  const work: Work[] = [];

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
      const won = await claimNewDelivery(db, { ...key, scheduled_for: run.scheduledFor.toISOString(), late: run.late, claimed_by: processId, now: leaseIso });
      if (won) work.push({ sub, key, scheduledFor: run.scheduledFor, late: run.late, attempt: 1 });
    }
  }

  for (const row of await reclaimableDeliveries(db, leaseIso, leaseCutoff)) {
    const sub = byId.get(row.subscription_id);
    if (!sub) continue;
    const key = { subscription_id: row.subscription_id, period_key: row.period_key };
    if (await reclaimDelivery(db, key, processId, leaseIso, leaseCutoff)) {
      if (row.status === 'claimed') ctx.log.warn('digest delivery taken over after its claim expired', { subscription: key.subscription_id, period: key.period_key, previousHolder: row.claimed_by });
      work.push({ sub, key, scheduledFor: new Date(row.scheduled_for), late: row.late === 1, attempt: row.attempts + 1 });
    }
  }

  const deliveries: DeliveryReport[] = [];
  for (const w of work) deliveries.push(await deliver(ctx, deps, policy, processId, w, now, () => (deps.wallClock ? deps.wallClock() : now)));
  return { now: nowIso, processId, deliveries };
}

async function deliver(ctx: Context, deps: TickDeps, policy: DeliveryPolicy, processId: string, w: Work, now: Date, leaseNow: () => Date): Promise<DeliveryReport> {
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
    let png: Buffer | undefined;
    if (built.reply.chart) {
      try {
        // vega and resvg load on first use: start-up should not pay for charts it may never draw.
        png = await (deps.renderChart ?? (async (chart: ReplyChart) => (await import('./chart.ts')).renderChartPng(chart)))(built.reply.chart);
      } catch (err) {
        // The text is the digest; a chart that cannot be drawn is not a reason to post nothing.
        ctx.log.warn('digest chart could not be rendered; posting without it', { subscription: sub.subscription_id, error: err });
      }
    }
    const sleep = deps.sleep ?? realSleep;
    let messageId: string;
    for (;;) {
      // Building and waiting take time: renew the lease right before posting, and post only if
      // this process still holds the claim (another replica may have taken an expired one over).
      if (!(await renewClaim(db, key, processId, leaseNow().toISOString()))) {
        ctx.log.warn('digest claim lost before posting; another process has it', { subscription: sub.subscription_id, period: key.period_key });
        return { ...base, result: 'lost' };
      }
      try {
        ({ messageId } = await deps.poster.post(sub.platform, sub.channel, built.reply, png));
        break;
      } catch (err) {
        const wait = retryAfterOf(err);
        if (wait === undefined || waitedMs + wait > policy.maxInlineWaitMs) throw err;
        ctx.log.warn('digest post rate limited; waiting', { subscription: sub.subscription_id, retryAfterMs: wait });
        await sleep(wait);
        waitedMs += wait;
      }
    }
    // The message is out: record its id before anything else can go wrong. From here on a failure
    // must not lead to a retry (that would post it again), so it never reaches the catch below.
    let recorded: boolean;
    try {
      recorded = await recordPosted(ctx, key, processId, messageId, stamp);
    } catch (err) {
      ctx.log.error('digest posted but its message id could not be recorded: it may be posted again after the lease', { subscription: sub.subscription_id, period: key.period_key, messageId, error: err });
      return { ...base, result: 'lost', messageId, error: describeError(err), waitedMs };
    }
    if (!recorded) {
      ctx.log.error('digest posted but its claim had been taken over: it may have been posted twice', { subscription: sub.subscription_id, period: key.period_key, messageId });
      return { ...base, result: 'lost', messageId, waitedMs };
    }
    ctx.log.info('digest posted', { subscription: sub.subscription_id, period: key.period_key, platform: sub.platform, channel: sub.channel, messageId, late: w.late });
    return { ...base, result: 'posted', messageId, ...(waitedMs ? { waitedMs } : {}) };
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
    ctx.log.warn('digest delivery failed; will retry', { subscription: sub.subscription_id, period: key.period_key, attempt: w.attempt, nextAttemptAt, error: err });
    return { ...base, result: 'retrying', error, nextAttemptAt, ...(waitedMs ? { waitedMs } : {}) };
  }
}

/** Writes the message id; a failing write is tried again, since losing it means a duplicate later. */
async function recordPosted(ctx: Context, key: DeliveryKey, processId: string, messageId: string, stamp: () => string): Promise<boolean> {
  for (let i = 0; ; i++) {
    try {
      const at = stamp();
      return await finishDelivery(ctx.store.db, key, processId, { status: 'posted', message_id: messageId, posted_at: at, error: null, next_attempt_at: null }, at);
    } catch (err) {
      if (i >= 4) throw err;
      ctx.log.warn('could not record a posted digest yet; trying again', { period: key.period_key, messageId, error: err });
      await realSleep(200 * 2 ** i);
    }
  }
}

function describeError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 500 ? `${msg.slice(0, 499)}…` : msg;
}
