import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/core/logger.ts';
import type { Context } from '../../src/core/context.ts';
import { fixedClock } from '../../src/core/time.ts';
import { claimNewDelivery, getDelivery, recentDeliveries } from '../../src/db/digests.ts';
import { openStore } from '../../src/db/store.ts';
import { startDigestScheduler } from '../../src/digests/scheduler.ts';
import { RateLimitedError, tick, type TickDeps } from '../../src/digests/tick.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { countingSleep, noChart, recordingPoster, subscribe } from './helpers/digests.ts';

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

const at = (iso: string) => new Date(iso);
const deps = (poster: TickDeps['poster'], extra: Partial<TickDeps> = {}): TickDeps => ({ poster, renderChart: noChart, processId: 'test-process', ...extra });

describe('digest tick: the hour across daylight-saving changes', () => {
  it('GIVEN Europe/Berlin 09:00 Mondays WHEN ticking around the March 2026 change THEN it posts at 09:00 local on both sides (08:00Z, then 07:00Z)', async () => {
    ctx = await makeTestContext({}, '2026-03-22T00:00:00Z');
    const sub = await subscribe(ctx, { created_at: '2026-03-22T00:00:00Z' });
    const poster = recordingPoster();
    const d = deps(poster);
    expect((await tick(ctx, d, at('2026-03-23T07:59:00Z'))).deliveries).toEqual([]);
    const first = await tick(ctx, d, at('2026-03-23T08:00:00Z'));
    expect(first.deliveries).toMatchObject([{ subscriptionId: sub.subscription_id, scheduledFor: '2026-03-23T08:00:00.000Z', late: false, result: 'posted' }]);
    expect((await tick(ctx, d, at('2026-03-23T08:01:00Z'))).deliveries).toEqual([]);
    expect((await tick(ctx, d, at('2026-03-30T06:00:00Z'))).deliveries).toEqual([]); // 08:00 CEST
    expect((await tick(ctx, d, at('2026-03-30T06:59:00Z'))).deliveries).toEqual([]);
    const second = await tick(ctx, d, at('2026-03-30T07:00:00Z'));
    expect(second.deliveries).toMatchObject([{ scheduledFor: '2026-03-30T07:00:00.000Z', late: false, result: 'posted' }]);
    expect(poster.posts).toHaveLength(2);
  });

  it('GIVEN Europe/Berlin 09:00 Mondays WHEN ticking around the October 2026 change THEN it posts at 09:00 local on both sides (07:00Z, then 08:00Z)', async () => {
    ctx = await makeTestContext({}, '2026-10-18T00:00:00Z');
    await subscribe(ctx, { created_at: '2026-10-18T00:00:00Z' });
    const poster = recordingPoster();
    const d = deps(poster);
    expect((await tick(ctx, d, at('2026-10-19T06:59:00Z'))).deliveries).toEqual([]);
    expect((await tick(ctx, d, at('2026-10-19T07:00:00Z'))).deliveries).toMatchObject([
      { scheduledFor: '2026-10-19T07:00:00.000Z', result: 'posted', late: false },
    ]);
    expect((await tick(ctx, d, at('2026-10-26T07:00:00Z'))).deliveries).toEqual([]); // 08:00 CET
    expect((await tick(ctx, d, at('2026-10-26T07:59:00Z'))).deliveries).toEqual([]);
    expect((await tick(ctx, d, at('2026-10-26T08:00:00Z'))).deliveries).toMatchObject([
      { scheduledFor: '2026-10-26T08:00:00.000Z', result: 'posted', late: false },
    ]);
    expect(poster.posts).toHaveLength(2);
  });
});

