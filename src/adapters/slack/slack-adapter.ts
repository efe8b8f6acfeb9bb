// The Slack adapter on Bolt: an HTTP receiver at /slack/events (signature-checked by Bolt: a bad or
// stale signature gets 401), or Socket Mode when SLACK_APP_TOKEN is set. Every registry command is
// a slash command through one listener, so commands added later work without touching this file.
//
// The bot token is checked with auth.test in the background, never on the request path and never
// as an unhandled rejection: a revoked token is a log line, not a crashed process.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Context } from '../../core/context.ts';
import type { Registry } from '../../core/registry.ts';
import { DEFAULT_RETRY_POLICY, slackClientOptions, type SlackRetryPolicy } from './post-to-channel.ts';
import { registerHandlers } from './slack-handlers.ts';
import { slackLogger } from './slack-logger.ts';
import { SlackUserDirectory, usersInfoLookup, type SlackUserDirectoryOptions } from './slack-users.ts';

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
  /** Web API retry policy (tests use a short one). */
  retryConfig?: SlackRetryPolicy;
  users?: SlackUserDirectoryOptions;
}

export interface SlackAdapter {
  readonly app: App;
  /** Starts listening; `port` is the bound HTTP port (undefined in Socket Mode). */
  start(): Promise<{ port?: number }>;
  stop(): Promise<void>;
}

export interface RunningSlack {
  stop(): Promise<void>;
  port?: number;
}

export function createSlackApp(ctx: Context, registry: Registry, opts: SlackAdapterOptions = {}): SlackAdapter {
  const { botToken, signingSecret, appToken } = ctx.config.slack;
  const socketMode = opts.socketMode ?? Boolean(appToken);
  if (!botToken) throw new Error('Slack: SLACK_BOT_TOKEN is not set.');
  if (socketMode && !appToken) throw new Error('Slack: Socket Mode needs SLACK_APP_TOKEN (xapp-…).');
  if (!socketMode && !signingSecret) throw new Error('Slack: SLACK_SIGNING_SECRET is not set (needed to check that requests come from Slack).');

  const logger = slackLogger(ctx.log);
  const receiver: Receiver = socketMode
    ? new SocketModeReceiver({ appToken: appToken!, logger })
    : new HTTPReceiver({
        signingSecret: signingSecret!,
        endpoints: SLACK_EVENTS_PATH,
        logger,
        customRoutes: [{ path: SLACK_HEALTH_PATH, method: ['GET'], handler: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n') }],
      });

  let identity: { botId?: string; botUserId?: string } = {};
  const app = new App({
    receiver,
    logger,
    // An authorize function instead of `token`: Bolt would otherwise call auth.test in its
    // constructor and crash the process on a bad token. This one never waits on the network.
    authorize: async () => ({ botToken, ...identity }),
    clientOptions: slackClientOptions(ctx.config, opts.retryConfig ?? DEFAULT_RETRY_POLICY),
  });
  app.error(async (error) => {
    ctx.log.error('slack: unhandled error in Bolt', { error });
  });
  const users = new SlackUserDirectory(ctx, usersInfoLookup(ctx, opts.users?.timeoutMs !== undefined ? { timeoutMs: opts.users.timeoutMs } : {}), opts.users);
  registerHandlers(app, { ctx, registry, users, opts: { ackAfterMs: opts.ackAfterMs ?? 2_000 } });

  const verifyToken = () => {
    app.client.auth
      .test({ token: botToken })
      .then((r) => {
        identity = { ...(r.bot_id ? { botId: r.bot_id } : {}), ...(r.user_id ? { botUserId: r.user_id } : {}) };
        ctx.log.info('slack: signed in', { team: r.team, bot: r.user });
      })
      .catch((err: { data?: { error?: string }; message?: string }) => {
        ctx.log.error('slack: the bot token was refused by auth.test; commands will fail until SLACK_BOT_TOKEN is fixed', { code: err.data?.error ?? err.message });
      });
  };

  let server: Server | undefined;
  return {
    app,
    async start() {
      if (socketMode) {
        await app.start();
        verifyToken();
        ctx.log.info('slack: connected in Socket Mode');
        return {};
      }
      const port = opts.port ?? ctx.config.port;
      const host = opts.host ?? ctx.config.host;
      server = (await app.start({ port, host })) as Server;
      const bound = (server.address() as AddressInfo | null)?.port ?? port;
      verifyToken();
      ctx.log.info('slack: listening', { url: `http://${host}:${bound}${SLACK_EVENTS_PATH}` });
      return { port: bound };
    },
    async stop() {
      await app.stop();
      server = undefined;
    },
  };
}

/** Creates and starts the Slack adapter; the caller stops it. */
export async function startSlack(ctx: Context, registry: Registry, opts: SlackAdapterOptions = {}): Promise<RunningSlack> {
  const slack = createSlackApp(ctx, registry, opts);
  const { port } = await slack.start();
  return { stop: () => slack.stop(), ...(port !== undefined ? { port } : {}) };
}
