// The HTTP dispatcher every Discord REST client sends through.
//
// @discordjs/rest sends with undici 6 and, given no agent, uses undici's process-wide dispatcher.
// Bolt brings undici 7 (through @slack/socket-mode), and undici 7 installs its own Agent in that
// same global slot when it loads; undici 6 then finds the slot taken and keeps it. With both
// platforms in one process, Discord's requests are therefore dispatched by undici 7, which does
// not recognise undici 6's FormData: every multipart post (a digest with its chart) failed with
// "action is not a function". Giving each REST client an Agent from the very undici that
// @discordjs/rest itself loads means the global slot is never consulted, whoever filled it first.
import { createRequire } from 'node:module';
import type { RESTOptions } from 'discord.js';

type Dispatcher = NonNullable<RESTOptions['agent']>;

let undiciOfDiscord: { Agent: new (opts?: Record<string, unknown>) => Dispatcher } | undefined;

/** A new Agent of @discordjs/rest's own undici (connections are pooled per agent). */
export function discordRestAgent(): Dispatcher {
  // Resolved from @discordjs/rest's entry point, so it is the copy that package imports (npm nests
  // it under @discordjs/rest when another major version sits at the top of node_modules).
  const restEntry = createRequire(import.meta.url).resolve('@discordjs/rest');
  undiciOfDiscord ??= createRequire(restEntry)('undici') as typeof undiciOfDiscord;
  return new undiciOfDiscord!.Agent();
}
