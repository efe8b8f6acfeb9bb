// The console adapter: an interactive prompt on a terminal; one command per line from a pipe,
// exiting at end of input. Its "channel" is the terminal: digests for `console` are printed, under
// the same channel scrub as any other platform's posts.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import readline from 'node:readline';
import type { Actor, Context } from '../../core/context.ts';
import type { Registry } from '../../core/registry.ts';
import { withoutPersonalData, type Reply } from '../../core/reply.ts';
import type { ChatAdapter, PostOptions, Posted } from '../chat-adapter.ts';
import { renderText } from './render-text.ts';

export interface ConsoleOptions {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
  actor: Actor;
}

export interface ConsolePostOptions {
  /** Where posts go (stdout by default; `pulse digest tick --json` passes stderr). */
  write?: (text: string) => void;
  /** Save chart PNGs here (the console cannot show them). */
  chartDir?: string;
}

export interface ConsoleAdapter extends ChatAdapter {
  /** Settles when the prompt has read its last line (end of input or /quit). */
  readonly done: Promise<void>;
}

/** The console as a ChatAdapter: `start` runs the prompt (with a registry and an actor), `post` prints. */
export function createConsoleAdapter(ctx: Context, registry: Registry | undefined, opts: Partial<ConsoleOptions> & ConsolePostOptions = {}): ConsoleAdapter {
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  let done: Promise<void> = Promise.resolve();
  let stopRequested = false;
  return {
    platform: 'console',
    get done() {
      return done;
    },
    async start() {
      if (!registry || !opts.actor) throw new Error('console: the prompt needs a registry and an actor.');
      const actor = opts.actor;
      done = runConsole(
        ctx,
        registry,
        { actor, ...(opts.input ? { input: opts.input } : {}), ...(opts.output ? { output: opts.output } : {}) },
        () => stopRequested,
      );
    },
    async stop() {
      stopRequested = true;
    },
    async post(channel: string, reply: Reply, postOpts: PostOptions = {}): Promise<Posted> {
      const messageId = `console-${randomUUID().slice(0, 8)}`;
      let chartNote = '';
      if (postOpts.chart) {
        if (opts.chartDir) {
          mkdirSync(opts.chartDir, { recursive: true });
          const file = join(opts.chartDir, `${messageId}.png`);
          writeFileSync(file, postOpts.chart);
          chartNote = `\n[chart: ${file}]`;
        } else {
          chartNote = `\n[chart: ${Math.round(postOpts.chart.length / 1024)} KB PNG, not shown on the console]`;
        }
      }
      write(`── digest → console:${channel.replace(/^console:/, '')} (${messageId}) ──\n${renderText(withoutPersonalData(reply))}${chartNote}\n\n`);
      return { messageId, found: false };
    },
  };
}

export async function runConsole(ctx: Context, registry: Registry, opts: ConsoleOptions, stopped: () => boolean = () => false): Promise<void> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const interactive = Boolean(input.isTTY);
  const rl = readline.createInterface({ input, ...(interactive ? { output, prompt: 'pulse> ' } : {}), terminal: interactive });
  if (interactive) {
    output.write('Pulse console. Type /help for commands, /quit to leave.\n');
    rl.prompt();
  }
  for await (const line of rl) {
    if (stopped()) break;
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
