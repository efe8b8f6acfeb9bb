import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { parseIdentity } from '../../src/core/identity.ts';

const both = loadConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 's', DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1' });
const slackOnly = loadConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 's' });

describe('parseIdentity', () => {
  it('GIVEN Slack and Discord mentions THEN the platform-qualified ids', () => {
    expect(parseIdentity('<@U0123ABC>', { platform: 'slack' }, both)).toBe('slack:U0123ABC');
    expect(parseIdentity('<@U0123ABC|ann>', { platform: 'console' }, both)).toBe('slack:U0123ABC');
    expect(parseIdentity('<@400000000000000004>', { platform: 'discord' }, both)).toBe('discord:400000000000000004');
    expect(parseIdentity('<@!400000000000000004>', { platform: 'slack' }, both)).toBe('discord:400000000000000004');
  });

  it('GIVEN written-out ids THEN they are kept; a bare id belongs to the asking platform, or the only one configured', () => {
    expect(parseIdentity('slack:u0123abc', { platform: 'console' }, both)).toBe('slack:U0123ABC');
    expect(parseIdentity('discord:400000000000000004', { platform: 'console' }, both)).toBe('discord:400000000000000004');
    expect(parseIdentity('console:ada', { platform: 'console' }, both)).toBe('console:ada');
    expect(parseIdentity('U0123ABC', { platform: 'slack' }, both)).toBe('slack:U0123ABC');
    expect(parseIdentity('U0123ABC', { platform: 'console' }, slackOnly)).toBe('slack:U0123ABC');
  });

  it('GIVEN text that names nobody THEN an argument error that says how to write it', () => {
    expect(() => parseIdentity('@ann', { platform: 'slack' }, both)).toThrow(/plain text, not as a mention/);
    expect(() => parseIdentity('U0123ABC', { platform: 'console' }, both)).toThrow(/Whose id/);
    expect(() => parseIdentity('discord:abc', { platform: 'console' }, both)).toThrow(/not a Discord user id/);
    expect(() => parseIdentity('slack:12', { platform: 'console' }, both)).toThrow(/not a Slack user id/);
  });
});
