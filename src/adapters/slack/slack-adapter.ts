// The Slack adapter on Bolt. HTTP mode: Pulse's guarded server (limits, timeouts, signature with a
// two-way time window, shape checks, replays answered once) hands each accepted request to Bolt's
// HTTPReceiver at /slack/events. Socket Mode (SLACK_APP_TOKEN): Bolt's SocketModeReceiver, with
// envelopes checked before the client reads them. Every registry command is a slash command through
// one listener, so commands added later work without touching this file.
//
// The bot token is checked with auth.test in the background (it also names the workspace this
// Pulse serves), never as an unhandled rejection: a revoked token is a log line, not a crash.
import type { ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Context } from '../../core/context.ts';
import type { Registry } from '../../core/registry.ts';
import type { Reply } from '../../core/reply.ts';
import type { ChatAdapter, PostOptions, Posted } from '../chat-adapter.ts';
import { InteractionCore } from '../interaction-core.ts';
import { createGuardedServer, type GuardedServer, type HttpLimits } from './http-server.ts';
import { createPostingClient, DEFAULT_RETRY_POLICY, postToSlackChannel, slackClientOptions, type SlackRetryPolicy } from './post-to-channel.ts';
import { registerHandlers } from './slack-handlers.ts';
import { slackLogger } from './slack-logger.ts';
import { SlackUserDirectory, usersInfoLookup, type SlackUserDirectoryOptions } from './slack-users.ts';
import { guardSocketEnvelopes } from './socket-guard.ts';
import { SlackWorkspace } from './workspace.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
export const SLACK_HEALTH_PATH = '/slack/health';

export interface SlackAdapterOptions {
  /** Interface to listen on (HTTP mode). Default: ctx.config.host (HOST, default 0.0.0.0). */
  host?: string;
  /** Default: ctx.config.port (PORT). 0 picks a free port. */
  port?: number;
  /** Socket Mode instead of HTTP. Default: when ctx.config.slack.appToken is set. */
  socketMode?: boolean;
  /** A command not answered within this is acknowledged with "Working on it…" (default 2,000 ms; Slack allows 3 s). */
  ackAfterMs?: number;
  /** Web API retry policy of the request handlers (tests use a short one). */
  retryConfig?: SlackRetryPolicy;
  users?: SlackUserDirectoryOptions;
  /** Connection cap and timeouts of the HTTP server (tests shrink them). */
  limits?: Partial<HttpLimits>;
}

export interface SlackAdapter extends ChatAdapter {
  readonly app: App;
  /** The bound HTTP port once started (undefined in Socket Mode). */
  readonly port: number | undefined;
  readonly workspace: SlackWorkspace;
}

/**
 * Slack for a process that only posts (`pulse digest tick`): the bot token is all it needs; it can
 * `post`, not `start`.
 */
export function createSlackPoster(ctx: Context): ChatAdapter {
  const log = ctx.log.child?.({ platform: 'slack' }) ?? ctx.log;
  const posting = createPostingClient({ config: ctx.config, log });
  return {
    platform: 'slack',
    post: (channel, reply, postOpts) => postToSlackChannel(posting, log, channel, reply, postOpts),
    async start() {
      throw new Error('Slack: this adapter was made for posting only.');
    },
    async stop() {},
  };
}

/** The Slack adapter: receives (HTTP or Socket Mode) and posts. */
export function createSlackAdapter(ctx: Context, registry: Registry, opts: SlackAdapterOptions = {}): SlackAdapter {
  const { botToken, signingSecret, appToken } = ctx.config.slack;
  const socketMode = opts.socketMode ?? Boolean(appToken);
  if (!botToken) throw new Error('Slack: SLACK_BOT_TOKEN is not set.');
  if (socketMode && !appToken) throw new Error('Slack: Socket Mode needs SLACK_APP_TOKEN (xapp-…).');
  if (!socketMode && !signingSecret) throw new Error('Slack: SLACK_SIGNING_SECRET is not set (needed to check that requests come from Slack).');

  const log = ctx.log.child?.({ platform: 'slack' }) ?? ctx.log;
  const logger = slackLogger(log);
  const posting = createPostingClient({ config: ctx.config, log });
  const workspace = new SlackWorkspace(posting, log);

  let receiver: Receiver;
  let http: HTTPReceiver | undefined;
  if (socketMode) {
    const socket = new SocketModeReceiver({ appToken: appToken!, logger, installerOptions: { clientOptions: slackClientOptions(ctx.config) } });
    guardSocketEnvelopes(socket.client, log);
    receiver = socket;
  } else {
    http = new HTTPReceiver({ signingSecret: signingSecret!, endpoints: SLACK_EVENTS_PATH, logger });
    receiver = http;
  }

  const app = new App({
    receiver,
    logger,
    // An authorize function instead of `token`: Bolt would otherwise call auth.test in its
    // constructor and crash the process on a bad token. This one never waits on the network.
    authorize: async () => ({
      botToken,
      ...(workspace.identity?.botId ? { botId: workspace.identity.botId } : {}),
      ...(workspace.identity?.botUserId ? { botUserId: workspace.identity.botUserId } : {}),
    }),
    clientOptions: slackClientOptions(ctx.config, opts.retryConfig ?? DEFAULT_RETRY_POLICY),
  });
  app.error(async (error) => {
    log.error('slack: unhandled error in Bolt', { error });
  });

  const post = (channel: string, reply: Reply, postOpts?: PostOptions): Promise<Posted> => postToSlackChannel(posting, log, channel, reply, postOpts);
  const core = new InteractionCore(ctx, registry, { deferAfterMs: opts.ackAfterMs ?? 2_000 });
  const users = new SlackUserDirectory(ctx, usersInfoLookup(ctx, opts.users?.timeoutMs !== undefined ? { timeoutMs: opts.users.timeoutMs } : {}), opts.users);
  // A share is someone waiting in the channel: it goes through the request's client, which waits
  // out a rate limit, rather than the posting client, which hands it back to the digest outbox.
  registerHandlers(app, {
    ctx,
    core,
    users,
    workspace,
    postShared: async (client, channel, reply) => (await postToSlackChannel(client, log, channel, reply)).messageId,
  });

  let server: GuardedServer | undefined;
  let port: number | undefined;
  return {
    platform: 'slack',
    app,
    workspace,
    get port() {
      return port;
    },
    post,
    async start() {
      void workspace.verify();
      if (socketMode) {
        await app.start();
        log.info('slack: connected in Socket Mode');
        return;
      }
      const host = opts.host ?? ctx.config.host;
      server = createGuardedServer({
        signingSecret: signingSecret!,
        eventsPath: SLACK_EVENTS_PATH,
        healthPath: SLACK_HEALTH_PATH,
        log,
        ...(opts.limits ? { limits: opts.limits } : {}),
        onAccepted: (req, res: ServerResponse) => http!.requestListener(req, res),
      });
      port = await server.listen(opts.port ?? ctx.config.port, host);
      log.info('slack: listening', { url: `http://${host}:${port}${SLACK_EVENTS_PATH}` });
    },
    async stop() {
      if (socketMode) {
        await app.stop().catch((err: unknown) => log.warn('slack: Socket Mode did not close cleanly', { error: err }));
      } else {
        await server?.close();
        server = undefined;
      }
    },
  };
}

/** Creates and starts the Slack adapter; the caller stops it. */
export async function startSlack(ctx: Context, registry: Registry, opts: SlackAdapterOptions = {}): Promise<SlackAdapter> {
  const slack = createSlackAdapter(ctx, registry, opts);
  await slack.start();
  return slack;
}
