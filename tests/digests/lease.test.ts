import { afterEach, describe, expect, it } from 'vitest';
import { claimNewDelivery, reclaimDelivery, renewClaim } from '../../src/db/digests.ts';
import { tick } from '../../src/digests/tick.ts';
import { makeTestContext, type TestContext } from '../helpers/context.ts';
import { noChart, recordingPoster, subscribe } from './helpers/digests.ts';

let ctx: TestContext;
afterEach(async () => ctx?.cleanup());

describe('digest claim leases', () => {
  it('GIVEN a claim taken over after its lease THEN the first holder can no longer renew it, so it does not post', async () => {
    ctx = await makeTestContext({}, '2026-11-02T07:00:00Z');
    const sub = await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z' });
    const key = { subscription_id: sub.subscription_id, period_key: '2026-11-02T08:00:00.000Z' };
    expect(await claimNewDelivery(ctx.store.db, { ...key, scheduled_for: key.period_key, late: false, claimed_by: 'slow-a', now: '2026-11-02T08:00:00.000Z' })).toBe(true);
    expect(await renewClaim(ctx.store.db, key, 'slow-a', '2026-11-02T08:02:00.000Z')).toBe(true);
    // Lease (5 min) counted from the renewal: a takeover at 08:06 is refused, at 08:08 allowed.
    expect(await reclaimDelivery(ctx.store.db, key, 'fast-b', '2026-11-02T08:06:00.000Z', '2026-11-02T08:01:00.000Z')).toBe(false);
    expect(await reclaimDelivery(ctx.store.db, key, 'fast-b', '2026-11-02T08:08:00.000Z', '2026-11-02T08:03:00.000Z')).toBe(true);
    expect(await renewClaim(ctx.store.db, key, 'slow-a', '2026-11-02T08:08:30.000Z')).toBe(false);
  });

  it('GIVEN pulse digest tick --now in the future THEN a live claim made by the bot is not taken over', async () => {
    ctx = await makeTestContext({}, '2026-11-02T08:00:00Z');
    await subscribe(ctx, { created_at: '2026-10-01T00:00:00Z' });
    const poster = recordingPoster();
    // The bot claims Monday's period now (lease stamped with the real time, 08:00) …
    const key = { subscription_id: 1, period_key: '2026-11-02T09:00:00.000Z' };
    await claimNewDelivery(ctx.store.db, { ...key, scheduled_for: key.period_key, late: false, claimed_by: 'bot', now: '2026-11-02T08:00:00.000Z' });
    // … and someone runs a tick "as of" next week, with the real clock still at 08:00.
    const report = await tick(ctx, { poster, renderChart: noChart, processId: 'cli', wallClock: () => ctx.clock.now() }, new Date('2026-11-09T09:00:00Z'));
    expect(report.deliveries.map((d) => d.periodKey)).not.toContain(key.period_key);
  });
});
