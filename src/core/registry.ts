// Parses slash-command text, checks permission, validates arguments and dispatches. Never throws:
// whatever goes wrong becomes an error Reply with a stable code and a usage hint.
import { recordAudit } from '../db/audit.ts';
import { assignTokens, describeIssues, enumValues, tokenize } from './args.ts';
import type { CommandDef, Requirement, RequirementCheck } from './command.ts';
import { ROLE_RANK, type Context, type Invocation } from './context.ts';
import { PulseError, type ErrorCode } from './errors.ts';
import { openIncident } from './incident.ts';
import { OffLoopRequired } from './off-loop.ts';
import type { Reply } from './reply.ts';

export interface ParsedCommand {
  name: string;
  argsText: string;
}

/** `/customer acme corp` → { name: 'customer', argsText: 'acme corp' }. */
export function splitCommand(text: string): ParsedCommand {
  const trimmed = text.trim().replace(/^[\/／]/, '');
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return { name: (m?.[1] ?? '').toLowerCase(), argsText: m?.[2] ?? '' };
}

export class Registry {
  readonly #commands = new Map<string, CommandDef>();
  readonly #checks: Partial<Record<Requirement, RequirementCheck>>;

  constructor(commands: readonly CommandDef[], checks: Partial<Record<Requirement, RequirementCheck>> = {}) {
    this.#checks = checks;
    for (const c of commands) {
      if (this.#commands.has(c.name)) throw new Error(`Command /${c.name} is defined twice`);
      this.#commands.set(c.name, c);
    }
  }

  get commands(): CommandDef[] {
    return [...this.#commands.values()];
  }

  get(name: string): CommandDef | undefined {
    return this.#commands.get(name.replace(/^\//, '').toLowerCase());
  }

  /** Runs `/name args…`; the text may omit the slash. */
  async run(text: string, call: Invocation, ctx: Context): Promise<Reply> {
    const { name, argsText } = splitCommand(text);
    return this.runCommand(name, argsText, call, ctx);
  }

  async runCommand(name: string, argsText: string, call: Invocation, ctx: Context): Promise<Reply> {
    const action = () => this.#actionWord(name, argsText.trim().split(/\s+/)[0]);
    return this.#audited(name, action, call, ctx, () => this.#dispatch(name, (command) => this.parseArgs(command, argsText), argsText, call, ctx));
  }

  /**
   * Runs a command from arguments that arrive already named (Discord options, a modal's fields):
   * the same permission check and zod validation as typed text, without the text parsing.
   */
  async runWithArgs(name: string, rawArgs: Record<string, unknown>, call: Invocation, ctx: Context): Promise<Reply> {
    const action = () => this.#actionWord(name, rawArgs[this.get(name)?.positional?.[0] ?? '']);
    const dispatch = () => this.#dispatch(name, (command) => this.validateArgs(command, rawArgs), JSON.stringify(rawArgs), call, ctx);
    return this.#audited(name, action, call, ctx, dispatch);
  }

  /**
   * Runs and writes the audit entry: who, which command (and its action word when that is one of
   * a fixed list, like `digest subscribe`), where, how it ended. Never the arguments. The write may
   * wait on a refresh's write lock: the answer waits for it at most AUDIT_WAIT_MS.
   */
  async #audited(name: string, action: () => string | undefined, call: Invocation, ctx: Context, run: () => Promise<Reply>): Promise<Reply> {
    const reply = await run();
    const command = this.get(name);
    const word = command ? action() : undefined;
    const write = recordAudit(ctx.store.db, {
      at: ctx.clock.now().toISOString(),
      actorId: call.actor.id,
      platform: call.platform,
      channel: call.channel,
      command: command ? [command.name, word].filter(Boolean).join(' ') : 'unknown command',
      outcome: reply.error?.code ?? 'ok',
      incidentId: reply.error?.incidentId,
    }).catch((err: unknown) => ctx.log.warn('audit entry could not be written', { command: command?.name, error: err }));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([write, new Promise((resolve) => (timer = setTimeout(resolve, AUDIT_WAIT_MS)))]);
    clearTimeout(timer);
    return reply;
  }

  /** The first word when the command's first positional argument is a fixed list and the word is on it. */
  #actionWord(name: string, first: unknown): string | undefined {
    const command = this.get(name);
    const key = command?.positional?.[0];
    if (!command || !key || typeof first !== 'string') return undefined;
    const word = first.toLowerCase();
    return enumValues(command.args.shape[key]).includes(word) ? word : undefined;
  }

