// slack-manifest.yml lists every registry command and is exactly what the generator writes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { slackCommandName, slackManifest, toYaml } from '../../../src/adapters/slack/manifest.ts';
import { MANIFEST_FILE, manifestText } from '../../../src/adapters/slack/write-manifest.ts';
import { allCommands } from '../../../src/commands/index.ts';

describe('slack-manifest.yml', () => {
  const committed = readFileSync(MANIFEST_FILE, 'utf8');

  it('GIVEN the registry THEN every command is a slash command in the manifest (regenerate: npx tsx src/adapters/slack/write-manifest.ts)', () => {
    const listed = [...committed.matchAll(/^\s+- command: "?(\/[\w-]+)"?$/gm)].map((m) => m[1]);
    for (const c of allCommands()) expect(listed, `/${c.name} missing from slack-manifest.yml`).toContain(`/${slackCommandName(c.name)}`);
    expect(listed).toContain('/pulse');
  });

  it('GIVEN the generator THEN the committed file is exactly its output', () => {
    expect(committed).toBe(manifestText());
  });

  it('GIVEN a host THEN commands, interactivity and the options load URL all point at its /slack/events, with the scopes Pulse uses', () => {
    const m = slackManifest(allCommands(), { url: 'https://pulse.example.com/slack/events' }) as any;
    expect(new Set(m.features.slash_commands.map((c: any) => c.url))).toEqual(new Set(['https://pulse.example.com/slack/events']));
    expect(m.settings.interactivity).toEqual({ is_enabled: true, request_url: 'https://pulse.example.com/slack/events', message_menu_options_url: 'https://pulse.example.com/slack/events' });
    expect(m.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'users:read', 'users:read.email']));
    for (const c of m.features.slash_commands) {
      expect(c.command).toMatch(/^\/[a-z0-9_-]{1,32}$/);
      expect(c.description.length).toBeLessThanOrEqual(100);
    }
  });

  it('GIVEN a name Slack keeps for itself THEN the command becomes /pulse-NAME', () => {
    expect(slackCommandName('status')).toBe('pulse-status');
    expect(slackCommandName('customer')).toBe('customer');
  });

  it('GIVEN nested maps, lists and awkward strings THEN the YAML writer quotes what needs quoting', () => {
    expect(toYaml({ a: { b: ['x', { c: 'yes', d: 'a: b' }] }, e: [], f: true })).toBe('a:\n  b:\n    - x\n    - c: "yes"\n      d: "a: b"\ne: []\nf: true\n');
  });
});
