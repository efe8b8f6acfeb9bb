// Posting a Reply into a channel outside any interaction (scheduled digests). Rate limits are
// @discordjs/rest's job: on HTTP 429 it waits out Retry-After and sends again.
import { Routes, type REST } from 'discord.js';
import type { Reply } from '../../core/reply.ts';
import { renderDiscord } from './render-embeds.ts';

export type RestLike = Pick<REST, 'post'>;

export const CHART_FILE = 'chart.png';

/** `discord:123` or `123` → `123`. */
export function discordChannelId(channel: string): string {
  return channel.replace(/^discord:/, '');
}

/**
 * Posts `reply` (and a chart image, when given) into `channelId` and returns the message id. Throws
 * Discord's error (see `describeDiscordError` for words) when the post is refused.
 */
export async function postToDiscordChannel(target: RestLike | { rest: RestLike }, channelId: string, reply: Reply, png?: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<string> {
  const rest = 'rest' in target ? target.rest : target;
  const message = renderDiscord(reply, png ? { chartImage: CHART_FILE } : {});
  const body: Record<string, unknown> = { ...message, allowed_mentions: { parse: [] } };
  if (png) body.attachments = [{ id: 0, filename: CHART_FILE }];
  const answer = (await rest.post(Routes.channelMessages(discordChannelId(channelId)), {
    body,
    ...(png ? { files: [{ name: CHART_FILE, data: Buffer.from(png), contentType: 'image/png' }] } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })) as { id?: string } | undefined;
  if (!answer?.id) throw new Error('Discord accepted the message but returned no message id');
  return answer.id;
}
