// `pulse discord register [--guild ID] [--global] [--json]`: bulk-overwrites the application commands.
import { registerCommands } from '../adapters/discord/command-definitions.ts';
import { createContext } from '../app/context.ts';
import { createRegistry } from '../commands/index.ts';
import { parseCli, UsageError } from './cli-args.ts';

export async function discordCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'register') throw new UsageError('usage: pulse discord register [--guild ID] [--global] [--json]');
  const { values } = parseCli(rest, { guild: { type: 'string' }, global: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, false);
  const ctx = await createContext();
  try {
    const r = await registerCommands(ctx, createRegistry(), { guildId: values.global ? null : (values.guild as string | undefined) });
    process.stdout.write(values.json ? JSON.stringify(r) + '\n' : `Registered ${r.commands.length} commands ${r.scope === 'guild' ? `in server ${r.guildId}` : 'globally'}: ${r.commands.map((c) => '/' + c).join(' ')}\n`);
    return 0;
  } finally {
    await ctx.store.close();
  }
}
