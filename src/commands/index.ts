// Every command Pulse has. Adapters (console, Slack, Discord) serve exactly this list.
import type { CommandDef } from '../core/command.ts';
import { Registry } from '../core/registry.ts';
import { alertsCommand } from './alerts.ts';
import { basketCommand } from './basket.ts';
import { churnRiskCommand } from './churn-risk.ts';
import { customerCommand } from './customer.ts';
import { digestCommand } from './digest.ts';
import { feedbackCommand } from './feedback.ts';
import { satisfactionCommand } from './satisfaction.ts';
import { segmentCommand } from './segment.ts';
import { valueCommand } from './value.ts';
import { helpCommand } from './help.ts';
import { lifecycleCommand } from './lifecycle.ts';
import { pulseCommand } from './pulse.ts';
import { requireLiveRun } from '../reports/live-run.ts';

export function allCommands(): CommandDef[] {
  const list: CommandDef[] = [customerCommand, segmentCommand, churnRiskCommand, valueCommand, lifecycleCommand, feedbackCommand, satisfactionCommand, basketCommand, pulseCommand, digestCommand, alertsCommand].map((c) => c as unknown as CommandDef);
  list.push(helpCommand(() => list) as unknown as CommandDef);
  return list;
}

export function createRegistry(): Registry {
  return new Registry(allCommands(), { insights: requireLiveRun });
}
