// Posting a Reply into a Discord channel (digests, shares) through a REST client. A channel sees no
// personal data: every post goes through withoutPersonalData. Rate limits come back as the one
// RateLimitedError; the tick decides whether to wait.
//
// A delivery (a digest for one period) is sent with a `nonce` derived from its key and
// `enforce_nonce`, so Discord itself returns the earlier message instead of creating a second one
// within its nonce window, and carries its key in the embed footer. When an earlier attempt may
// have reached Discord, the bot's recent messages in the channel are read back first and the one
// whose footer carries the key is used (Discord does not return nonces when messages are read).
import { createHash } from 'node:crypto';
import { RateLimitError, Routes, type REST } from 'discord.js';
import { withoutPersonalData, type Reply } from '../../core/reply.ts';
import { deliveryRef, RateLimitedError, type PostOptions, type Posted } from '../chat-adapter.ts';
import { renderDiscord } from './render-embeds.ts';

export type RestLike = Pick<REST, 'post' | 'get'>;

export const CHART_FILE = 'chart.png';
/** Discord's longest nonce. */
const NONCE_LENGTH = 25;
/** Pages of 100 messages read back at most when looking for an earlier attempt. */
const LOOKUP_PAGES = 5;

/** `discord:123` or `123` → `123`. */
export function discordChannelId(channel: string): string {
  return channel.replace(/^discord:/, '');
}

/** The nonce of a delivery: the same key always gives the same 25 characters. */
export function deliveryNonce(deliveryKey: string): string {
  return createHash('sha256').update(deliveryKey).digest('hex').slice(0, NONCE_LENGTH);
}

interface DiscordMessageLike {
  id: string;
  author?: { id?: string };
  embeds?: { footer?: { text?: string } }[];
  timestamp?: string;
}

/**
 * Posts `reply` (without personal data, with the chart as an attachment) into `channel` and returns
 * the message id. `botUserId` names the bot's messages when an earlier attempt is looked up.
 */
export async function postToDiscordChannel(
  rest: RestLike,
  channel: string,
  reply: Reply,
  opts: PostOptions & { botUserId?: () => Promise<string>; signal?: AbortSignal } = {},
): Promise<Posted> {
  const id = discordChannelId(channel);
  try {
    if (opts.deliveryKey && opts.lookSince) {
      const found = await findDelivery(rest, id, opts.deliveryKey, opts.lookSince, opts.botUserId ? await opts.botUserId() : undefined);
      if (found) return { messageId: found, found: true };
    }
    let channelReply = withoutPersonalData(reply);
    // The key goes first in the footer, so that no clipping of a long footer can cut it off.
    if (opts.deliveryKey) channelReply = { ...channelReply, footer: [deliveryRef(opts.deliveryKey), channelReply.footer].filter(Boolean).join(' · ') };
    const message = renderDiscord(channelReply, opts.chart ? { chartImage: CHART_FILE } : {});
    const body: Record<string, unknown> = { ...message, allowed_mentions: { parse: [] } };
    if (opts.deliveryKey) Object.assign(body, { nonce: deliveryNonce(opts.deliveryKey), enforce_nonce: true });
    if (opts.chart) body.attachments = [{ id: 0, filename: CHART_FILE }];
    const answer = (await rest.post(Routes.channelMessages(id), {
      body,
      ...(opts.chart ? { files: [{ name: CHART_FILE, data: Buffer.from(opts.chart), contentType: 'image/png' }] } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    })) as { id?: string } | undefined;
    if (!answer?.id) throw new Error('Discord accepted the message but returned no message id');
    return { messageId: answer.id, found: false };
  } catch (err) {
    if (err instanceof RateLimitError) {
      const ms = err.retryAfter > 0 ? err.retryAfter : Math.max(err.timeToReset, 1000);
      throw new RateLimitedError(ms, `Discord rate limit: retry after ${Math.ceil(ms / 1000)} s`);
    }
    throw err;
  }
}

/**
 * The id of the bot's message in `channel` whose embed footer carries the delivery's key, posted
 * no earlier than `since`, or undefined. Needs Read Message History; a failure throws, so the
 * delivery is retried rather than posted twice blindly.
 */
export async function findDelivery(
  rest: RestLike,
  channel: string,
  deliveryKey: string,
  since: Date,
  botUserId: string | undefined,
): Promise<string | undefined> {
  const ref = deliveryRef(deliveryKey);
  const oldest = since.getTime() - 60_000;
  let before: string | undefined;
  for (let page = 0; page < LOOKUP_PAGES; page++) {
    const query = new URLSearchParams({ limit: '100', ...(before ? { before } : {}) });
    const messages = ((await rest.get(Routes.channelMessages(channel), { query })) ?? []) as DiscordMessageLike[];
    for (const m of messages) {
      if (botUserId && m.author?.id !== botUserId) continue;
      if (m.embeds?.some((e) => e.footer?.text?.includes(ref))) return m.id;
    }
    if (messages.length < 100) return undefined;
    // Newest first: the last one is the oldest of the page.
    const last = messages[messages.length - 1]!;
    if (last.timestamp && Date.parse(last.timestamp) < oldest) return undefined;
    before = last.id;
  }
  return undefined;
}
