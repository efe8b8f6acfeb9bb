// Starts the real Bolt app on 127.0.0.1 (port 0) against the Slack stand-in, with a demo store.
import { z } from 'zod';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapterOptions } from '../../../../src/adapters/slack/slack-adapter.ts';
import { allCommands } from '../../../../src/commands/index.ts';
import { defineCommand, type CommandDef } from '../../../../src/core/command.ts';
import type { Logger } from '../../../../src/core/logger.ts';
import { Registry } from '../../../../src/core/registry.ts';
import { textReply } from '../../../../src/core/reply.ts';
import { interactionBody, postSigned, slashCommandBody, startFakeSlack, type FakeSlack, type PostResult, type SlashCommandFields } from './fake-slack.ts';
import { FAST_RETRY, SIGNING_SECRET, slackTestContext, type SlackTestContext } from './slack-context.ts';

export interface Harness {
  fake: FakeSlack;
  ctx: SlackTestContext;
  registry: Registry;
  /** http://127.0.0.1:PORT/slack/events */
  url: string;
  slash(fields: SlashCommandFields): Promise<PostResult>;
  interact(payload: Record<string, unknown>): Promise<PostResult>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Commands that exist only in tests: one marked slow, one slow without saying so, one that throws. */
export const TEST_COMMANDS: CommandDef[] = [
  defineCommand({ name: 'test-slow', description: 'Marked slow', usage: '/test-slow', args: z.object({}), role: 'rep', slow: true, async run() {
    await sleep(30);
    return textReply('The slow answer.');
  } }),
  defineCommand({ name: 'test-sleepy', description: 'Slow without saying so', usage: '/test-sleepy', args: z.object({}), role: 'rep', async run() {
    await sleep(400);
    return textReply('The sleepy answer.');
  } }),
  defineCommand({ name: 'test-broken', description: 'Always throws', usage: '/test-broken', args: z.object({}), role: 'rep', async run() {
    throw new Error('kaboom: database on fire');
  } }),
] as unknown as CommandDef[];

export async function startHarness(opts: { customers?: number; commands?: CommandDef[]; adapter?: SlackAdapterOptions; log?: Logger; env?: Record<string, string>; beforeStart?: (fake: FakeSlack) => void } = {}): Promise<Harness> {
  const fake = await startFakeSlack();
  opts.beforeStart?.(fake);
  const ctx = await slackTestContext({ apiUrl: fake.apiUrl, customers: opts.customers ?? 300, ...(opts.log ? { log: opts.log } : {}), ...(opts.env ? { env: opts.env } : {}) });
  const registry = new Registry(opts.commands ?? [...allCommands(), ...TEST_COMMANDS]);
  const slack = createSlackAdapter(ctx, registry, { host: '127.0.0.1', port: 0, retryConfig: FAST_RETRY, ackAfterMs: 150, ...opts.adapter });
  await slack.start();
  const url = `http://127.0.0.1:${slack.port}${SLACK_EVENTS_PATH}`;
  let n = 0;
  return {
    fake,
    ctx,
    registry,
    url,
    slash: (fields) => postSigned(url, SIGNING_SECRET, slashCommandBody({ response_url: fake.responseUrl(`r${++n}`), ...fields })),
    interact: (payload) => postSigned(url, SIGNING_SECRET, interactionBody(payload)),
    async stop() {
      await slack.stop();
      await fake.close();
      await ctx.cleanup();
    },
  };
}