describe('digest tick: exactly once', () => {
  it('GIVEN a process that claimed a period and crashed before posting WHEN later ticks run THEN nothing is posted while its lease lasts, then it is retried and posted once', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    const sub = await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    const key = { subscription_id: sub.subscription_id, period_key: '2026-11-02T08:00:00.000Z' };
    // The crashed process: its claim is in the outbox, nothing was posted, no message id recorded.
    expect(
      await claimNewDelivery(ctx.store.db, {
        ...key,
        scheduled_for: key.period_key,
        late: false,
        claimed_by: 'crashed-process',
        now: '2026-11-02T08:00:00.000Z',
      }),
    ).toBe(true);
    const poster = recordingPoster();
    const d = deps(poster);
    expect((await tick(ctx, d, at('2026-11-02T08:01:00Z'))).deliveries).toEqual([]);
    expect((await tick(ctx, d, at('2026-11-02T08:04:59Z'))).deliveries).toEqual([]);
    expect(poster.posts).toHaveLength(0);
    const retry = await tick(ctx, d, at('2026-11-02T08:05:00Z'));
    expect(retry.deliveries).toMatchObject([{ periodKey: key.period_key, attempt: 2, result: 'posted', messageId: 'm1' }]);
    for (const t of ['2026-11-02T08:06:00Z', '2026-11-02T08:30:00Z', '2026-11-02T12:00:00Z']) expect((await tick(ctx, d, at(t))).deliveries).toEqual([]);
    expect(poster.posts).toHaveLength(1);
    expect(await getDelivery(ctx.store.db, key)).toMatchObject({ status: 'posted', message_id: 'm1', attempts: 2, claimed_by: 'test-process' });
  });

  it('GIVEN a tick whose post throws after the claim THEN the period is retried later and posted once, never twice', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    const poster = recordingPoster({
      behave: (call) => {
        if (call === 1) throw new Error('socket hang up');
      },
    });
    const d = deps(poster);
    expect((await tick(ctx, d, at('2026-11-02T08:00:00Z'))).deliveries).toMatchObject([
      { result: 'retrying', error: 'socket hang up', nextAttemptAt: '2026-11-02T08:01:00.000Z' },
    ]);
    expect((await tick(ctx, d, at('2026-11-02T08:00:30Z'))).deliveries).toEqual([]);
    expect((await tick(ctx, d, at('2026-11-02T08:01:00Z'))).deliveries).toMatchObject([{ result: 'posted', attempt: 2 }]);
    expect((await tick(ctx, d, at('2026-11-02T08:02:00Z'))).deliveries).toEqual([]);
    expect(poster.posts).toHaveLength(1);
  });

  it('GIVEN two schedulers, each with its own connection to ONE SQLite file, ticking the same instant THEN the digest is posted once', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', kind: 'satisfaction' });
    const otherStore = await openStore(ctx.config.databaseUrl);
    const other: Context = { store: otherStore, config: ctx.config, log: createLogger('silent'), clock: fixedClock('2026-11-02T08:00:00Z') };
    try {
      // One shared platform, a slow one, so the two ticks interleave at every await.
      const poster = recordingPoster({ delayMs: 20 });
      const now = at('2026-11-02T08:00:00Z');
      const [a, b] = await Promise.all([tick(ctx, deps(poster, { processId: 'replica-a' }), now), tick(other, deps(poster, { processId: 'replica-b' }), now)]);
      expect(poster.posts).toHaveLength(2); // two subscriptions, one post each
      expect(new Set(poster.posts.map((p) => p.reply.title?.split(' ·')[0]))).toEqual(new Set(['At-risk customers', 'Weekly satisfaction']));
      expect(a.deliveries.length + b.deliveries.length).toBe(2);
      const again = await Promise.all([
        tick(ctx, deps(poster, { processId: 'replica-a' }), at('2026-11-02T08:01:00Z')),
        tick(other, deps(poster, { processId: 'replica-b' }), at('2026-11-02T08:01:00Z')),
      ]);
      expect(again.flatMap((r) => r.deliveries)).toEqual([]);
      expect(poster.posts).toHaveLength(2);
    } finally {
      await otherStore.close();
    }
  });
});

