// A digest from demo data, posted through the real Slack poster (the adapter's Web API client and
// Block Kit renderer) to the local Slack stand-in, with its chart PNG uploaded into the thread.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../src/core/time.ts';
import { recentDeliveries } from '../../src/db/digests.ts';
import { createSlackPoster } from '../../src/adapters/slack/slack-adapter.ts';
import { routingPoster } from '../../src/digests/posters.ts';
import { tick } from '../../src/digests/tick.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import { startFakeSlack, type FakeSlack } from '../adapters/slack/helpers/fake-slack.ts';
import { makeTestContext, seedTestDemo, type TestContext } from '../helpers/context.ts';
import { countingSleep, subscribe } from './helpers/digests.ts';
import { decodePng, darkPixels } from './helpers/png.ts';

let slack: FakeSlack;
let uploads: Server;
const uploaded: Buffer[] = [];
let ctx: TestContext;

beforeAll(async () => {
  slack = await startFakeSlack();
  // files.uploadV2 = getUploadURLExternal → POST the bytes to that URL → completeUploadExternal.
  uploads = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      uploaded.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
  });
  await new Promise<void>((resolve) => uploads.listen(0, '127.0.0.1', resolve));
  const uploadUrl = `http://127.0.0.1:${(uploads.address() as AddressInfo).port}/upload/F0CHART`;
  slack.on('files.getUploadURLExternal', () => ({ json: { ok: true, upload_url: uploadUrl, file_id: 'F0CHART' } }));
  slack.on('files.completeUploadExternal', (body) => ({
    json: { ok: true, files: [{ id: 'F0CHART', title: (body.files as { title?: string }[] | undefined)?.[0]?.title ?? '' }] },
  }));

  ctx = await makeTestContext({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: slack.apiUrl, PULSE_TIMEZONE: 'Europe/Berlin' });
  await seedTestDemo(ctx, 600, 7);
  const today = localDay(ctx.clock.now().getTime(), ctx.config.timeZone);
  await refresh(ctx, { asOfDay: today - 14 });
  await refresh(ctx, { asOfDay: today });
});

afterAll(async () => {
  await ctx?.cleanup();
  await slack?.close();
  await new Promise<void>((resolve) => uploads?.close(() => resolve()));
});

describe('digests through the Slack poster', () => {
  it('GIVEN demo data and a Monday satisfaction subscription WHEN the tick runs THEN one chat.postMessage with the digest and its chart PNG in the thread', async () => {
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', kind: 'satisfaction', platform: 'slack', channel: 'C0DIGEST' });
    const poster = routingPoster({ slack: createSlackPoster(ctx) });
    const report = await tick(ctx, { poster, processId: 'slack-test' }, new Date('2026-11-23T08:00:30Z'));
    expect(report.deliveries).toMatchObject([{ result: 'posted', late: false }]);
    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body.channel).toBe('C0DIGEST');
    const blocks = JSON.stringify(posts[0]!.body.blocks);
    expect(blocks).toContain('Weekly satisfaction · week of 16 Nov 2026');
    expect(blocks).not.toContain('[hidden]');
    expect(blocks).toMatch(/CSAT/);
    expect(blocks).toMatch(/Pain points/);
    expect(report.deliveries[0]!.messageId).toMatch(/^\d+\.\d+$/);
    const complete = slack.callsTo('files.completeUploadExternal');
    expect(complete).toHaveLength(1);
    expect(complete[0]!.body.channel_id).toBe('C0DIGEST');
    expect(complete[0]!.body.thread_ts).toBe(report.deliveries[0]!.messageId);
    expect(uploaded).toHaveLength(1);
    // The Web API client sends the file as a multipart form: the PNG is the part from its signature to IEND.
    const body = uploaded[0]!;
    const start = body.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const end = body.indexOf(Buffer.from('IEND', 'ascii'), start) + 8;
    expect(start).toBeGreaterThanOrEqual(0);
    const png = decodePng(body.subarray(start, end));
    expect(png.width).toBeGreaterThan(1000);
    expect(darkPixels(png, { x0: 0, y0: 0, x1: png.width, y1: 64 })).toBeGreaterThan(500); // the title is drawn
    expect((await recentDeliveries(ctx.store.db, 1))[0]).toMatchObject({ status: 'posted', message_id: report.deliveries[0]!.messageId });
  });

  it('GIVEN Slack answers 429 with Retry-After: 1 THEN the tick waits a second and posts once', async () => {
    let first = true;
    slack.on('chat.postMessage', () => {
      if (!first) return undefined;
      first = false;
      return { status: 429, headers: { 'retry-after': '1' }, json: { ok: false, error: 'ratelimited' } };
    });
    await subscribe(ctx, { created_at: '2026-11-01T00:00:00Z', kind: 'at-risk', platform: 'slack', channel: 'C0RISK' });
    const before = slack.callsTo('chat.postMessage').length;
    const { sleep, waits } = countingSleep();
    const report = await tick(
      ctx,
      { poster: routingPoster({ slack: createSlackPoster(ctx) }), processId: 'slack-test', sleep },
      new Date('2026-11-23T08:01:00Z'),
    );
    expect(report.deliveries).toMatchObject([{ subscriptionId: 2, result: 'posted', waitedMs: 1_000 }]);
    expect(waits).toEqual([1_000]);
    const calls = slack.callsTo('chat.postMessage').slice(before);
    expect(calls).toHaveLength(2); // the refused one and the one that went through
    expect(JSON.stringify(calls[1]!.body.blocks)).toContain('At-risk customers');
  });
});
