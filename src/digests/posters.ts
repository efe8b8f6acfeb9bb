// DigestPosters: where a digest goes. The console poster prints; the Slack and Discord posters are
// thin wrappers around the adapters' own `postTo…Channel` (rendering and limits stay theirs) that
// turn a platform's rate-limit answer into a `RateLimitedError`, so the tick decides whether to
// wait (≤ 30 s) or reschedule instead of a client library sleeping for minutes inside the lease.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderText } from '../adapters/console/render-text.ts';
import { discordConfigured, slackConfigured } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import type { Reply } from '../core/reply.ts';
import type { DigestPlatform } from '../db/schema.ts';
import { RateLimitedError, type DigestPoster } from './tick.ts';

export interface ConsolePosterOptions {
  /** Where the text goes (stdout by default; `pulse digest tick --json` passes stderr). */
  write?: (text: string) => void;
  /** Save chart PNGs here (the console cannot show them). */
  chartDir?: string;
}

export function consolePoster(opts: ConsolePosterOptions = {}): DigestPoster {
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  return {
    async post(platform, channel, reply, png) {
      const messageId = `console-${randomUUID().slice(0, 8)}`;
      let chartNote = '';
      if (png) {
        if (opts.chartDir) {
          mkdirSync(opts.chartDir, { recursive: true });
          const file = join(opts.chartDir, `${messageId}.png`);
          writeFileSync(file, png);
          chartNote = `\n[chart: ${file}]`;
        } else {
          chartNote = `\n[chart: ${Math.round(png.length / 1024)} KB PNG, not shown on the console]`;
        }
      }
      write(`── digest → ${platform}:${channel} (${messageId}) ──\n${renderText(reply)}${chartNote}\n\n`);
      return { messageId };
    },
  };
}

/** Sends each platform's digests to its poster; a platform without one fails (and is retried, then reported). */
export function routingPoster(posters: Partial<Record<DigestPlatform, DigestPoster>>): DigestPoster {
  return {
    async post(platform, channel, reply, png) {
      const poster = posters[platform];
      if (!poster) throw new Error(`No ${platform} connection is configured in this process, so digests for ${platform}:${channel} cannot be posted.`);
      return poster.post(platform, channel, reply, png);
    },
  };
}

/** Per request: a hung call must not hold a delivery (and its lease) for long. */
const SLACK_TIMEOUT_MS = 20_000;

/** A poster for Slack through the adapter's Web API client; the chart PNG goes in the message's thread. */
export async function slackPoster(ctx: Pick<Context, 'config' | 'log'>): Promise<DigestPoster> {
  const [{ webApi }, { postToSlackChannel, slackChannelId, slackClientOptions }, { slackLogger }] = await Promise.all([
    import('@slack/bolt'),
    import('../adapters/slack/post-to-channel.ts'),
    import('../adapters/slack/slack-logger.ts'),
  ]);
  if (!ctx.config.slack.botToken) throw new Error('Slack: SLACK_BOT_TOKEN is not set.');
  // rejectRateLimitedCalls: a 429 comes back to us with its Retry-After instead of pausing the client.
  // No client retries: a timed-out post may have been accepted, and the outbox decides on retries.
  const client = new webApi.WebClient(ctx.config.slack.botToken, { ...slackClientOptions(ctx.config), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: SLACK_TIMEOUT_MS, logger: slackLogger(ctx.log) });
  return {
    async post(_platform, channel, reply, png) {
      let ts: string;
      try {
        ts = await postToSlackChannel(client, channel, reply);
      } catch (err) {
        const seconds = (err as { code?: string; retryAfter?: number }).code === 'slack_webapi_rate_limited_error' ? (err as { retryAfter?: number }).retryAfter : undefined;
        if (seconds !== undefined) throw new RateLimitedError(seconds * 1000, `Slack rate limit: retry after ${seconds} s`);
        throw err;
      }
      if (png) {
        // The message is already out: a chart that fails to upload is logged, never retried as a whole.
        try {
          await client.filesUploadV2({ channel_id: slackChannelId(channel), thread_ts: ts, file: png, filename: 'chart.png', title: reply.chart?.title ?? 'chart' });
        } catch (err) {
          ctx.log.warn('Slack: the digest chart could not be uploaded (needs the files:write scope)', { channel, error: err });
        }
      }
      return { messageId: ts };
    },
  };
}

/** A poster for Discord through the adapter's channel poster; the chart is attached to the message. */
export async function discordPoster(ctx: Pick<Context, 'config'>): Promise<DigestPoster> {
  const [{ REST, RateLimitError }, { postToDiscordChannel }, { discordRestAgent }] = await Promise.all([
    import('discord.js'),
    import('../adapters/discord/post-to-channel.ts'),
    import('../adapters/discord/rest-agent.ts'),
  ]);
  const { token, apiUrl } = ctx.config.discord;
  if (!token) throw new Error('Discord: DISCORD_TOKEN is not set.');
  // No REST retries either (a retried POST may duplicate a message the first one delivered).
  const rest = new REST({ ...(apiUrl ? { api: apiUrl } : {}), rejectOnRateLimit: () => true, retries: 0, agent: discordRestAgent() }).setToken(token);
  return {
    async post(_platform, channel, reply: Reply, png) {
      try {
        return { messageId: await postToDiscordChannel(rest, channel, reply, png) };
      } catch (err) {
        if (err instanceof RateLimitError) {
          const ms = err.retryAfter > 0 ? err.retryAfter : Math.max(err.timeToReset, 1000);
          throw new RateLimitedError(ms, `Discord rate limit: retry after ${Math.ceil(ms / 1000)} s`);
        }
        throw err;
      }
    },
  };
}

/** Every poster this configuration allows: console always, Slack and Discord when their credentials are set. */
export async function createPosters(ctx: Pick<Context, 'config' | 'log'>, opts: ConsolePosterOptions = {}): Promise<DigestPoster> {
  const posters: Partial<Record<DigestPlatform, DigestPoster>> = { console: consolePoster(opts) };
  if (slackConfigured(ctx.config) || ctx.config.slack.botToken) posters.slack = await slackPoster(ctx);
  if (discordConfigured(ctx.config) || ctx.config.discord.token) posters.discord = await discordPoster(ctx);
  return routingPoster(posters);
}
