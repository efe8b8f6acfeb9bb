// The running bot: every chat adapter whose credentials are set, plus the digest scheduler that
// posts through them — all in one process. `pulse start` runs this; the tests that drive Slack and
// Discord together start exactly this too.
import { discordConfigured, slackConfigured } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import type { Registry } from '../core/registry.ts';
import { createPosters } from '../digests/posters.ts';
import { startDigestScheduler, type DigestScheduler, type DigestSchedulerOptions } from '../digests/scheduler.ts';
import type { StartDiscordOptions } from './discord/discord-adapter.ts';
import type { SlackAdapterOptions } from './slack/slack-adapter.ts';

export interface RunningAdapter {
  name: 'slack' | 'discord';
  stop(): Promise<void>;
  /** The Slack HTTP receiver's port (HTTP mode only). */
  port?: number;
}

export interface BotOptions {
  slack?: SlackAdapterOptions;
  discord?: StartDiscordOptions;
  digests?: DigestSchedulerOptions;
}

export interface Bot {
  readonly adapters: readonly RunningAdapter[];
  readonly digests: DigestScheduler;
  stop(): Promise<void>;
}

/** Starts each configured adapter (a failing one is logged and left out), then the digest scheduler. */
export async function startBot(ctx: Context, registry: Registry, opts: BotOptions = {}): Promise<Bot> {
  const adapters: RunningAdapter[] = [];
  const starters: ['slack' | 'discord', boolean, () => Promise<{ stop(): Promise<void>; port?: number }>][] = [
    // Loaded only when configured: Bolt and discord.js take longer to load than the console needs to start.
    ['slack', slackConfigured(ctx.config), async () => (await import('./slack/slack-adapter.ts')).startSlack(ctx, registry, opts.slack)],
    ['discord', discordConfigured(ctx.config), async () => (await import('./discord/discord-adapter.ts')).startDiscord(ctx, registry, opts.discord)],
  ];
  for (const [name, wanted, start] of starters) {
    if (!wanted) continue;
    try {
      const running = await start();
      adapters.push({ name, stop: () => running.stop(), ...(running.port !== undefined ? { port: running.port } : {}) });
      ctx.log.info(`${name} adapter started`);
    } catch (err) {
      ctx.log.error(`${name} adapter failed to start`, { error: err });
    }
  }
  const digests = startDigestScheduler(ctx, { poster: await createPosters(ctx) }, opts.digests);
  return {
    adapters,
    digests,
    async stop() {
      await digests.stop();
      for (const a of adapters) await a.stop().catch((err) => ctx.log.error(`${a.name} did not stop cleanly`, { error: err }));
    },
  };
}
