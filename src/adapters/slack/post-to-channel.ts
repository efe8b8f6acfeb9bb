// Posting a Reply into a Slack channel (digests, "Share in channel"), and the Web API client that
// does it. A channel sees no personal data: the reply is always posted through withoutPersonalData.
import { webApi } from '@slack/bolt';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { withoutPersonalData, type Reply } from '../../core/reply.ts';
import { renderBlocks } from './render-blocks.ts';
import { slackLogger } from './slack-logger.ts';

export type SlackRetryPolicy = webApi.RetryOptions;

/**
 * Interactive answers must not hang for half an hour (the Web API client's default): a few retries
 * for network failures. A 429 is retried after its Retry-After whatever the policy's timeouts.
 */
export const DEFAULT_RETRY_POLICY: SlackRetryPolicy = Object.freeze({ retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000, randomize: true });

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

/** A Web API client for code outside a Slack request (the digest scheduler), logging through ctx.log. */
export function createSlackClient(ctx: { config: Config; log: Logger }, opts: { retryConfig?: SlackRetryPolicy } = {}): webApi.WebClient {
  if (!ctx.config.slack.botToken) throw new Error('Slack: SLACK_BOT_TOKEN is not set.');
  return new webApi.WebClient(ctx.config.slack.botToken, { ...slackClientOptions(ctx.config, opts.retryConfig), logger: slackLogger(ctx.log) });
}

/**
 * Posts `reply` (without personal data) into `channel` with chat.postMessage and returns the
 * message ts. Rate limits (429 + Retry-After) are waited out by the client; any other failure
 * throws the Web API error (its `data.error` is Slack's code, e.g. `not_in_channel`).
 */
export async function postToSlackChannel(client: webApi.WebClient, channel: string, reply: Reply, opts: { threadTs?: string } = {}): Promise<string> {
  const { text, blocks } = renderBlocks(withoutPersonalData(reply));
  const res = await client.chat.postMessage({ channel: slackChannelId(channel), text, blocks, unfurl_links: false, unfurl_media: false, ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}) });
  if (!res.ok || !res.ts) throw new Error(`chat.postMessage failed: ${res.error ?? 'no ts in the answer'}`);
  return res.ts;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
