// Shared pieces of the digest tests: a poster that records, a sleep that only counts, subscriptions.
import type { Context } from '../../../src/core/context.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { insertSubscription, type NewSubscription, type SubscriptionRow } from '../../../src/db/digests.ts';
import type { DigestPlatform } from '../../../src/db/schema.ts';
import type { DigestPoster } from '../../../src/digests/tick.ts';

export interface Post {
  platform: DigestPlatform;
  channel: string;
  reply: Reply;
  png?: Buffer;
  deliveryKey?: string;
  messageId: string;
}

export interface RecordingPoster extends DigestPoster {
  posts: Post[];
  calls: number;
}

/** Records every post; `behave(n)` may throw to play a failing platform on call n (1-based). */
export function recordingPoster(opts: { delayMs?: number; behave?: (call: number) => void } = {}): RecordingPoster {
  const poster: RecordingPoster = {
    posts: [],
    calls: 0,
    async post(platform, channel, reply, postOpts) {
      const call = ++poster.calls;
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      opts.behave?.(call);
      const messageId = `m${poster.posts.length + 1}`;
      poster.posts.push({
        platform,
        channel,
        reply,
        ...(postOpts.chart ? { png: postOpts.chart } : {}),
        ...(postOpts.deliveryKey ? { deliveryKey: postOpts.deliveryKey } : {}),
        messageId,
      });
      return { messageId, found: false };
    },
  };
  return poster;
}

export function countingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

export function subscribe(ctx: Context, s: Partial<NewSubscription> & { created_at: string }): Promise<SubscriptionRow> {
  return insertSubscription(ctx.store.db, {
    platform: 'console',
    channel: 'console',
    kind: 'at-risk',
    schedule: '0 9 * * 1',
    time_zone: 'Europe/Berlin',
    owner: null,
    segment: null,
    skip_if_empty: false,
    created_by: 'console:test',
    ...s,
  });
}

/** Renders nothing: tick tests that are not about charts skip the 75 ms. */
export const noChart = async () => Buffer.from('png');
