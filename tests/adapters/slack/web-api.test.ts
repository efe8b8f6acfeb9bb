// Calls Pulse makes to the Web API: rate limits waited out, a refused token survived, posting a Reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../../src/adapters/chat-adapter.ts';
import { createPostingClient, postToSlackChannel } from '../../../src/adapters/slack/post-to-channel.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import { buttonClick, startFakeSlack, type FakeSlack } from './helpers/fake-slack.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { memoryLogger, slackTestContext, type SlackTestContext } from './helpers/slack-context.ts';

/** The first `times` calls to `method` get 429 with Retry-After: `seconds`. */
function rateLimit(fake: FakeSlack, method: string, times: number, seconds: number) {
  let left = times;
  fake.on(method, () => (left-- > 0 ? { status: 429, headers: { 'retry-after': String(seconds) }, json: { ok: false, error: 'ratelimited' } } : undefined));
}

describe('postToSlackChannel', () => {
  let fake: FakeSlack;
  let ctx: SlackTestContext;
  beforeAll(async () => {
    fake = await startFakeSlack();
    ctx = await slackTestContext({ apiUrl: fake.apiUrl });
  });
  afterAll(async () => {
    await fake.close();
    await ctx.cleanup();
  });

  it('GIVEN a reply THEN chat.postMessage gets it without personal data and the message ts comes back', async () => {
    const client = createPostingClient(ctx);
    const { messageId: ts, found } = await postToSlackChannel(client, ctx.log, 'slack:CDIGEST', {
      title: 'At-risk accounts',
      fields: [
        { label: 'Contact', value: 'ann@acme.com', pii: true },
        { label: 'Value at risk', value: '$12,400' },
      ],
      text: 'Call +1 (555) 010-9999 today',
      visibility: 'channel',
    });
    expect(ts).toMatch(/^\d+\.\d+$/);
    expect(found).toBe(false);
    const call = fake.callsTo('chat.postMessage').at(-1)!;
    expect(call.body.channel).toBe('CDIGEST');
    expect(JSON.stringify(call.body)).not.toContain('ann@acme.com');
    expect(JSON.stringify(call.body)).not.toContain('555');
    expect(JSON.stringify(call.body)).toContain('$12,400');
  });

  it('GIVEN Slack answers 429 with Retry-After: 1 to the posting client THEN RateLimitedError(1,000 ms) at once, for the outbox', async () => {
    rateLimit(fake, 'chat.postMessage', 1, 1);
    const client = createPostingClient(ctx);
    const before = fake.callsTo('chat.postMessage').length;
    const err = await postToSlackChannel(client, ctx.log, 'CDIGEST', { title: 'Weekly satisfaction', text: 'CSAT 82%', visibility: 'channel' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(1_000);
    expect(fake.callsTo('chat.postMessage').slice(before)).toHaveLength(1);
  });

  it('GIVEN Slack refuses the post THEN the error says why', async () => {
    fake.on('chat.postMessage', (b) => (b.channel === 'CNOPE' ? { json: { ok: false, error: 'channel_not_found' } } : undefined));
    const client = createPostingClient(ctx);
    await expect(postToSlackChannel(client, ctx.log, 'CNOPE', { text: 'x', visibility: 'channel' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
  });
});

describe('Slack app against a difficult Web API', () => {
  let h: Harness;
  const log = memoryLogger();
  beforeAll(async () => {
    h = await startHarness({ customers: 30, log });
  });
  afterAll(async () => h.stop());

  it('GIVEN a share while chat.postMessage is rate limited THEN the post arrives after Retry-After', async () => {
    const id = (await sampleCustomers(h.ctx.store.db, 1))[0]!.customer_id;
    rateLimit(h.fake, 'chat.postMessage', 1, 1);
    const before = h.fake.callsTo('chat.postMessage').length;
    const value = JSON.stringify({ kind: 'share', command: `/customer ${id}` });
    const click = await h.interact(buttonClick({ actionId: 'pulse_button_0', value, channelId: 'CSALES', responseUrl: h.fake.responseUrl('rl1') }));
    expect(click.status).toBe(200);
    const calls = await h.fake.waitFor(
      () => (h.fake.callsTo('chat.postMessage').length >= before + 2 ? h.fake.callsTo('chat.postMessage').slice(before) : undefined),
      5_000,
    );
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(990);
    expect(calls[1]!.body.channel).toBe('CSALES');
    expect(h.fake.responses.find((r) => r.id === 'rl1')).toBeUndefined();
  });
});

describe('Slack app with a refused bot token', () => {
  it('GIVEN auth.test says invalid_auth THEN the process runs on, logs it, and commands answer with a refusal naming the token', async () => {
    const log = memoryLogger();
    const h = await startHarness({ customers: 10, log, beforeStart: (fake) => fake.on('auth.test', () => ({ json: { ok: false, error: 'invalid_auth' } })) });
    try {
      await h.fake.waitFor(() => log.lines.find((l) => l.level === 'error' && l.msg.includes('auth.test')));
      expect(log.lines.find((l) => l.msg.includes('auth.test'))!.data).toMatchObject({ code: 'invalid_auth' });
      const res = await h.slash({ command: '/help' });
      expect(res.status).toBe(200);
      expect(res.json.response_type).toBe('ephemeral');
      expect(JSON.stringify(res.json.blocks)).toContain('SLACK_BOT_TOKEN');
      expect(JSON.stringify(res.json.blocks)).not.toContain('/customer');
    } finally {
      await h.stop();
    }
  });
});
