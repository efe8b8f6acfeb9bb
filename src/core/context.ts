// The one context object, built in main and passed down: no module singletons, no hidden clock.
import type { Store } from '../db/store.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { OffLoopRunner } from './off-loop.ts';
import type { Clock } from './time.ts';

export interface Context {
  readonly store: Store;
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  /** Where slow work goes instead of this event loop (the bot sets it; absent elsewhere: work runs inline). */
  readonly offLoop?: OffLoopRunner;
  /** Something was queued for the outbox (an alert raised by /feedback): the bot posts it now rather than at the next minute. */
  readonly outbox?: { nudge(): void };
}

export type Role = 'rep' | 'manager' | 'admin';
export const ROLE_RANK: Record<Role, number> = { rep: 1, manager: 2, admin: 3 };

export type Platform = 'console' | 'slack' | 'discord';

/** Who is asking: a chat identity mapped to a Pulse user. */
export interface Actor {
  /** `slack:U123`, `discord:4567`, `console:alice`. */
  id: string;
  name?: string;
  email?: string;
  role: Role;
}

export interface Invocation {
  actor: Actor;
  platform: Platform;
  /** `slack:C123` / `discord:987` / undefined on the console. */
  channel?: string;
}
