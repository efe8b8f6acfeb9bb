// The running bot: every chat adapter whose credentials are set, plus the digest scheduler that
// posts through those same adapters — all in one process — and the process's last line of defence.
// `pulse start` runs this; the tests that drive Slack and Discord together start exactly this too.
import { discordConfigured, slackConfigured } from '../core/config.ts';
import type { Context } from '../core/context.ts';
import { openIncident } from '../core/incident.ts';
import type { Registry } from '../core/registry.ts';
import type { DigestPlatform } from '../db/schema.ts';
import { consolePoster, routingPoster } from '../digests/posters.ts';
import { startDigestScheduler, type DigestScheduler, type DigestSchedulerOptions } from '../digests/scheduler.ts';
import type { ChatAdapter } from './chat-adapter.ts';
import type { StartDiscordOptions } from './discord/discord-adapter.ts';
import type { SlackAdapterOptions } from './slack/slack-adapter.ts';

export interface RunningAdapter {
  name: 'slack' | 'discord';
  adapter: ChatAdapter;
  /** The Slack HTTP receiver's port (HTTP mode only). */
  port?: number;
}

export interface BotOptions {
  slack?: SlackAdapterOptions;
  discord?: StartDiscordOptions;
  digests?: DigestSchedulerOptions;
}

export interface Bot {
  /** The adapters that started (a failing one is logged and left out). */
  readonly adapters: readonly RunningAdapter[];
  readonly digests: DigestScheduler;
  stop(): Promise<void>;
}

/** Starts each configured adapter, then the digest scheduler posting through them. */
export async function startBot(ctx: Context, registry: Registry, opts: BotOptions = {}): Promise<Bot> {
  const releaseGuard = installLastLineOfDefence(ctx);
  const made: RunningAdapter[] = [];
  const started: RunningAdapter[] = [];
  const posters: Partial<Record<DigestPlatform, Pick<ChatAdapter, 'post'>>> = { console: consolePoster(ctx) };
  // Loaded only when configured: Bolt and discord.js take longer to load than the console needs to start.
  if (slackConfigured(ctx.config)) {
    const adapter = (await import('./slack/slack-adapter.ts')).createSlackAdapter(ctx, registry, opts.slack);
    made.push({ name: 'slack', adapter });
  }
  if (discordConfigured(ctx.config)) {
    const adapter = (await import('./discord/discord-adapter.ts')).createDiscordAdapter(ctx, registry, opts.discord);
    made.push({ name: 'discord', adapter });
  }
  for (const m of made) {
    // Posting needs no listener: digests still go out through an adapter that could not start.
    posters[m.name] = m.adapter;
    try {
      await m.adapter.start();
      const port = (m.adapter as { port?: number }).port;
      started.push({ ...m, ...(port !== undefined ? { port } : {}) });
      ctx.log.info(`${m.name} adapter started`);
    } catch (err) {
      ctx.log.error(`${m.name} adapter failed to start`, { error: err });
    }
  }
  const digests = startDigestScheduler(ctx, { poster: routingPoster(posters) }, opts.digests);
  return {
    adapters: started,
    digests,
    async stop() {
      await digests.stop();
      for (const a of started) await a.adapter.stop().catch((err) => ctx.log.error(`${a.name} did not stop cleanly`, { error: err }));
      releaseGuard();
    },
  };
}

/**
 * Whatever escapes every handler — a library throwing inside an event listener, a promise nobody
 * awaited — is logged with an incident id and the bot keeps serving, instead of Node ending the
 * process and taking Slack, Discord and the digest scheduler with it.
 */
export function installLastLineOfDefence(ctx: Pick<Context, 'log'>): () => void {
  const onError = (kind: string) => (err: unknown) => {
    openIncident(ctx.log).log.error(`${kind}: caught by the last line of defence; still serving`, { error: err });
  };
  const uncaught = onError('uncaught exception');
  const unhandled = onError('unhandled rejection');
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', unhandled);
  return () => {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', unhandled);
  };
}