  /** Runs a command whose arguments were already parsed and validated (the off-loop worker's entry). */
  async runParsed(name: string, args: Record<string, unknown>, call: Invocation, ctx: Context): Promise<Reply> {
    return this.#dispatch(name, () => args, JSON.stringify(args), call, ctx);
  }

  async #dispatch(name: string, parse: (c: CommandDef) => Record<string, unknown>, argsText: string, call: Invocation, ctx: Context): Promise<Reply> {
    const command = this.get(name);
    if (!command) {
      if (!name) return errorReply('INVALID_ARGS', 'Type a command, for example `/customer acme`.', 'Try `/help` for the list.');
      const close = this.closest(name);
      return errorReply('NOT_FOUND', `There is no command \`/${name}\`.`, close ? `Did you mean \`/${close}\`? Try \`/help\` for the list.` : 'Try `/help` for the list.');
    }
    const started = performance.now();
    try {
      if (ROLE_RANK[call.actor.role] < ROLE_RANK[command.role]) {
        throw new PulseError('FORBIDDEN', `\`/${command.name}\` needs the ${command.role} role; you have ${call.actor.role}.`, 'Ask an admin to add you to PULSE_ADMINS or change your role.');
      }
      const args = parse(command);
      for (const need of command.requires ?? []) await this.#checks[need]?.(ctx);
      const reply = await this.#run(command, args, call, ctx);
      ctx.log.debug('command', { command: command.name, actor: call.actor.id, ms: Math.round(performance.now() - started) });
      return reply;
    } catch (err) {
      if (err instanceof PulseError) {
        const hint = err.code === 'INVALID_ARGS' ? [err.hint, `Usage: \`${command.usage}\``].filter(Boolean).join('\n') : err.hint;
        return errorReply(err.code, err.message, hint);
      }
      const { incidentId, log } = openIncident(ctx.log, { command: command.name });
      log.error('command failed', { actor: call.actor.id, platform: call.platform, error: err });
      log.debug('the failed command\'s arguments', { argsText });
      return { ...errorReply('INTERNAL', `Something went wrong running \`/${command.name}\`. It has been logged as incident ${incidentId}.`), error: { code: 'INTERNAL', message: `Something went wrong running /${command.name}.`, incidentId } };
    }
  }

  /** Runs the handler; when it finds its work too heavy for this event loop, runs it off the loop instead. */
  async #run(command: CommandDef, args: Record<string, unknown>, call: Invocation, ctx: Context): Promise<Reply> {
    try {
      return await command.run(args, call, ctx);
    } catch (err) {
      if (!(err instanceof OffLoopRequired) || !ctx.offLoop) throw err;
      ctx.log.debug('command moved off the event loop', { command: command.name, why: err.message });
      return ctx.offLoop.run(command.name, args, call, ctx.clock.now());
    }
  }

  parseArgs(command: CommandDef, argsText: string): Record<string, unknown> {
    return this.validateArgs(command, assignTokens(tokenize(argsText), command.args.shape, command));
  }

  validateArgs(command: CommandDef, raw: Record<string, unknown>): Record<string, unknown> {
    const parsed = command.args.safeParse(command.prepare ? command.prepare(raw) : raw);
    if (!parsed.success) throw new PulseError('INVALID_ARGS', describeIssues(parsed.error));
    return parsed.data as Record<string, unknown>;
  }

  closest(name: string): string | undefined {
    let best: string | undefined;
    let bestD = Infinity;
    for (const c of this.#commands.keys()) {
      const d = c.startsWith(name) || name.startsWith(c) ? 0 : editDistance(c, name);
      if (d < bestD) [best, bestD] = [c, d];
    }
    return bestD <= 2 ? best : undefined;
  }
}

/** How long an answer waits for its audit entry to be written (a refresh may hold the write lock). */
export const AUDIT_WAIT_MS = 100;

export function errorReply(code: ErrorCode, message: string, hint?: string): Reply {
  const error: NonNullable<Reply['error']> = { code, message };
  if (hint) error.hint = hint;
  return { text: hint ? `${message}\n${hint}` : message, visibility: 'private', error };
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
