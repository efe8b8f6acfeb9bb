// A local stand-in for Slack: the Web API methods Pulse calls (auth.test, users.info,
// chat.postMessage, chat.postEphemeral, views.open) and response_url endpoints, recording every call;
// plus correctly signed requests to the app's /slack/events. Loopback only.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SlackChannels } from './fake-slack-channels.ts';

export interface ApiCall {
  method: string;
  body: Record<string, any>;
  token: string | undefined;
  at: number;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, any>;
  at: number;
}

export interface FileUpload {
  id: string;
  bytes: number;
  at: number;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
}

/** Answers a Web API call; return undefined to fall through to the default answer. */
export type ApiHandler = (body: Record<string, any>, call: ApiCall) => FakeAnswer | undefined | Promise<FakeAnswer | undefined>;

export interface SlackUserFixture {
  name: string;
  real_name?: string;
  email?: string;
}

/** Slack's Socket Mode as documented: a WebSocket handed out by apps.connections.open, `hello`, envelopes, acks. */
export interface FakeSocketMode {
  /** Apps connected right now. */
  readonly connections: number;
  /** Every message an app sent back (acks: `{ envelope_id, payload }`). */
  readonly acks: { envelope_id: string; payload?: Record<string, any> }[];
  /** Sends an envelope (`slash_commands`, `interactive`, `events_api`) to every connected app; returns its id. */
  dispatch(type: string, payload: unknown, extra?: Record<string, unknown>): string;
  /** Sends raw text, as a broken or hostile server would. */
  sendRaw(text: string): void;
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<{ envelope_id: string; payload?: Record<string, any> }>;
  waitForConnection(timeoutMs?: number): Promise<void>;
}

