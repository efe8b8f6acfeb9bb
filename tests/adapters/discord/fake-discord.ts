// A local stand-in for Discord: one HTTP server for REST (gateway discovery, interaction callbacks,
// webhooks, channel messages, command registration) and a `ws` server on the same port for the
// gateway (HELLO, READY after IDENTIFY, heartbeat ACKs, then whatever the test dispatches).
// Loopback only. Every REST request is recorded; a test may override any answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const APP_ID = '100000000000000001';
export const GUILD_ID = '200000000000000002';
export const CHANNEL_ID = '300000000000000003';
export const USER_ID = '400000000000000004';

export interface RecordedRequest {
  method: string;
  /** Path with %40 decoded to @, without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (for multipart: the payload_json part). */
  body: any;
  raw: Buffer;
  at: number;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Return an answer to override the default one, or undefined to let the default answer. */
export type Override = (req: RecordedRequest) => FakeAnswer | undefined;

let snowflake = 500000000000000000n;
export const nextId = () => String(++snowflake);

/** A message as the stand-in keeps it: what Discord returns, plus the nonce it never returns on reads. */
export interface StoredDiscordMessage {
  message: Record<string, any>;
  nonce?: string;
  createdAt: number;
}

/** How long Discord remembers a nonce for enforce_nonce ("the past few minutes"). */
export const NONCE_WINDOW_MS = 5 * 60_000;

export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  override: Override | undefined;
  /**
   * Awaited after a request took effect (a message is stored) and before it is answered: a test
   * holds the answer to play a poster that dies after Discord received its message.
   */
  hold: ((req: RecordedRequest) => Promise<void> | undefined) | undefined;
  /** Messages created in each channel, oldest first. */
  readonly channelMessages = new Map<string, StoredDiscordMessage[]>();
  #server: Server;
  #wss: WebSocketServer;
  #sockets = new Set<WebSocket>();
  #seq = 0;
  #identified: Promise<void>;
  #onIdentify!: () => void;
  #waiters: { match: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  #messages = 0;

