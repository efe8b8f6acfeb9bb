// `pulse ask "TEXT" [--as USER] [--format text|json]`: one slash command, printed.
import { postDueAlerts } from '../alerts/post-now.ts';
import { consoleActor, resolveActor } from '../app/actors.ts';
import { createContext } from '../app/context.ts';
import { renderText } from '../adapters/console/render-text.ts';
import { renderSlackJson } from '../adapters/slack/render-blocks.ts';
import { renderDiscordJson } from '../adapters/discord/render-embeds.ts';
import { createRegistry } from '../commands/index.ts';
import type { Reply } from '../core/reply.ts';
import { parseCli, UsageError } from './cli-args.ts';

export type ReplyFormat = 'text' | 'json';

export const REPLY_RENDERERS: Record<string, (reply: Reply) => string> = {
  text: renderText,
  json: (reply) => JSON.stringify(reply, null, 2),
  slack: renderSlackJson,
  discord: renderDiscordJson,
};

export async function askCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, { as: { type: 'string' }, format: { type: 'string', default: 'text' } });
  const text = positionals.join(' ').trim();
  if (!text) throw new UsageError('say what to ask, e.g. pulse ask "/customer acme"');
  const format = String(values.format);
  const render = REPLY_RENDERERS[format];
  if (!render) throw new UsageError(`--format must be one of ${Object.keys(REPLY_RENDERERS).join(', ')}`);
  const ctx = await createContext();
  try {
    const actor = values.as ? await resolveActor(ctx, qualify(String(values.as)), /^(slack|discord):/.test(String(values.as)) ? {} : { name: String(values.as) }) : consoleActor();
    const reply = await createRegistry().run(text, { actor, platform: 'console' }, ctx);
    process.stdout.write(render(reply) + '\n');
    await postDueAlerts(ctx);
    return reply.error ? 1 : 0;
  } finally {
    await ctx.store.close();
  }
}

/** `alice` → `console:alice`; `slack:U1` stays. */
function qualify(user: string): string {
  return /^(slack|discord|console):/.test(user) ? user : `console:${user}`;
}