export interface FakeSlack {
  /** For SLACK_API_URL: `http://127.0.0.1:PORT/api/`. */
  readonly apiUrl: string;
  readonly calls: ApiCall[];
  readonly responses: ResponseUrlPost[];
  /** Files uploaded to the URLs files.getUploadURLExternal handed out. */
  readonly uploads: FileUpload[];
  readonly users: Map<string, SlackUserFixture>;
  readonly socketMode: FakeSocketMode;
  /** Every message posted, per channel, as conversations.history returns them. */
  readonly channels: SlackChannels;
  responseUrl(id: string): string;
  /**
   * Holds the HTTP answer to calls of `method` that `match` picks — after the call took effect (a
   * message is stored) — until the returned release is called: a poster killed meanwhile never
   * learns its message arrived. `received` settles when the first such call arrived.
   */
  hold(method: string, match: (body: Record<string, any>) => boolean): { received: Promise<ApiCall>; release(): void };
  on(method: string, handler: ApiHandler): void;
  callsTo(method: string): ApiCall[];
  waitFor<T>(probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: ApiCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const uploads: FileUpload[] = [];
  const handlers = new Map<string, ApiHandler[]>();
  const users = new Map<string, SlackUserFixture>([
    ['UANN', { name: 'ann', real_name: 'Ann Example', email: 'ann@pulse.example' }],
    ['UADMIN', { name: 'root', real_name: 'Ada Admin', email: 'ada@pulse.example' }],
  ]);
  // Message timestamps as Slack makes them: the posting time, seconds and microseconds, unique per workspace.
  let lastMicros = 0;
  const nextTs = () => {
    lastMicros = Math.max(lastMicros + 1, Date.now() * 1000);
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  };
  const channels = new SlackChannels();
  const holds: { method: string; match: (b: Record<string, any>) => boolean; arrived: (c: ApiCall) => void; released: Promise<void> }[] = [];

  const defaults: Record<string, (body: Record<string, any>) => unknown> = {
    'auth.test': () => ({ ok: true, url: 'https://test.slack.com/', team: 'Test', user: 'pulse', team_id: 'T1', user_id: 'UBOT', bot_id: 'BBOT' }),
    'users.info': (b) => {
      const u = users.get(String(b.user));
      if (!u) return { ok: false, error: 'user_not_found' };
      return {
        ok: true,
        user: {
          id: b.user,
          name: u.name,
          real_name: u.real_name,
          profile: { real_name: u.real_name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
        },
      };
    },
    'chat.postMessage': (b) => {
      const m = channels.post(b, nextTs(), { botId: 'BBOT', userId: 'UBOT' });
      return {
        ok: true,
        channel: b.channel,
        ts: m.ts,
        message: { type: 'message', text: m.text, ts: m.ts, bot_id: m.bot_id, ...(m.metadata ? { metadata: m.metadata } : {}) },
      };
    },
    'conversations.history': (b) => channels.history(b),
    'chat.postEphemeral': () => ({ ok: true, message_ts: nextTs() }),
    'views.open': (b) => ({ ok: true, view: { id: 'V123', ...(typeof b.view === 'object' ? b.view : {}) } }),
    // Socket Mode: the app-level token (xapp-…) asks for a WebSocket URL.
    'apps.connections.open': () => ({ ok: true, url: `${base.replace(/^http/, 'ws')}/socket-mode` }),
    // files.uploadV2 = getUploadURLExternal → POST the bytes to that URL → completeUploadExternal.
    'files.getUploadURLExternal': () => ({ ok: true, upload_url: `${base}/upload/F0${++files}`, file_id: `F0${files}` }),
    'files.completeUploadExternal': (b) => ({
      ok: true,
      files: (Array.isArray(b.files) ? b.files : []).map((f: { id: string; title?: string }) => ({ id: f.id, title: f.title ?? '' })),
    }),
  };
  let files = 0;
  let base = '';

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/upload/')) {
      uploads.push({ id: url.pathname.slice('/upload/'.length), bytes: raw.length, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      return;
    }
    if (url.pathname.startsWith('/respond/')) {
      responses.push({ id: url.pathname.slice('/respond/'.length), body: JSON.parse(raw || '{}'), at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const body = parseApiBody(raw, String(req.headers['content-type'] ?? ''));
    const auth = String(req.headers.authorization ?? '');
    const call: ApiCall = { method, body, token: auth.startsWith('Bearer ') ? auth.slice(7) : body.token, at: Date.now() };
    calls.push(call);
    let answer: FakeAnswer | undefined;
    for (const h of handlers.get(method) ?? []) {
      answer = await h(body, call);
      if (answer) break;
    }
    const json = answer?.json ?? (defaults[method] ? defaults[method]!(body) : { ok: false, error: 'unknown_method' });
    for (const h of holds.filter((x) => x.method === method && x.match(body))) {
      h.arrived(call);
      await h.released;
    }
    if (res.destroyed) return;
    res.writeHead(answer?.status ?? 200, { 'content-type': 'application/json', ...(answer?.headers ?? {}) }).end(JSON.stringify(json));
  });
  // Socket Mode: hello on connect, then whatever the test dispatches; everything sent back is kept.
  const wss = new WebSocketServer({ server, path: '/socket-mode' });
  const sockets = new Set<WebSocket>();
  const acks: { envelope_id: string; payload?: Record<string, any> }[] = [];
  let envelopes = 0;
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data) => {
      try {
        acks.push(JSON.parse(String(data)));
      } catch {
        /* not JSON: not an ack */
      }
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.size,
        debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: 'A1' },
      }),
    );
  });
  const socketMode: FakeSocketMode = {
    get connections() {
      return sockets.size;
    },
    acks,
    dispatch(type, payload, extra = {}) {
      const envelope_id = `env-${++envelopes}`;
      const frame = JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', ...extra });
      for (const s of sockets) s.send(frame);
      return envelope_id;
    },
    sendRaw(text) {
      for (const s of sockets) s.send(text);
    },
    async waitForAck(envelopeId, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const ack = acks.find((a) => a.envelope_id === envelopeId);
        if (ack) return ack;
        if (Date.now() > until) throw new Error(`fake Slack: no ack for ${envelopeId}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async waitForConnection(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (sockets.size === 0) {
        if (Date.now() > until) throw new Error('fake Slack: no Socket Mode connection');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api/`,
    calls,
    responses,
    uploads,
    users,
    socketMode,
    channels,
    hold(method, match) {
      let arrived!: (c: ApiCall) => void;
      let release!: () => void;
      const received = new Promise<ApiCall>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ method, match, arrived, released });
      return { received, release };
    },
    responseUrl: (id) => `${base}/respond/${id}`,
    on(method, handler) {
      handlers.set(method, [...(handlers.get(method) ?? []), handler]);
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    async waitFor(probe, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = probe();
        if (v !== undefined && v !== false) return v as never;
        if (Date.now() > until) throw new Error('fake Slack: timed out waiting');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The Web API client posts forms whose complex values (blocks, view) are JSON strings. */
function parseApiBody(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}');
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

// ---- requests from "Slack" to the app -------------------------------------------------------

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
}

export interface SignedPostOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Overrides the computed signature (bad-signature tests). */
  signature?: string;
  contentType?: string;
}

export interface PostResult {
  status: number;
  text: string;
  json: any;
  ms: number;
}

export async function postSigned(url: string, secret: string, body: string, opts: SignedPostOptions = {}): Promise<PostResult> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? slackSignature(secret, timestamp, body),
    },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, ms };
}