describe('digest scheduler: catch-up at start', () => {
  it('GIVEN the bot was down over a Monday WHEN it starts on Wednesday THEN that Monday is posted once, marked late; a second start posts nothing', async () => {
    ctx = await makeTestContext({}, '2026-11-11T10:00:00Z');
    await subscribe(ctx, { created_at: '2026-11-06T12:00:00Z' });
    const poster = recordingPoster();
    const first = startDigestScheduler(ctx, deps(poster));
    const report = await first.catchUp;
    await first.stop();
    expect(report?.deliveries).toMatchObject([{ periodKey: '2026-11-09T08:00:00.000Z', late: true, result: 'posted' }]);
    expect(poster.posts[0]!.reply.footer).toMatch(/Posted late: due Mon, 9 Nov 2026, 09:00 CET/);
    const second = startDigestScheduler(ctx, deps(poster));
    expect((await second.catchUp)?.deliveries).toEqual([]);
    await second.stop();
    expect(poster.posts).toHaveLength(1);
    const [row] = await recentDeliveries(ctx.store.db, 10);
    expect(row).toMatchObject({ status: 'posted', late: 1 });
  });

  it('GIVEN three Mondays missed THEN only the latest is caught up', async () => {
    ctx = await makeTestContext({}, '2026-11-18T10:00:00Z');
    await subscribe(ctx, { created_at: '2026-10-20T12:00:00Z' });
    const poster = recordingPoster();
    const s = startDigestScheduler(ctx, deps(poster));
    const report = await s.catchUp;
    await s.stop();
    expect(report?.deliveries.map((d) => d.periodKey)).toEqual(['2026-11-16T08:00:00.000Z']);
    expect(poster.posts).toHaveLength(1);
  });
});

describe('digest tick: rate limits and failures', () => {
  it('GIVEN the platform answers 429 with a short Retry-After THEN the tick waits it out and posts once', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    const poster = recordingPoster({
      behave: (call) => {
        if (call === 1) throw new RateLimitedError(1_500);
      },
    });
    const { sleep, waits } = countingSleep();
    const report = await tick(ctx, deps(poster, { sleep }), at('2026-11-02T08:00:00Z'));
    expect(report.deliveries).toMatchObject([{ result: 'posted', waitedMs: 1_500, attempt: 1 }]);
    expect(waits).toEqual([1_500]);
    expect(poster.calls).toBe(2);
    expect(poster.posts).toHaveLength(1);
  });

  it('GIVEN a 429 asking for two minutes THEN the delivery is rescheduled for then, not waited for inside the tick', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    const poster = recordingPoster({
      behave: (call) => {
        if (call === 1) throw new RateLimitedError(120_000);
      },
    });
    const { sleep, waits } = countingSleep();
    const d = deps(poster, { sleep });
    expect((await tick(ctx, d, at('2026-11-02T08:00:00Z'))).deliveries).toMatchObject([{ result: 'retrying', nextAttemptAt: '2026-11-02T08:02:00.000Z' }]);
    expect((await tick(ctx, d, at('2026-11-02T08:01:00Z'))).deliveries).toEqual([]);
    expect((await tick(ctx, d, at('2026-11-02T08:02:00Z'))).deliveries).toMatchObject([{ result: 'posted', attempt: 2 }]);
    expect(waits).toEqual([]);
    expect(poster.posts).toHaveLength(1);
  });

  it('GIVEN a channel that always refuses THEN the delivery is retried with backoff, then marked failed with its error in history', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', platform: 'slack', channel: 'C0GONE' });
    const poster = recordingPoster({
      behave: () => {
        throw new Error('An API error occurred: channel_not_found');
      },
    });
    const d = deps(poster);
    const results: string[] = [];
    const start = Date.parse('2026-11-02T08:00:00Z');
    for (let minute = 0; minute <= 120; minute++) {
      for (const r of (await tick(ctx, d, new Date(start + minute * 60_000))).deliveries) results.push(`${minute}:${r.result}`);
    }
    expect(results).toEqual(['0:retrying', '1:retrying', '6:retrying', '21:retrying', '81:failed']);
    const [row] = await recentDeliveries(ctx.store.db, 5);
    expect(row).toMatchObject({ status: 'failed', attempts: 5, error: 'An API error occurred: channel_not_found', message_id: null });
  });
});

describe('digest tick: skip-if-empty', () => {
  it('GIVEN skip-if-empty and nothing to report THEN nothing is posted and the period is recorded as skipped with the reason', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    const atRisk = await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', skip_if_empty: true });
    const satisfaction = await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', kind: 'satisfaction', skip_if_empty: true });
    const always = await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', kind: 'satisfaction' });
    const poster = recordingPoster();
    const report = await tick(ctx, deps(poster), at('2026-11-02T08:00:00Z'));
    const by = new Map(report.deliveries.map((d) => [d.subscriptionId, d]));
    expect(by.get(atRisk.subscription_id)).toMatchObject({ result: 'skipped', error: 'no insights yet (no refresh has run)' });
    expect(by.get(satisfaction.subscription_id)).toMatchObject({ result: 'skipped', error: 'no survey responses in the week' });
    expect(by.get(always.subscription_id)).toMatchObject({ result: 'posted' });
    expect(poster.posts).toHaveLength(1);
    const rows = await recentDeliveries(ctx.store.db, 10);
    expect(rows.filter((r) => r.status === 'skipped')).toHaveLength(2);
    expect((await tick(ctx, deps(poster), at('2026-11-02T08:05:00Z'))).deliveries).toEqual([]);
  });
});

