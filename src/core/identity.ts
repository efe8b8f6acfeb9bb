// Chat identities as people type them: a Slack mention (`<@U0123>`, `<@U0123|ann>` — what Slack sends
// for a command with should_escape), a Discord mention (`<@123>`, `<@!123>`), or written out
// (`slack:U0123`, `discord:123`, `console:ann`). A bare id belongs to the platform the command came
// from; from the console, to the only chat platform configured. Pure.
import { discordConfigured, slackConfigured, type Config } from './config.ts';
import type { Invocation } from './context.ts';
import { invalidArgs } from './errors.ts';

const SLACK_ID = /^[UW][A-Z0-9]{2,}$/;
const DISCORD_ID = /^\d{15,21}$/;

/** The Pulse identity (`slack:U0123`, `discord:123`, `console:ann`) a person typed, or an INVALID_ARGS error saying how to write it. */
export function parseIdentity(text: string, call: Pick<Invocation, 'platform'>, config: Config): string {
  const t = text.trim();
  const slackMention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/i.exec(t);
  if (slackMention) return `slack:${slackMention[1]!.toUpperCase()}`;
  const discordMention = /^<@!?(\d+)>$/.exec(t);
  if (discordMention) return `discord:${discordMention[1]}`;
  const written = /^(slack|discord|console):(\S+)$/i.exec(t);
  if (written) return checked(written[1]!.toLowerCase() as 'slack' | 'discord' | 'console', written[2]!);
  if (t.startsWith('@')) {
    throw invalidArgs(
      `\`${t}\` arrived as plain text, not as a mention.`,
      'Pick the person from the list that opens when you type @, so their id comes with it ' +
        '(Slack: the app\'s commands need "Escape channels, users, and links"), or write `slack:U0123ABCD` / `discord:123456789012345678`.',
    );
  }
  if (call.platform === 'slack' || call.platform === 'discord') return checked(call.platform, t);
  const slack = slackConfigured(config);
  const discord = discordConfigured(config);
  if (slack && !discord) return checked('slack', t);
  if (discord && !slack) return checked('discord', t);
  throw invalidArgs(`Whose id is \`${t}\`?`, 'Write `slack:U0123ABCD`, `discord:123456789012345678` or `console:NAME`.');
}

function checked(platform: 'slack' | 'discord' | 'console', id: string): string {
  if (platform === 'slack' && !SLACK_ID.test(id.toUpperCase())) throw invalidArgs(`\`${id}\` is not a Slack user id (like U0123ABCD).`);
  if (platform === 'discord' && !DISCORD_ID.test(id)) throw invalidArgs(`\`${id}\` is not a Discord user id (a number like 123456789012345678).`);
  if (platform === 'console' && !/^[\w.-]{1,64}$/.test(id)) throw invalidArgs(`\`${id}\` is not a console user name.`);
  return `${platform}:${platform === 'slack' ? id.toUpperCase() : id}`;
}