export interface SlashCommandFields {
  command: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  response_url?: string;
  trigger_id?: string;
  /** The workspace the command comes from (T1, this bot's, by default). */
  team_id?: string;
}

/** A slash command as Slack sends it: a form-encoded body. */
export function slashCommandBody(f: SlashCommandFields): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: f.team_id ?? 'T1',
    team_domain: 'test',
    channel_id: f.channel_id ?? 'C123',
    channel_name: 'sales',
    user_id: f.user_id ?? 'UANN',
    user_name: f.user_name ?? 'ann',
    command: f.command,
    text: f.text ?? '',
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: f.response_url ?? 'http://127.0.0.1:9/unused',
    trigger_id: f.trigger_id ?? '1337.42.abc',
  }).toString();
}

/** Interactivity payloads (block_actions, view_submission, block_suggestion): `payload=JSON`. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function buttonClick(opts: {
  actionId: string;
  value: string;
  userId?: string;
  channelId?: string;
  responseUrl: string;
  ephemeral?: boolean;
  triggerId?: string;
  teamId?: string;
}): Record<string, unknown> {
  const channel = opts.channelId ?? 'C123';
  return {
    type: 'block_actions',
    team: { id: opts.teamId ?? 'T1', domain: 'test' },
    user: { id: opts.userId ?? 'UANN', username: 'ann', name: 'ann', team_id: opts.teamId ?? 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: '1700000000.000001', channel_id: channel, is_ephemeral: opts.ephemeral ?? true },
    trigger_id: opts.triggerId ?? '2468.42.def',
    channel: { id: channel, name: 'sales' },
    response_url: opts.responseUrl,
    actions: [
      { action_id: opts.actionId, block_id: 'b1', type: 'button', value: opts.value, text: { type: 'plain_text', text: 'x' }, action_ts: '1700000001.000001' },
    ],
  };
}

export function viewSubmission(opts: { values: Record<string, Record<string, unknown>>; privateMetadata?: string; userId?: string }): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'test' },
    user: { id: opts.userId ?? 'UANN', username: 'ann', name: 'ann', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    trigger_id: '3579.42.ghi',
    view: {
      id: 'V123',
      team_id: 'T1',
      type: 'modal',
      callback_id: 'pulse_feedback',
      private_metadata: opts.privateMetadata ?? '{}',
      state: { values: opts.values },
      hash: 'h',
      title: { type: 'plain_text', text: 'Log feedback' },
      blocks: [],
      close: null,
      submit: null,
      root_view_id: 'V123',
      previous_view_id: null,
      app_id: 'A1',
      external_id: '',
      bot_id: 'BBOT',
      clear_on_close: false,
      notify_on_close: false,
    },
  };
}

export function blockSuggestion(opts: { actionId: string; value: string; blockId?: string; teamId?: string }): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    user: { id: 'UANN', username: 'ann', name: 'ann', team_id: opts.teamId ?? 'T1' },
    team: { id: opts.teamId ?? 'T1', domain: 'test' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    action_id: opts.actionId,
    block_id: opts.blockId ?? 'customer',
    value: opts.value,
    view: { id: 'V123', type: 'modal', callback_id: 'pulse_feedback', team_id: 'T1', private_metadata: '{}' },
  };
}
