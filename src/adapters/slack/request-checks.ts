// What a request to /slack/events must be before Bolt sees it. Pure: the HTTP guard calls these.
//
// Bolt's HTTPReceiver trusts a correctly signed body to have Slack's shape: a signed
// `payload=null` (or a JSON `null`) reached `body.ssl_check` and threw outside any handler, which
// killed the process; a form with `command` twice became an array and was never acknowledged. So
// the signature (with a timestamp at most five minutes off in either direction) and then the shape
// of every kind of request Slack sends are checked here, and anything else is answered 4xx.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window for x-slack-request-timestamp, in both directions (a future timestamp is as suspect as a stale one). */
export const SIGNATURE_WINDOW_S = 5 * 60;
/** Slack's requests are a few kilobytes; a modal's state is the largest. */
export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_FORM_FIELDS = 64;

export type Refusal = { status: 400 | 401 | 413 | 415; reason: string };

export interface SignedRequest {
  /** x-slack-request-timestamp, as sent. */
  timestamp: string | string[] | undefined;
  /** x-slack-signature, as sent. */
  signature: string | string[] | undefined;
  body: Buffer;
}

/** The signature if the request is Slack's and fresh; else why not (401). */
export function checkSignature(
  secret: string,
  req: SignedRequest,
  nowMs: number,
): { ok: true; signature: string; timestampS: number } | ({ ok: false } & Refusal) {
  const ts = req.timestamp;
  const sig = req.signature;
  if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) return { ok: false, status: 401, reason: 'missing or malformed x-slack-request-timestamp' };
  if (typeof sig !== 'string' || !/^v0=[0-9a-f]{64}$/.test(sig)) return { ok: false, status: 401, reason: 'missing or malformed x-slack-signature' };
  const timestampS = Number(ts);
  const skew = timestampS - Math.floor(nowMs / 1000);
  if (skew < -SIGNATURE_WINDOW_S) return { ok: false, status: 401, reason: 'stale timestamp (more than 5 minutes old)' };
  if (skew > SIGNATURE_WINDOW_S) return { ok: false, status: 401, reason: 'timestamp more than 5 minutes in the future' };
  const expected = createHmac('sha256', secret).update(`v0:${ts}:`).update(req.body).digest();
  const given = Buffer.from(sig.slice(3), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 401, reason: 'signature mismatch' };
  return { ok: true, signature: sig, timestampS };
}

export type SlackRequestKind = 'ssl_check' | 'slash_command' | 'interactive' | 'event' | 'url_verification';

export type ShapeVerdict =
  { ok: true; kind: SlackRequestKind; contentType: 'application/x-www-form-urlencoded' | 'application/json'; teamIds: string[] } | ({ ok: false } & Refusal);

const INTERACTIVE_TYPES = new Set([
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'interactive_message',
  'dialog_submission',
  'dialog_suggestion',
  'dialog_cancellation',
]);

/**
 * What kind of Slack request the body is, and the team ids it names (for the workspace check), or
 * why it is malformed (400) or of a content type Slack never sends (415).
 */
