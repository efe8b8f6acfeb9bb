// The messages the Slack stand-in holds per channel, as Slack documents them for the two methods
// the digest outbox relies on: chat.postMessage (with `metadata`: event_type + event_payload) and
// conversations.history (newest first; `oldest` / `latest` exclusive unless `inclusive`; `limit`
// with cursor pagination; metadata only with `include_all_metadata`).
export interface StoredMessage {
  type: 'message';
  ts: string;
  channel: string;
  text: string;
  blocks?: unknown;
  bot_id: string;
  user: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;

export class SlackChannels {
  readonly #byChannel = new Map<string, StoredMessage[]>();

  /** Stores a chat.postMessage as its message. */
  post(body: Record<string, any>, ts: string, identity: { botId: string; userId: string }): StoredMessage {
    const metadata = typeof body.metadata === 'string' ? safeJson(body.metadata) : body.metadata;
    const m: StoredMessage = {
      type: 'message',
      ts,
      channel: String(body.channel),
      text: String(body.text ?? ''),
      ...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
      bot_id: identity.botId,
      user: identity.userId,
      ...(metadata && typeof metadata === 'object' && typeof (metadata as { event_type?: unknown }).event_type === 'string'
        ? { metadata: metadata as StoredMessage['metadata'] }
        : {}),
    };
    this.#byChannel.set(m.channel, [...(this.#byChannel.get(m.channel) ?? []), m]);
    return m;
  }

  messages(channel: string): StoredMessage[] {
    return [...(this.#byChannel.get(channel) ?? [])];
  }

  /** Messages of `channel` carrying a metadata payload key `key` equal to `value`. */
  withMetadata(channel: string, key: string, value: unknown): StoredMessage[] {
    return this.messages(channel).filter((m) => m.metadata?.event_payload?.[key] === value);
  }

  /** conversations.history's answer. */
  history(body: Record<string, any>): Record<string, unknown> {
    if (!body.channel) return { ok: false, error: 'channel_not_found' };
    const inclusive = truthy(body.inclusive);
    const oldest = body.oldest !== undefined ? Number(body.oldest) : 0;
    const latest = body.latest !== undefined ? Number(body.latest) : Infinity;
    const limit = Math.min(999, Math.max(1, Number(body.limit ?? 100)));
    const offset = body.cursor
      ? Number(
          Buffer.from(String(body.cursor), 'base64')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
    const inRange = this.messages(String(body.channel))
      .filter((m) => {
        const t = Number(m.ts);
        return (inclusive ? t >= oldest : t > oldest) && (inclusive ? t <= latest : t < latest);
      })
      .reverse();
    const page = inRange.slice(offset, offset + limit);
    const hasMore = offset + limit < inRange.length;
    const withMeta = truthy(body.include_all_metadata);
    return {
      ok: true,
      messages: page.map(({ channel: _c, metadata, ...m }) => ({ ...m, ...(withMeta && metadata ? { metadata } : {}) })),
      has_more: hasMore,
      pin_count: 0,
      response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' },
    };
  }
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}
