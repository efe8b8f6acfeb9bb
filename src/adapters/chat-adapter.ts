// The one contract every chat platform meets — Slack, Discord and the console alike: start
// receiving, stop, and post into a channel. What each platform says differently stays inside its
// adapter: how a message is rendered, how a rate limit is announced (translated here into one
// error), how a message carries a delivery key and how it is found again.
import type { Platform } from '../core/context.ts';
import { PulseError } from '../core/errors.ts';
import type { Reply } from '../core/reply.ts';

export interface PostOptions {
  /** The chart drawn from the (already scrubbed) reply: attached on Discord, in the thread on Slack. */
  chart?: Buffer;
  /**
   * Names one delivery (a digest for one period). The message carries it (Slack message metadata,
   * a Discord nonce and embed footer) so that it can be found in the channel again.
   */
  deliveryKey?: string;
  /**
   * An earlier attempt of this delivery may have reached the platform, no earlier than this: look
   * for it in the channel first, and post only when it is not there.
   */
  lookSince?: Date;
}

export interface Posted {
  messageId: string;
  /** True when an earlier attempt's message was found in the channel and nothing was posted now. */
  found: boolean;
}

export interface ChatAdapter {
  readonly platform: Platform;
  /** Starts receiving (HTTP or Socket Mode, the gateway, the prompt). Posting works without it. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Posts into `channel` (`slack:C123`, `discord:123` or the bare id). Whatever is posted goes
   * through the one channel scrub (`withoutPersonalData`) first, whoever calls. A rate limit throws
   * `RateLimitedError`; anything else the platform refuses throws its error.
   */
  post(channel: string, reply: Reply, opts?: PostOptions): Promise<Posted>;
}

/** A platform asked Pulse to wait (HTTP 429 and its Retry-After), in one shape for every platform. */
export class RateLimitedError extends PulseError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = `rate limited: retry after ${Math.ceil(retryAfterMs / 1000)} s`) {
    super('RATE_LIMITED', message);
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** How long a rate-limited call asks to wait, when `err` is one (any error with a numeric `retryAfterMs`). */
export function retryAfterOf(err: unknown): number | undefined {
  const v = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** `slack:C123` → `C123`; a bare id stays. */
export function channelIdOf(channel: string, platform: Platform): string {
  return channel.startsWith(`${platform}:`) ? channel.slice(platform.length + 1) : channel;
}

/**
 * The words a digest message carries so it can be found again: shown in small print (Discord reads
 * it back from the footer) and put in Slack's message metadata. No personal data: ids and a time.
 */
export function deliveryRef(deliveryKey: string): string {
  return `ref ${deliveryKey}`;
}
