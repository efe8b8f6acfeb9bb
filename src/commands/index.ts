// Every command Pulse has. Adapters (console, Slack, Discord) serve exactly this list.
import type { CommandDef } from '../core/command.ts';
import { Registry } from '../core/registry.ts';
import { basketCommand } from './basket.ts';
import { customerCommand } from './customer.ts';
import { feedbackCommand } from './feedback.ts';
import { satisfactionCommand } from './satisfaction.ts';
import { helpCommand } from './help.ts';

export function allCommands(): CommandDef[] {
  const list: CommandDef[] = [customerCommand, feedbackCommand, satisfactionCommand, basketCommand].map((c) => c as unknown as CommandDef);
  list.push(helpCommand(() => list) as unknown as CommandDef);
  return list;
}

export function createRegistry(): Registry {
  return new Registry(allCommands());
}