describe('digest tick: claims per delivery', () => {
  it('GIVEN a post that stalls THEN only its own delivery is held: another replica delivers the rest meanwhile, each once', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', kind: 'satisfaction' });
    const otherStore = await openStore(ctx.config.databaseUrl);
    const other: Context = { store: otherStore, config: ctx.config, log: createLogger('silent'), clock: fixedClock('2026-11-02T08:00:00Z') };
    try {
      let unstall!: () => void;
      const stalled = new Promise<void>((r) => (unstall = r));
      let stalledKey: string | undefined;
      const slow = recordingPoster();
      const stalling: TickDeps['poster'] = {
        async post(platform, channel, reply, opts) {
          stalledKey ??= opts.deliveryKey;
          await stalled;
          return slow.post(platform, channel, reply, opts);
        },
      };
      const fast = recordingPoster();
      const now = at('2026-11-02T08:00:00Z');
      const a = tick(ctx, deps(stalling, { processId: 'replica-a', policy: { concurrency: 1 } }), now);
      await vi.waitFor(() => expect(stalledKey).toBeDefined());
      const b = await tick(other, deps(fast, { processId: 'replica-b' }), now);
      expect(b.deliveries).toHaveLength(1);
      expect(b.deliveries[0]).toMatchObject({ result: 'posted' });
      unstall();
      const done = await a;
      expect(done.deliveries).toHaveLength(1);
      expect(fast.posts.length + slow.posts.length).toBe(2);
      expect(new Set([...fast.posts, ...slow.posts].map((p) => p.deliveryKey)).size).toBe(2);
    } finally {
      await otherStore.close();
    }
  });

  it('GIVEN a takeover of an attempt that may have reached the platform THEN the poster looks for it first; a fresh one does not', async () => {
    ctx = await makeTestContext({}, '2026-11-01T00:00:00Z');
    const sub = await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', kind: 'satisfaction' });
    const key = { subscription_id: sub.subscription_id, period_key: '2026-11-02T08:00:00.000Z' };
    await claimNewDelivery(ctx.store.db, { ...key, scheduled_for: key.period_key, late: false, claimed_by: 'dead', now: '2026-11-02T08:00:00.000Z' });
    await ctx.store.db
      .updateTable('digest_deliveries')
      .set({ attempted_at: '2026-11-02T08:00:01.000Z' })
      .where('subscription_id', '=', key.subscription_id)
      .execute();
    const seen: { subscription: number; lookSince?: string; deliveryKey?: string }[] = [];
    const poster: TickDeps['poster'] = {
      async post(_p, _c, reply, opts) {
        seen.push({
          subscription: reply.title?.startsWith('At-risk') ? 1 : 2,
          ...(opts.lookSince ? { lookSince: opts.lookSince.toISOString() } : {}),
          ...(opts.deliveryKey ? { deliveryKey: opts.deliveryKey } : {}),
        });
        return { messageId: `m${seen.length}`, found: Boolean(opts.lookSince) };
      },
    };
    const report = await tick(ctx, deps(poster), at('2026-11-02T08:06:00Z'));
    expect(report.deliveries.map((d) => [d.subscriptionId, d.result, d.found ?? false])).toEqual([
      [1, 'posted', true],
      [2, 'posted', false],
    ]);
    expect(seen.find((s) => s.subscription === 1)).toMatchObject({
      lookSince: '2026-11-02T08:00:01.000Z',
      deliveryKey: expect.stringMatching(/^[0-9a-f]{8}\/1\/20261102T0800Z$/),
    });
    expect(seen.find((s) => s.subscription === 2)?.lookSince).toBeUndefined();
  });
});
