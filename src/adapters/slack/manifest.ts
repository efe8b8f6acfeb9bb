// The Slack app manifest, generated from the registry so every command is a slash command.
// `slack-manifest.yml` at the repository root is this output (a test keeps them equal); regenerate
// it with `npx tsx src/adapters/slack/write-manifest.ts` after adding a command.
import type { CommandDef } from '../../core/command.ts';
import { SLACK_LIMITS } from './limits.ts';
import { SLACK_EVENTS_PATH } from './slack-adapter.ts';
import { RESERVED_PREFIX, UMBRELLA_COMMAND } from './slack-handlers.ts';

export const PLACEHOLDER_URL = `https://YOUR-HOST${SLACK_EVENTS_PATH}`;

/** Slack's built-in commands, which an app cannot register; ours become `/pulse-NAME`. */
export const SLACK_RESERVED_COMMANDS: ReadonlySet<string> = new Set([
  'active', 'apps', 'archive', 'away', 'call', 'collapse', 'dm', 'dnd', 'expand', 'feed', 'invite', 'join', 'kick',
  'leave', 'me', 'msg', 'mute', 'open', 'prefs', 'pro', 'remind', 'remove', 'rename', 'search', 'shortcuts', 'shrug',
  'status', 'topic', 'who',
]);

/** Scopes the bot token needs, and why. */
export const SLACK_BOT_SCOPES: readonly (readonly [scope: string, why: string])[] = [
  ['commands', 'slash commands'],
  ['chat:write', 'post shared answers, digests and confirmations'],
  ['chat:write.public', 'share into public channels the bot has not joined'],
  ['users:read', 'know who is asking (name) for `mine` and feedback authors'],
  ['users:read.email', 'match Slack people to CRM owners by email'],
  ['files:write', 'upload the chart image of a scheduled digest'],
  ['channels:history', 'find a digest an interrupted attempt already posted (public channels), so it is never posted twice'],
  ['groups:history', 'the same in private channels'],
];

export function slackCommandName(name: string): string {
  const n = name.toLowerCase();
  return SLACK_RESERVED_COMMANDS.has(n) ? `${RESERVED_PREFIX}${n}` : n;
}

export interface ManifestOptions {
  /** The public URL of /slack/events. */
  url?: string;
  appName?: string;
  /** Socket Mode: no public URL needed (SLACK_APP_TOKEN). */
  socketMode?: boolean;
}

export function slackManifest(commands: readonly CommandDef[], opts: ManifestOptions = {}): Record<string, unknown> {
  const url = opts.url ?? PLACEHOLDER_URL;
  const names = new Set(commands.map((c) => c.name));
  const slash = commands.map((c) => ({
    command: `/${slackCommandName(c.name)}`.slice(0, SLACK_LIMITS.commandName + 1),
    url,
    description: c.description.slice(0, 100),
    // `/pulse` also routes to every other command (`/pulse customer acme`).
    usage_hint: c.name === UMBRELLA_COMMAND ? `${usageHint(c)} | COMMAND [ARGUMENTS]`.replace(/^ \| /, '').slice(0, 100) : usageHint(c),
    // Mentions arrive as <@U0123> (an id Pulse can store a role for), channels as <#C0123|name>.
    should_escape: true,
  }));
  if (!names.has(UMBRELLA_COMMAND)) {
    const description = 'Any Pulse command: /pulse customer acme, /pulse help';
    slash.push({ command: `/${UMBRELLA_COMMAND}`, url, description, usage_hint: 'COMMAND [ARGUMENTS]', should_escape: true });
  }
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: opts.appName ?? 'Pulse',
      description: 'CRM insights where the team already talks',
      long_description:
        'Pulse answers questions about customers in Slack: /customer before a call, churn risk every morning, satisfaction digests on Mondays. Answers are private by default, with a button to share a version without personal data in the channel.',
      background_color: '#1d3557',
    },
    features: {
      // The Messages tab receives confirmations Pulse cannot post privately in a channel.
      app_home: { home_tab_enabled: false, messages_tab_enabled: true, messages_tab_read_only_enabled: true },
      bot_user: { display_name: opts.appName ?? 'Pulse', always_online: true },
      slash_commands: slash,
    },
    oauth_config: { scopes: { bot: SLACK_BOT_SCOPES.map(([s]) => s) } },
    settings: {
      interactivity: { is_enabled: true, request_url: url, message_menu_options_url: url },
      org_deploy_enabled: false,
      socket_mode_enabled: opts.socketMode ?? false,
      token_rotation_enabled: false,
    },
  };
}

function usageHint(c: CommandDef): string {
  const hint = c.usage.replace(new RegExp(`^/${c.name}\\s*`), '').replace(/\s+/g, ' ').trim();
  return hint.slice(0, 100);
}

/** A small YAML writer for the manifest's shape: maps, lists and scalars (strings double-quoted). */
export function toYaml(value: unknown, indent = 0): string {
  return lines(value, indent).join('\n') + '\n';
}

function lines(value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${pad}- ${scalar(item)}`];
      const inner = lines(item, indent + 2);
      return [`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
    });
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      if (isScalar(v)) return [`${pad}${k}: ${scalar(v)}`];
      if (Array.isArray(v) && v.length === 0) return [`${pad}${k}: []`];
      return [`${pad}${k}:`, ...lines(v, indent + 2)];
    });
  }
  return [`${pad}${scalar(value)}`];
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return /^[A-Za-z_][\w./:-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) ? v : JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  return String(v);
}
