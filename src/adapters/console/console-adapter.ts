// The console adapter: an interactive prompt on a terminal; one command per line from a pipe,
// exiting at end of input.
import readline from 'node:readline';
import type { Actor, Context } from '../../core/context.ts';
import type { Registry } from '../../core/registry.ts';
import { renderText } from './render-text.ts';

export interface ConsoleOptions {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
  actor: Actor;
}

export async function runConsole(ctx: Context, registry: Registry, opts: ConsoleOptions): Promise<void> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const interactive = Boolean(input.isTTY);
  const rl = readline.createInterface({ input, ...(interactive ? { output, prompt: 'pulse> ' } : {}), terminal: interactive });
  if (interactive) {
    output.write('Pulse console. Type /help for commands, /quit to leave.\n');
    rl.prompt();
  }
  for await (const line of rl) {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) {
      if (interactive) rl.prompt();
      continue;
    }
    if (/^\/?(quit|exit)$/i.test(text)) break;
    const reply = await registry.run(text, { actor: opts.actor, platform: 'console' }, ctx);
    output.write(`${interactive ? '' : `> ${text}\n`}${renderText(reply)}\n\n`);
    if (interactive) rl.prompt();
  }
  rl.close();
}
