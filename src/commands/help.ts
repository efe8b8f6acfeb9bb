// /help [COMMAND] — what Pulse can do, from the command definitions themselves.
import { z } from 'zod';
import type { CommandDef } from '../core/command.ts';
import { defineCommand } from '../core/command.ts';
import { notFound } from '../core/errors.ts';

export function helpCommand(all: () => readonly CommandDef[]) {
  return defineCommand({
    name: 'help',
    description: 'List the commands, or explain one',
    usage: '/help [COMMAND]',
    args: z.object({ command: z.string().trim().optional().describe('A command to explain, e.g. customer') }),
    positional: ['command'],
    role: 'rep',
    async run({ command }) {
      if (command) {
        const name = command.replace(/^\//, '').toLowerCase();
        const c = all().find((x) => x.name === name);
        if (!c) throw notFound(`There is no command \`/${name}\`.`, 'Try `/help` for the list.');
        const options = Object.entries(c.args.shape).map(([k, s]) => `• \`${k}\` — ${(s as z.ZodType).description ?? ''}`);
        return {
          title: `/${c.name}`,
          text: [c.description, '', `Usage: \`${c.usage}\``, ...(options.length ? ['', ...options] : []), ...(c.examples?.length ? ['', 'Examples:', ...c.examples.map((e) => `\`${e}\``)] : [])].join('\n'),
          visibility: 'private',
        };
      }
      return {
        title: 'Pulse commands',
        tables: [{ columns: [{ label: 'Command' }, { label: 'What it does' }], rows: all().map((c) => [c.usage.split(/\s{2,}/)[0]!, c.description]) }],
        footer: 'Type `/help COMMAND` for details.',
        visibility: 'private',
      };
    },
  });
}
