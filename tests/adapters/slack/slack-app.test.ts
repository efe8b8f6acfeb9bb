// Building the Slack app from configuration: clear errors for what is missing; Socket Mode as a switch.
import { describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../src/adapters/slack/slack-adapter.ts';
import { createRegistry } from '../../../src/commands/index.ts';
import { loadConfig } from '../../../src/core/config.ts';
import type { Context } from '../../../src/core/context.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { fixedClock } from '../../../src/core/time.ts';

const ctxWith = (env: Record<string, string>): Context => ({
  // The app is only built, never started: no store access happens.
  store: undefined as unknown as Context['store'],
  config: loadConfig({ PULSE_LOG_LEVEL: 'silent', ...env }),
  log: createLogger('silent'),
  clock: fixedClock('2026-06-01T09:00:00Z'),
});

describe('createSlackAdapter', () => {
  it('GIVEN no bot token THEN a clear error names SLACK_BOT_TOKEN', () => {
    expect(() => createSlackAdapter(ctxWith({ SLACK_SIGNING_SECRET: 's' }), createRegistry())).toThrow(/SLACK_BOT_TOKEN/);
  });

  it('GIVEN HTTP mode without a signing secret THEN a clear error names SLACK_SIGNING_SECRET', () => {
    expect(() => createSlackAdapter(ctxWith({ SLACK_BOT_TOKEN: 'xoxb-1' }), createRegistry())).toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('GIVEN SLACK_APP_TOKEN THEN the app is built for Socket Mode without a signing secret and without touching the network', () => {
    const slack = createSlackAdapter(ctxWith({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }), createRegistry());
    expect(slack.app).toBeDefined();
  });

  it('GIVEN socketMode forced on without an app token THEN a clear error names SLACK_APP_TOKEN', () => {
    expect(() => createSlackAdapter(ctxWith({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }), createRegistry(), { socketMode: true })).toThrow(
      /SLACK_APP_TOKEN/,
    );
  });
});
