// A command is defined once: name, words, zod arguments, who may run it, and a handler → Reply.
import type { z } from 'zod';
import type { ArgLayout } from './args.ts';
import type { Context, Invocation, Role } from './context.ts';
import type { Reply } from './reply.ts';

export interface CommandDef<S extends z.ZodObject<any> = z.ZodObject<any>> extends ArgLayout {
  /** Without the slash: `customer`. */
  name: string;
  /** One line, ≤ 100 characters (Discord's limit). */
  description: string;
  /** `/customer QUERY` — shown with every argument error. */
  usage: string;
  examples?: readonly string[];
  /** Every property `.describe()`d: the words become Discord option descriptions and help text. */
  args: S;
  /** Lowest role allowed to run it. */
  role: Role;
  /** What must exist before it can answer (checked by the registry, which answers for it when missing). */
  requires?: readonly Requirement[];
  /**
   * Reshapes raw arguments before validation, for commands whose words are ambiguous by position
   * (`/feedback acme corp 2 late` — where does the name end?). Runs for typed and named arguments.
   */
  prepare?: (raw: Record<string, unknown>) => Record<string, unknown>;
  /** Running it stores something (feedback, a subscription): adapters never re-run it to share. */
  changesData?: boolean;
  /** May take more than a second or two: adapters acknowledge first and answer later. */
  slow?: boolean;
  run(args: z.infer<S>, call: Invocation, ctx: Context): Promise<Reply>;
}

/** `insights`: a refresh has fitted the models. */
export type Requirement = 'insights';

/** How the registry checks a requirement: throws a PulseError (NOT_FOUND, with what to do) when it is not met. */
export type RequirementCheck = (ctx: Context) => Promise<unknown>;

/** Identity function that keeps the schema's type flowing into `run`. */
export function defineCommand<S extends z.ZodObject<any>>(def: CommandDef<S>): CommandDef<S> {
  return def;
}
