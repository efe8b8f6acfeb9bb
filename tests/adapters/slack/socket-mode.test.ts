// Socket Mode end to end against a local stand-in of Slack's: apps.connections.open with the
// app-level token hands out a WebSocket URL, the app connects, Slack says hello, envelopes come in
// and every one is acknowledged — a slash command with its answer in the ack. Malformed envelopes
// are dropped without taking the process down, and another workspace gets a refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/slack-adapter.ts';
import { createRegistry } from '../../../src/commands/index.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import { startFakeSlack, type FakeSlack } from './helpers/fake-slack.ts';
import { slackTestContext, type SlackTestContext } from './helpers/slack-context.ts';

const APP_TOKEN = 'xapp-1-A1-test';
let fake: FakeSlack;
let ctx: SlackTestContext;
let slack: SlackAdapter;
let customerId: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  ctx = await slackTestContext({ apiUrl: fake.apiUrl, customers: 40, env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' } });
  customerId = (await sampleCustomers(ctx.store.db, 1))[0]!.customer_id;
  slack = createSlackAdapter(ctx, createRegistry());
  await slack.start();
  await fake.socketMode.waitForConnection();
}, 30_000);

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await ctx?.cleanup();
});

const slash = (command: string, text: string, extra: Record<string, string> = {}) => ({
  token: 'legacy',
  team_id: 'T1',
  team_domain: 'test',
  channel_id: 'C123',
  channel_name: 'sales',
  user_id: 'UANN',
  user_name: 'ann',
  command,
  text,
  api_app_id: 'A1',
  is_enterprise_install: 'false',
  response_url: fake.responseUrl(`sm-${command}-${text.length}`),
  trigger_id: '1.2.3',
  ...extra,
});

describe('Slack Socket Mode', () => {
  it('GIVEN SLACK_APP_TOKEN THEN the app asked apps.connections.open with that token and holds one WebSocket', () => {
    const open = fake.callsTo('apps.connections.open');
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open[0]!.token).toBe(APP_TOKEN);
    expect(fake.socketMode.connections).toBe(1);
    expect(slack.port).toBeUndefined();
  });

  it('GIVEN a /customer envelope THEN it is acknowledged with the private card as the ack payload', async () => {
    const id = fake.socketMode.dispatch('slash_commands', slash('/customer', customerId));
    const ack = await fake.socketMode.waitForAck(id);
    expect(ack.payload?.response_type).toBe('ephemeral');
    expect(JSON.stringify(ack.payload?.blocks)).toContain(customerId);
  });

  it('GIVEN malformed envelopes (null, no event, no user, not JSON) THEN they are dropped and the next command still answers', async () => {
    fake.socketMode.sendRaw('null');
    fake.socketMode.sendRaw('{"type":"slash_commands"}');
    const noEvent = fake.socketMode.dispatch('events_api', null);
    const noUser = fake.socketMode.dispatch('slash_commands', { command: '/help' });
    fake.socketMode.sendRaw('{not json');
    // Envelopes with an id are acknowledged (so Slack does not send them again), with nothing in them.
    expect((await fake.socketMode.waitForAck(noEvent)).payload).toEqual({});
    expect((await fake.socketMode.waitForAck(noUser)).payload).toEqual({});
    const id = fake.socketMode.dispatch('slash_commands', slash('/help', ''));
    const ack = await fake.socketMode.waitForAck(id);
    expect(JSON.stringify(ack.payload?.blocks)).toContain('Pulse commands');
    expect(fake.socketMode.connections).toBe(1);
  });

  it('GIVEN a slash command from another workspace THEN the ack is a refusal without customer data', async () => {
    const id = fake.socketMode.dispatch('slash_commands', slash('/customer', customerId, { team_id: 'T_OTHER' }));
    const ack = await fake.socketMode.waitForAck(id);
    expect(JSON.stringify(ack.payload)).toMatch(/only inside the workspace/);
    expect(JSON.stringify(ack.payload)).not.toContain(customerId);
  });
});
