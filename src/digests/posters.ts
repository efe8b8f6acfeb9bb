// Where digests go: each platform's ChatAdapter. The bot passes its running adapters; `pulse digest
// tick` makes post-only ones (no listener, no gateway). Rendering, limits, the channel scrub,
// delivery keys and rate-limit translation all stay inside the adapters.
import { createConsoleAdapter, type ConsolePostOptions } from '../adapters/console/console-adapter.ts';
import type { ChatAdapter } from '../adapters/chat-adapter.ts';
import { discordConfigured, slackConfigured } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import type { DigestPlatform } from '../db/schema.ts';
import type { DigestPoster } from './tick.ts';

export type { ConsolePostOptions };

/** Sends each platform's digests to its adapter; a platform without one fails (and is retried, then reported). */
export function routingPoster(adapters: Partial<Record<DigestPlatform, Pick<ChatAdapter, 'post'>>>): DigestPoster {
  return {
    async post(platform, channel, reply, opts) {
      const adapter = adapters[platform];
      if (!adapter) throw new Error(`No ${platform} connection is configured in this process, so digests for ${platform}:${channel} cannot be posted.`);
      return adapter.post(channel, reply, opts);
    },
  };
}

/** The console's poster: digests for `console` are printed (to stdout, or `write`). */
export function consolePoster(ctx: Context, opts: ConsolePostOptions = {}): Pick<ChatAdapter, 'post'> {
  return createConsoleAdapter(ctx, undefined, opts);
}

/**
 * Post-only adapters for every platform this configuration has credentials for, plus the console.
 * Bolt and discord.js are loaded only when their platform is configured.
 */
export async function postOnlyAdapters(ctx: Context, opts: ConsolePostOptions = {}): Promise<Partial<Record<DigestPlatform, Pick<ChatAdapter, 'post'>>>> {
  const adapters: Partial<Record<DigestPlatform, Pick<ChatAdapter, 'post'>>> = { console: consolePoster(ctx, opts) };
  if (slackConfigured(ctx.config) || ctx.config.slack.botToken) adapters.slack = (await import('../adapters/slack/slack-adapter.ts')).createSlackPoster(ctx);
  if (discordConfigured(ctx.config)) adapters.discord = (await import('../adapters/discord/discord-adapter.ts')).createDiscordAdapter(ctx, undefined);
  return adapters;
}

/** Every poster this configuration allows: console always, Slack and Discord when their credentials are set. */
export async function createPosters(ctx: Context, opts: ConsolePostOptions = {}): Promise<DigestPoster> {
  return routingPoster(await postOnlyAdapters(ctx, opts));
}
