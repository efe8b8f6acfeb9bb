// Socket Mode envelopes are checked before the Socket Mode client reads them. The client parses
// each WebSocket message and reads `event.type`, `event.payload.event.type` and the like inside an
// async listener: a `null` message or an `events_api` envelope without an event would throw there,
// as an unhandled rejection. Malformed envelopes are logged and dropped here (acknowledged when
// they have an envelope id, so Slack does not send them again).
import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../../core/logger.ts';

type WsListener = (data: unknown, isBinary: boolean) => unknown;
type SocketModeClient = SocketModeReceiver['client'];
/** The client's own `send` (acknowledging an envelope), private in its types. */
type Sender = { send(envelopeId: string, body: Record<string, unknown>): Promise<void> };

/** Why a Socket Mode message is malformed, or undefined when the client may read it. */
export function envelopeProblem(text: string): { problem: string; envelopeId?: string } | undefined {
  let e: unknown;
  try {
    e = JSON.parse(text);
  } catch {
    return undefined; // the client ignores what it cannot parse
  }
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return { problem: 'not a JSON object' };
  const env = e as Record<string, any>;
  if (typeof env.type !== 'string') return { problem: 'no type' };
  if (env.type === 'hello' || env.type === 'disconnect') return undefined;
  const envelopeId = typeof env.envelope_id === 'string' && env.envelope_id !== '' ? env.envelope_id : undefined;
  if (!envelopeId) return { problem: 'no envelope id' };
  const payload = env.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { problem: 'no payload', envelopeId };
  if (env.type === 'events_api' && (typeof payload.event !== 'object' || payload.event === null || typeof payload.event.type !== 'string'))
    return { problem: 'events_api without an event', envelopeId };
  if (env.type === 'slash_commands' && (typeof payload.command !== 'string' || typeof payload.user_id !== 'string' || typeof payload.team_id !== 'string'))
    return { problem: 'a slash command without command, user or team', envelopeId };
  if (
    env.type === 'interactive' &&
    (typeof payload.type !== 'string' || typeof payload.user !== 'object' || payload.user === null || typeof payload.user.id !== 'string')
  )
    return { problem: 'an interaction without type or user', envelopeId };
  return undefined;
}

/** Puts `envelopeProblem` in front of the client's own message listener. */
export function guardSocketEnvelopes(client: SocketModeClient, log: Logger): void {
  const listeners = client.listeners('ws_message') as WsListener[];
  client.removeAllListeners('ws_message');
  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    const text =
      typeof data === 'string' ? data : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? new TextDecoder().decode(data as ArrayBuffer) : String(data);
    const bad = isBinary ? undefined : envelopeProblem(text);
    if (bad) {
      log.warn('slack: dropped a malformed Socket Mode envelope', { problem: bad.problem });
      if (bad.envelopeId) (client as unknown as Sender).send(bad.envelopeId, {}).catch(() => undefined);
      return;
    }
    for (const l of listeners) {
      Promise.resolve(l.call(client, data, isBinary)).catch((err: unknown) => log.error('slack: a Socket Mode message could not be handled', { error: err }));
    }
  });
}
