// Posting into a Slack channel (digests, shares), and the Web API client options. A channel sees no
// personal data: every post goes through withoutPersonalData. Rate limits come back as the one
// RateLimitedError (its Retry-After in milliseconds), never as a client sleeping inside a lease.
//
// A delivery (a digest for one period) carries its key in the message metadata. When an earlier
// attempt may have reached Slack (the poster died after Slack took the message, before Pulse wrote
// down its ts), the channel's history since that attempt is read back with its metadata
// (conversations.history, include_all_metadata) and the message found there is used instead of
// posting again.
import { webApi } from '@slack/bolt';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { withoutPersonalData, type Reply } from '../../core/reply.ts';
import { RateLimitedError, type PostOptions, type Posted } from '../chat-adapter.ts';
import { renderBlocks } from './render-blocks.ts';
import { slackLogger } from './slack-logger.ts';

export type SlackRetryPolicy = webApi.RetryOptions;

/**
 * Interactive answers must not hang for half an hour (the Web API client's default): a few retries
 * for network failures. A 429 is retried after its Retry-After whatever the policy's timeouts.
 */
export const DEFAULT_RETRY_POLICY: SlackRetryPolicy = Object.freeze({ retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000, randomize: true });

/** The metadata event type of a Pulse delivery; its payload's `delivery_key` names the delivery. */
export const DELIVERY_EVENT_TYPE = 'pulse_delivery';
/** How far back the lookup reads at most (pages of 200 messages). */
const LOOKUP_PAGES = 5;
/** Per request: a hung call must not hold a delivery (and its lease) for long. */
const POST_TIMEOUT_MS = 20_000;

/** `slack:C123` or `C123` → `C123`. */
export function slackChannelId(channel: string): string {
  return channel.replace(/^slack:/, '');
}

/** The Web API options for this config: SLACK_API_URL (tests, proxies) and the retry policy. */
export function slackClientOptions(config: Config, retryConfig: SlackRetryPolicy = DEFAULT_RETRY_POLICY): webApi.WebClientOptions {
  return {
    ...(config.slack.apiUrl ? { slackApiUrl: withSlash(config.slack.apiUrl) } : {}),
    retryConfig: { ...retryConfig },
  };
}

/**
 * The client posts go through: no retries (a timed-out post may have been accepted, and the outbox
 * decides on retries) and rate limits handed back instead of waited out.
 */
export function createPostingClient(ctx: { config: Config; log: Logger }): webApi.WebClient {
  if (!ctx.config.slack.botToken) throw new Error('Slack: SLACK_BOT_TOKEN is not set.');
  return new webApi.WebClient(ctx.config.slack.botToken, {
    ...slackClientOptions(ctx.config, { retries: 0 }),
    rejectRateLimitedCalls: true,
    timeout: POST_TIMEOUT_MS,
    logger: slackLogger(ctx.log),
  });
}

/**
 * Posts `reply` (without personal data) into `channel`, the chart (if any) into its thread; with a
 * delivery key, the message carries it and an earlier attempt is looked up first when asked.
 */
export async function postToSlackChannel(client: webApi.WebClient, log: Logger, channel: string, reply: Reply, opts: PostOptions = {}): Promise<Posted> {
  const id = slackChannelId(channel);
  return rateLimited(async () => {
    if (opts.deliveryKey && opts.lookSince) {
      const ts = await findDelivery(client, id, opts.deliveryKey, opts.lookSince);
      if (ts) return { messageId: ts, found: true };
    }
    const channelReply = withoutPersonalData(reply);
    const { text, blocks } = renderBlocks(channelReply);
    const res = await client.chat.postMessage({
      channel: id,
      text,
      blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(opts.deliveryKey ? { metadata: { event_type: DELIVERY_EVENT_TYPE, event_payload: { delivery_key: opts.deliveryKey } } } : {}),
    });
    if (!res.ok || !res.ts) throw new Error(`chat.postMessage failed: ${res.error ?? 'no ts in the answer'}`);
    if (opts.chart) {
      // The message is out: a chart that fails to upload is logged, never retried as a whole.
      try {
        await client.filesUploadV2({ channel_id: id, thread_ts: res.ts, file: opts.chart, filename: 'chart.png', title: channelReply.chart?.title ?? 'chart' });
      } catch (err) {
        log.warn('slack: the chart could not be uploaded (needs the files:write scope)', { channel: id, error: err });
      }
    }
    return { messageId: res.ts, found: false };
  });
}

/**
 * The ts of the message in `channel` that carries `deliveryKey`, posted no earlier than `since`,
 * or undefined. Needs channels:history (groups:history for private channels); a failure throws, so
 * that a delivery is retried rather than posted twice blindly.
 */
export async function findDelivery(client: webApi.WebClient, channel: string, deliveryKey: string, since: Date): Promise<string | undefined> {
  // A minute of slack for clocks that disagree.
  const oldest = ((since.getTime() - 60_000) / 1000).toFixed(6);
  let cursor: string | undefined;
  for (let page = 0; page < LOOKUP_PAGES; page++) {
    const res = await client.conversations.history({ channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
    for (const m of res.messages ?? []) {
      const meta = (m as { metadata?: { event_type?: string; event_payload?: { delivery_key?: unknown } } }).metadata;
      if (meta?.event_type === DELIVERY_EVENT_TYPE && meta.event_payload?.delivery_key === deliveryKey && m.ts) return m.ts;
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) return undefined;
  }
  return undefined;
}

/** Slack's rate-limit error as RateLimitedError; anything else as it came. */
async function rateLimited<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: string; retryAfter?: number };
    if (e.code === webApi.ErrorCode.RateLimitedError)
      throw new RateLimitedError((e.retryAfter ?? 1) * 1000, `Slack rate limit: retry after ${e.retryAfter ?? 1} s`);
    throw err;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