  private constructor(server: Server) {
    this.#server = server;
    this.#wss = new WebSocketServer({ server });
    this.#identified = new Promise((resolve) => (this.#onIdentify = resolve));
    this.#wss.on('connection', (socket) => this.#gateway(socket));
    server.on('request', (req, res) => void this.#rest(req, res));
  }

  static async start(): Promise<FakeDiscord> {
    const server = createServer();
    const fake = new FakeDiscord(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** What DISCORD_API_URL should be. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get identified(): Promise<void> {
    return this.#identified;
  }

  /** Sends a gateway dispatch (op 0) to every connected client. */
  dispatch(t: string, d: unknown): void {
    const frame = JSON.stringify({ op: 0, t, s: ++this.#seq, d });
    for (const s of this.#sockets) s.send(frame);
  }

  /** The first recorded request matching `match`, waiting for it if need be. */
  waitFor(match: (r: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
    const hit = this.requests.find(match);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (r: RecordedRequest) => (clearTimeout(timer), resolve(r)) };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching request within ${timeoutMs} ms; saw:\n${this.requests.map((r) => `${r.method} ${r.path}`).join('\n')}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #gateway(socket: WebSocket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { op: number; d: unknown };
      if (frame.op === 1) socket.send(JSON.stringify({ op: 11 }));
      if (frame.op === 2) {
        socket.send(
          JSON.stringify({
            op: 0,
            t: 'READY',
            s: ++this.#seq,
            d: {
              v: 10,
              user: { id: APP_ID, username: 'Pulse', discriminator: '0', global_name: null, avatar: null, bot: true },
              guilds: [],
              session_id: 'fake-session',
              resume_gateway_url: `ws://127.0.0.1:${this.port}`,
              shard: [0, 1],
              application: { id: APP_ID, flags: 0 },
            },
          }),
        );
        this.#onIdentify();
      }
    });
  }

  async #rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body: parseBody(raw, String(req.headers['content-type'] ?? '')),
      raw,
      at: performance.now(),
    };
    this.requests.push(record);
    const answer = this.override?.(record) ?? this.#answer(record);
    const held = this.hold?.(record);
    if (held) await held;
    if (res.destroyed) return;
    if (answer.status === 204 || answer.body === undefined) {
      // No body and no content-type: @discordjs/rest chokes on JSON headers over an empty body.
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
    } else {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    }
    for (const w of [...this.#waiters]) {
      if (w.match(record)) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve(record);
      }
    }
  }

  #answer(r: RecordedRequest): FakeAnswer {
    const p = r.path;
    let m: RegExpExecArray | null;
    if (r.method === 'GET' && p === '/api/v10/gateway/bot') {
      return {
        status: 200,
        body: { url: `ws://127.0.0.1:${this.port}`, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } },
      };
    }
    if (r.method === 'POST' && /^\/api\/v10\/interactions\/\d+\/[^/]+\/callback$/.test(p)) return { status: 204 };
    if ((m = /^\/api\/v10\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/.exec(p))) {
      if (r.method === 'DELETE') return { status: 204 };
      return { status: 200, body: this.message(CHANNEL_ID, r.body, m[2]) };
    }
    if (r.method === 'POST' && /^\/api\/v10\/webhooks\/\d+\/[^/]+$/.test(p)) return { status: 200, body: this.message(CHANNEL_ID, r.body, 'webhook') };
    if (r.method === 'POST' && (m = /^\/api\/v10\/channels\/(\d+)\/messages$/.exec(p))) return { status: 200, body: this.#create(m[1]!, r.body) };
    if (r.method === 'GET' && (m = /^\/api\/v10\/channels\/(\d+)\/messages$/.exec(p))) return { status: 200, body: this.#read(m[1]!, r.query) };
    if (r.method === 'GET' && p === '/api/v10/users/@me') return { status: 200, body: discordUser(APP_ID, 'Pulse', true) };
    if (r.method === 'POST' && p === '/api/v10/users/@me/channels') {
      return { status: 200, body: { id: '600000000000000006', type: 1, last_message_id: null, recipients: [discordUser(USER_ID, 'ann')] } };
    }
    if (r.method === 'PUT' && /^\/api\/v10\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(p)) {
      const guild = /guilds\/(\d+)/.exec(p)?.[1];
      return { status: 200, body: (r.body as any[]).map((c) => ({ ...c, id: nextId(), application_id: APP_ID, version: '1', ...(guild ? { guild_id: guild } : {}) })) };
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  /**
   * Create Message as documented: with `enforce_nonce` and a nonce this author used in the channel
   * within the nonce window, the earlier message comes back and nothing new is created.
   */
  #create(channelId: string, body: any): Record<string, unknown> {
    const nonce = body?.nonce !== undefined ? String(body.nonce) : undefined;
    const stored = this.channelMessages.get(channelId) ?? [];
    if (nonce && body?.enforce_nonce === true) {
      const earlier = stored.find((s) => s.nonce === nonce && Date.now() - s.createdAt < NONCE_WINDOW_MS);
      if (earlier) return { ...earlier.message, nonce };
    }
    const message = this.message(channelId, body);
    this.channelMessages.set(channelId, [...stored, { message, ...(nonce ? { nonce } : {}), createdAt: Date.now() }]);
    return { ...message, ...(nonce ? { nonce } : {}) };
  }

  /** Get Channel Messages: newest first, `limit` (≤ 100), `before` / `after` by id; nonces are not returned. */
  #read(channelId: string, query: URLSearchParams): Record<string, unknown>[] {
    const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50)));
    const before = query.get('before');
    const after = query.get('after');
    let list = (this.channelMessages.get(channelId) ?? []).map((s) => s.message);
    if (before) list = list.filter((msg) => BigInt(msg.id as string) < BigInt(before));
    if (after) list = list.filter((msg) => BigInt(msg.id as string) > BigInt(after));
    return list.reverse().slice(0, limit);
  }

  /** A message object as Discord returns it. */
  message(channelId: string, body: any, webhookId?: string): Record<string, unknown> {
    return {
      id: String(700000000000000000n + BigInt(++this.#messages)),
      type: 0,
      channel_id: channelId,
      author: discordUser(APP_ID, 'Pulse', true),
      content: body?.content ?? '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: body?.embeds ?? [],
      components: body?.components ?? [],
      pinned: false,
      flags: body?.flags ?? 0,
      ...(webhookId ? { webhook_id: APP_ID } : {}),
    };
  }
}

function parseBody(raw: Buffer, type: string): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (type.startsWith('multipart/form-data')) {
    const m = /name="payload_json"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(text);
    return m ? { ...JSON.parse(m[1]!), multipart: true } : { multipart: true };
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function discordUser(id: string, username: string, bot = false): Record<string, unknown> {
  return { id, username, discriminator: '0', global_name: bot ? null : `${username[0]!.toUpperCase()}${username.slice(1)} Rep`, avatar: null, ...(bot ? { bot: true } : {}) };
}

/** The fields every interaction carries (a guild text channel, one member). */
export function interactionBase(type: number, extra: Record<string, unknown> = {}): Record<string, unknown> & { id: string; token: string } {
  const id = nextId();
  return {
    id,
    token: `token-${id}`,
    application_id: APP_ID,
    type,
    version: 1,
    guild_id: GUILD_ID,
    channel_id: CHANNEL_ID,
    channel: { id: CHANNEL_ID, type: 0, guild_id: GUILD_ID, name: 'sales', position: 0, permission_overwrites: [], nsfw: false, parent_id: null },
    member: { user: discordUser(USER_ID, 'ann'), roles: [], permissions: '2147483647', joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 },
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: '2147483647',
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD_ID },
    context: 0,
    attachment_size_limit: 10_485_760,
    ...extra,
  };
}

export type OptionIn = { name: string; type: number; value: unknown; focused?: boolean };

export function chatInputInteraction(name: string, options: OptionIn[] = []) {
  return interactionBase(2, { data: { id: nextId(), name, type: 1, options } });
}

export function autocompleteInteraction(name: string, options: OptionIn[]) {
  return interactionBase(4, { data: { id: nextId(), name, type: 1, options } });
}

export function buttonInteraction(customId: string, onMessage: { flags?: number; fake: FakeDiscord }) {
  return interactionBase(3, { data: { custom_id: customId, component_type: 2 }, message: onMessage.fake.message(CHANNEL_ID, { flags: onMessage.flags ?? 0 }) });
}

export function selectInteraction(customId: string, values: string[], onMessage: { flags?: number; fake: FakeDiscord }) {
  return interactionBase(3, { data: { custom_id: customId, component_type: 3, values }, message: onMessage.fake.message(CHANNEL_ID, { flags: onMessage.flags ?? 0 }) });
}

export function modalSubmitInteraction(customId: string, fields: Record<string, string>) {
  return interactionBase(5, {
    data: { custom_id: customId, components: Object.entries(fields).map(([k, v]) => ({ type: 1, components: [{ type: 4, custom_id: k, value: v }] })) },
  });
}

/** The path of an interaction's callback (its first answer). */
export const callbackPath = (i: { id: string; token: string }) => `/api/v10/interactions/${i.id}/${i.token}/callback`;
export const originalPath = (i: { token: string }) => `/api/v10/webhooks/${APP_ID}/${i.token}/messages/@original`;
export const followUpPath = (i: { token: string }) => `/api/v10/webhooks/${APP_ID}/${i.token}`;
