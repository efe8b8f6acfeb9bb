// The HTTP server in front of Bolt's receiver. Bolt's HTTPReceiver turns Slack requests into
// events; this server decides which requests get that far:
//   - at most `maxConnections` sockets; headers within `headersTimeoutMs`, the whole request within
//     `requestTimeoutMs`; bodies over 1 MiB get 413 (a slow or huge sender cannot hold the bot);
//   - a signature over a timestamp at most five minutes off, either way (401 otherwise);
//   - a body of the shape Slack sends (400 otherwise): nothing malformed reaches Bolt;
//   - a signed request seen before within its window is answered once: the copy gets an empty 200;
//   - whatever still throws becomes a 500 and a log line with an incident id; the server goes on.
// `/slack/health` answers 200 for load balancers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openIncident } from '../../core/incident.ts';
import type { Logger } from '../../core/logger.ts';
import { checkShape, checkSignature, MAX_BODY_BYTES, ReplayGuard, type SlackRequestKind } from './request-checks.ts';

export interface HttpLimits {
  /** Open sockets at most; more are refused at once. */
  maxConnections: number;
  /** All request headers must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** An idle kept-alive socket is closed after this. */
  keepAliveTimeoutMs: number;
  maxBodyBytes: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxBodyBytes: MAX_BODY_BYTES,
});

/** A request that passed every check, as Bolt's receiver reads it: the body already buffered. */
export type AcceptedRequest = IncomingMessage & { rawBody: Buffer };

export interface GuardedServerOptions {
  signingSecret: string;
  eventsPath: string;
  healthPath: string;
  log: Logger;
  limits?: Partial<HttpLimits>;
  clock?: () => number;
  /**
   * Whether the team ids a request names belong to this workspace; a request from elsewhere is
   * still handed on (the handlers answer it with a refusal and no data), so this only logs.
   */
  onAccepted(req: AcceptedRequest, res: ServerResponse, info: { kind: SlackRequestKind; teamIds: string[] }): void;
}

export interface GuardedServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createGuardedServer(opts: GuardedServerOptions): GuardedServer {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
  const now = opts.clock ?? Date.now;
  const replays = new ReplayGuard();
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often the timeouts above are checked (Node's default, 30 s, would let a slow sender
      // hold a socket far longer than the limits say).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => fail(res, err));
    },
  );
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Malformed HTTP, headers too large, a timeout: answer if the socket still can, then drop it.
    if (socket.writable && !(err.code === 'ECONNRESET')) {
      const status =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? '431 Request Header Fields Too Large'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === opts.healthPath && req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path !== opts.eventsPath) return void res.writeHead(404).end();
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) return refuse(res, 413, 'body too large', true);
    const body = await readBody(req, limits.maxBodyBytes);
    if (body === undefined) return refuse(res, 413, 'body too large', true);
    if (body === null) return; // the sender went away

    const shape = checkShape(header(req, 'content-type'), body);
    // Slack's SSL check is the one request it does not sign; it is answered here and goes no further.
    if (shape.ok && shape.kind === 'ssl_check') return void res.writeHead(200).end();
    const signed = checkSignature(
      opts.signingSecret,
      { timestamp: req.headers['x-slack-request-timestamp'], signature: req.headers['x-slack-signature'], body },
      now(),
    );
    if (!signed.ok) return refuse(res, signed.status, signed.reason);
    if (!shape.ok) return refuse(res, shape.status, shape.reason);
    if (!replays.accept(signed.signature, signed.timestampS, now())) {
      opts.log.info('slack: a request seen before was replayed; answered once already', { kind: shape.kind });
      return void res.writeHead(200).end();
    }
    const accepted = Object.assign(req, { rawBody: body }) as AcceptedRequest;
    // Bolt reads the content type by exact match; Slack never adds parameters, others might.
    accepted.headers['content-type'] = shape.contentType;
    opts.onAccepted(accepted, res, { kind: shape.kind, teamIds: shape.teamIds });
  }

  function refuse(res: ServerResponse, status: number, reason: string, close = false): void {
    opts.log.warn('slack: request refused', { status, reason });
    res.writeHead(status, close ? { connection: 'close' } : {}).end();
  }

  function fail(res: ServerResponse, err: unknown): void {
    const { incidentId, log } = openIncident(opts.log, { platform: 'slack' });
    log.error('slack: request handling failed', { error: err });
    if (!res.headersSent) res.writeHead(500, { 'x-pulse-incident': incidentId }).end();
    else res.end();
  }

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The body, undefined when it grows past `max`, null when the sender aborted. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | undefined | null) => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.pause();
        finish(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish(null));
    req.on('aborted', () => finish(null));
  });
}
