import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDiscordError } from '../../../src/adapters/discord/discord-errors.ts';
import { RateLimitedError } from '../../../src/adapters/chat-adapter.ts';
import { postToDiscordChannel } from '../../../src/adapters/discord/post-to-channel.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { CHANNEL_ID, FakeDiscord } from './fake-discord.ts';

const digest: Reply = { title: 'Satisfaction this week', text: 'CSAT 82% (n = 120).', visibility: 'channel' };
const channelPath = `/api/v10/channels/${CHANNEL_ID}/messages`;

describe('postToDiscordChannel', () => {
  let fake: FakeDiscord;
  let rest: REST;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    rest = new REST({ api: fake.apiUrl, offset: 0, retries: 1 }).setToken('test-token');
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('GIVEN a reply THEN it is posted as embeds and the message id comes back', async () => {
    const { messageId: id } = await postToDiscordChannel(rest, `discord:${CHANNEL_ID}`, digest);
    const post = fake.requests.filter((r) => r.path === channelPath).at(-1)!;
    expect(post.method).toBe('POST');
    expect(post.body.embeds[0].title).toBe('Satisfaction this week');
    expect(post.body.allowed_mentions).toEqual({ parse: [] });
    expect(id).toMatch(/^\d+$/);
  });

  it('GIVEN Discord answers 429 to the posting client THEN the post throws RateLimitedError with the wait in ms', async () => {
    let limited = 0;
    fake.override = (r) => {
      if (r.path !== channelPath || limited > 0) return undefined;
      limited++;
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: 0.6, global: false },
        headers: { 'retry-after': '0.6', 'x-ratelimit-scope': 'user' },
      };
    };
    try {
      const posting = new REST({ api: fake.apiUrl, offset: 0, retries: 0, rejectOnRateLimit: () => true }).setToken('test-token');
      const err = await postToDiscordChannel(posting, CHANNEL_ID, digest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(500);
      expect(limited).toBe(1);
    } finally {
      fake.override = undefined;
    }
  });

  it('GIVEN a chart image THEN it goes as a multipart attachment the embed points at', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chart = {
      kind: 'line' as const,
      title: 'CSAT by week',
      series: [
        {
          name: 'CSAT',
          points: [
            { x: 'W1', y: 80 },
            { x: 'W2', y: 82 },
          ],
        },
      ],
    };
    await postToDiscordChannel(rest, CHANNEL_ID, { ...digest, chart }, { chart: Buffer.from(png) });
    const post = fake.requests.filter((r) => r.path === channelPath).at(-1)!;
    expect(String(post.headers['content-type'])).toMatch(/^multipart\/form-data/);
    expect(post.body.attachments).toEqual([{ id: 0, filename: 'chart.png' }]);
    expect(post.body.embeds[1].image).toEqual({ url: 'attachment://chart.png' });
    expect(post.raw.includes(Buffer.from(png))).toBe(true);
  });

  it('GIVEN the bot lacks access THEN the error reads as advice', async () => {
    fake.override = (r) => (r.path === channelPath ? { status: 403, body: { message: 'Missing Access', code: 50001 } } : undefined);
    try {
      const err = await postToDiscordChannel(rest, CHANNEL_ID, digest).catch((e: unknown) => e);
      expect(describeDiscordError(err)).toMatch(/cannot see that channel/);
    } finally {
      fake.override = undefined;
    }
  });
});