export function checkShape(contentTypeHeader: string | undefined, body: Buffer): ShapeVerdict {
  const type = (contentTypeHeader ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') return checkForm(text);
  if (type === 'application/json') return checkEvent(text);
  return { ok: false, status: 415, reason: `content type ${type || '(none)'} is not one Slack sends` };
}

function bad(reason: string): { ok: false } & Refusal {
  return { ok: false, status: 400, reason };
}

function checkForm(text: string): ShapeVerdict {
  const fields = new Map<string, string>();
  let n = 0;
  for (const [k, v] of new URLSearchParams(text)) {
    if (++n > MAX_FORM_FIELDS) return bad('too many form fields');
    if (fields.has(k)) return bad(`form field ${JSON.stringify(k.slice(0, 40))} appears more than once`);
    fields.set(k, v);
  }
  const form = 'application/x-www-form-urlencoded' as const;
  if (fields.get('ssl_check') === '1') return { ok: true, kind: 'ssl_check', contentType: form, teamIds: [] };
  if (fields.has('payload')) {
    if (fields.size > 1) return bad('an interactive payload comes alone');
    return checkPayload(fields.get('payload')!);
  }
  const command = fields.get('command');
  if (command === undefined) return bad('neither a slash command nor an interactive payload');
  if (!/^\/\S{1,64}$/.test(command)) return bad('the command is not a slash command');
  for (const k of ['user_id', 'team_id', 'channel_id']) {
    if (!nonEmpty(fields.get(k))) return bad(`the slash command has no ${k}`);
  }
  for (const k of ['response_url', 'trigger_id']) {
    if (fields.has(k) && !nonEmpty(fields.get(k))) return bad(`the slash command's ${k} is empty`);
  }
  return { ok: true, kind: 'slash_command', contentType: form, teamIds: teamIds([fields.get('team_id')]) };
}

function checkPayload(json: string): ShapeVerdict {
  const p = parseObject(json);
  if (!p) return bad('the payload is not a JSON object');
  if (typeof p.type !== 'string' || !INTERACTIVE_TYPES.has(p.type)) return bad('the payload has no known type');
  const user = p.user;
  if (!isObject(user) || !nonEmpty(user.id)) return bad('the payload names no user');
  const team = p.team;
  if (team !== undefined && team !== null && (!isObject(team) || !nonEmpty(team.id))) return bad('the payload names a team without an id');
  if (p.type === 'block_actions') {
    const actions = p.actions;
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => isObject(a) && nonEmpty(a.action_id)))
      return bad('block_actions without actions');
  }
  if (p.type === 'block_suggestion' && (!nonEmpty(p.action_id) || typeof p.value !== 'string')) return bad('block_suggestion without action_id or value');
  if (p.type === 'view_submission' || p.type === 'view_closed') {
    const view = p.view;
    if (!isObject(view) || typeof view.callback_id !== 'string') return bad(`${p.type} without a view`);
    if (p.type === 'view_submission' && (!isObject(view.state) || !isObject(view.state.values))) return bad('view_submission without state values');
  }
  return {
    ok: true,
    kind: 'interactive',
    contentType: 'application/x-www-form-urlencoded',
    teamIds: teamIds([isObject(team) ? team.id : undefined, user.team_id]),
  };
}

function checkEvent(json: string): ShapeVerdict {
  const e = parseObject(json);
  if (!e) return bad('the body is not a JSON object');
  if (typeof e.type !== 'string') return bad('the event body has no type');
  if (e.type === 'url_verification') {
    return typeof e.challenge === 'string'
      ? { ok: true, kind: 'url_verification', contentType: 'application/json', teamIds: [] }
      : bad('url_verification without a challenge');
  }
  if (e.type === 'event_callback' && (!isObject(e.event) || typeof e.event.type !== 'string' || !nonEmpty(e.team_id)))
    return bad('event_callback without an event or team');
  return { ok: true, kind: 'event', contentType: 'application/json', teamIds: teamIds([e.team_id]) };
}

function parseObject(json: string): Record<string, any> | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function teamIds(ids: unknown[]): string[] {
  return [...new Set(ids.filter(nonEmpty))];
}

/**
 * Remembers accepted signatures for as long as Slack's window lets a copy through, so that a request
 * replayed within it is answered once. Bounded: the oldest entries go first.
 */
export class ReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #max: number;

  constructor(maxEntries = 200_000) {
    this.#max = maxEntries;
  }

  /** True the first time a signature is offered within its window; false for a replay. */
  accept(signature: string, timestampS: number, nowMs: number): boolean {
    this.#prune(nowMs);
    if (this.#seen.has(signature)) return false;
    this.#seen.set(signature, (timestampS + SIGNATURE_WINDOW_S + 60) * 1000);
    if (this.#seen.size > this.#max) this.#seen.delete(this.#seen.keys().next().value!);
    return true;
  }

  #prune(nowMs: number): void {
    // Insertion order is close to expiry order; stop at the first live entry.
    for (const [sig, expires] of this.#seen) {
      if (expires > nowMs) break;
      this.#seen.delete(sig);
    }
  }
}
