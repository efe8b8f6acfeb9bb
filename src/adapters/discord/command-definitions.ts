// Discord application commands generated from the command definitions' zod schemas, and
// `registerCommands`, the bulk overwrite behind `pulse discord register` (idempotent: Discord
// replaces the whole set, so running it twice leaves exactly one copy of each command).
import { REST, Routes, type APIApplicationCommandBasicOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { z } from 'zod';
import { enumValues, kindOf, unwrap } from '../../core/args.ts';
import type { CommandDef } from '../../core/command.ts';
import type { Context } from '../../core/context.ts';
import type { Registry } from '../../core/registry.ts';
import { describeDiscordError } from './discord-errors.ts';
import { discordRestAgent } from './rest-agent.ts';
import { clip, COMMAND_NAME, DISCORD_LIMITS as L } from './limits.ts';

export type CommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;
type OptionJson = APIApplicationCommandBasicOption;

/** Options naming a customer: Discord asks Pulse for suggestions as the person types. */
export const CUSTOMER_OPTIONS: ReadonlySet<string> = new Set(['query', 'customer']);
/** Commands that answer a bare invocation with a form (a modal), so none of their options is required in Discord. */
export const FORM_COMMANDS: ReadonlySet<string> = new Set(['feedback']);

const OPTION_TYPE = { string: 3, integer: 4, boolean: 5, number: 10 } as const;
const CHAT_INPUT = 1;
/** Discord's integer options span ±2^53. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** `asOf` → `as-of`: Discord option names are lower-case. */
export function optionName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
}

export function commandDefinitions(commands: readonly CommandDef[]): CommandJson[] {
  return commands.map(commandDefinition);
}

export function commandDefinition(command: CommandDef): CommandJson {
  if (!COMMAND_NAME.test(command.name) || command.name !== command.name.toLowerCase()) {
    throw new Error(`/${command.name} is not a valid Discord command name (lower-case letters, digits, - and _, at most 32)`);
  }
  const optional = FORM_COMMANDS.has(command.name);
  const options = Object.entries(command.args.shape as Record<string, z.ZodType>).map(([key, schema]) => optionDefinition(command, key, schema, optional));
  // Discord insists on required options before optional ones; keep the schema's order otherwise.
  options.sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false));
  if (options.length > L.optionsPerCommand) throw new Error(`/${command.name} has ${options.length} options; Discord allows ${L.optionsPerCommand}`);
  const json: CommandJson = { type: CHAT_INPUT, name: command.name, description: clip(command.description, L.commandDescription) };
  if (options.length) json.options = options;
  return json;
}

function optionDefinition(command: CommandDef, key: string, schema: z.ZodType, forceOptional: boolean): OptionJson {
  const name = optionName(key);
  if (!COMMAND_NAME.test(name)) throw new Error(`/${command.name}: argument \`${key}\` gives the invalid Discord option name \`${name}\``);
  const kind = kindOf(schema);
  const required = !forceOptional && !schema.safeParse(undefined).success;
  const description = clip(describedAs(schema) ?? humanize(key), L.commandDescription);
  const base = { name, description, required };
  const checks = checksOf(schema);
  switch (kind) {
    case 'boolean':
      return { ...base, type: OPTION_TYPE.boolean };
    case 'integer':
    case 'number': {
      const opt = { ...base, type: kind === 'integer' ? OPTION_TYPE.integer : OPTION_TYPE.number } as OptionJson;
      const step = kind === 'integer' ? 1 : 0;
      for (const c of checks) {
        if (c.check === 'greater_than' && typeof c.value === 'number') (opt as { min_value?: number }).min_value = Math.max(-MAX_SAFE, c.inclusive ? c.value : c.value + step);
        if (c.check === 'less_than' && typeof c.value === 'number') (opt as { max_value?: number }).max_value = Math.min(MAX_SAFE, c.inclusive ? c.value : c.value - step);
      }
      return opt;
    }
    case 'enum': {
      const values = enumValues(schema);
      const fits = values.length <= L.choicesPerOption && values.every((v) => v.length >= 1 && v.length <= L.choiceValue);
      if (fits) return { ...base, type: OPTION_TYPE.string, choices: values.map((v) => ({ name: clip(v, L.choiceName), value: v })) };
      // Too many choices for Discord's list: offered by autocomplete instead.
      return { ...base, type: OPTION_TYPE.string, autocomplete: true };
    }
    default: {
      const opt: OptionJson = { ...base, type: OPTION_TYPE.string };
      for (const c of checks) {
        if (c.check === 'min_length' && typeof c.minimum === 'number') (opt as { min_length?: number }).min_length = Math.min(6000, c.minimum);
        if (c.check === 'max_length' && typeof c.maximum === 'number') (opt as { max_length?: number }).max_length = Math.max(1, Math.min(6000, c.maximum));
      }
      if (CUSTOMER_OPTIONS.has(key)) (opt as { autocomplete?: boolean }).autocomplete = true;
      return opt;
    }
  }
}

/** Turns Discord's option list back into the command's named arguments (`as-of` → `asOf`). */
export function argsFromOptions(command: CommandDef, options: readonly { name: string; value?: unknown }[]): Record<string, unknown> {
  const keyOf = new Map(Object.keys(command.args.shape).map((k) => [optionName(k), k]));
  const args: Record<string, unknown> = {};
  for (const o of options) {
    const key = keyOf.get(o.name);
    if (key !== undefined && o.value !== undefined) args[key] = o.value;
  }
  return args;
}

/** The argument key behind a Discord option name, if the command has one. */
export function argKey(command: CommandDef, option: string): string | undefined {
  return Object.keys(command.args.shape).find((k) => optionName(k) === option);
}

/** Every rule of Discord's command JSON that `def` breaks, in words; empty when valid. */
export function definitionProblems(def: CommandJson): string[] {
  const problems: string[] = [];
  const named = (what: string, name: string) => {
    if (!COMMAND_NAME.test(name) || name !== name.toLowerCase()) problems.push(`${what} name \`${name}\` is invalid`);
  };
  const described = (what: string, d: string) => {
    if (d.length < 1 || d.length > L.commandDescription) problems.push(`${what} description has ${d.length} characters`);
  };
  named('command', def.name);
  described(`/${def.name}`, def.description);
  let total = def.name.length + def.description.length;
  const options = (def.options ?? []) as OptionJson[];
  if (options.length > L.optionsPerCommand) problems.push(`/${def.name} has ${options.length} options`);
  let sawOptional = false;
  const names = new Set<string>();
  for (const o of options) {
    named(`/${def.name} option`, o.name);
    described(`/${def.name} ${o.name}`, o.description);
    if (names.has(o.name)) problems.push(`/${def.name} option ${o.name} appears twice`);
    names.add(o.name);
    total += o.name.length + o.description.length;
    if (![3, 4, 5, 10].includes(o.type)) problems.push(`/${def.name} ${o.name} has type ${o.type}`);
    if (o.required) {
      if (sawOptional) problems.push(`/${def.name} required option ${o.name} comes after an optional one`);
    } else sawOptional = true;
    const choices = 'choices' in o ? (o.choices as { name: string; value: string | number }[] | undefined) : undefined;
    const autocomplete = 'autocomplete' in o ? o.autocomplete : undefined;
    if (choices && autocomplete) problems.push(`/${def.name} ${o.name} has both choices and autocomplete`);
    if (choices) {
      if (choices.length > L.choicesPerOption) problems.push(`/${def.name} ${o.name} has ${choices.length} choices`);
      for (const c of choices) {
        total += c.name.length + String(c.value).length;
        if (c.name.length < 1 || c.name.length > L.choiceName) problems.push(`/${def.name} ${o.name} choice name \`${c.name}\``);
        if (typeof c.value === 'string' && (c.value.length < 1 || c.value.length > L.choiceValue)) problems.push(`/${def.name} ${o.name} choice value \`${c.value}\``);
      }
    }
  }
  if (total > L.commandTotal) problems.push(`/${def.name} has ${total} characters in all; Discord allows ${L.commandTotal}`);
  return problems;
}

export interface RegisterOptions {
  /** A server to register in (instant, for trying out); `null` forces global; default DISCORD_GUILD_ID, else global. */
  guildId?: string | null;
  /** A REST client to use instead of one built from the config (tests). */
  rest?: Pick<REST, 'put'>;
}

export interface RegisterResult {
  scope: 'global' | 'guild';
  guildId?: string;
  /** The names Discord now holds, as it answered. */
  commands: string[];
}

/** Replaces the application's commands (globally or in one server) with the registry's. */
export async function registerCommands(ctx: Context, registry: Registry, options: RegisterOptions = {}): Promise<RegisterResult> {
  const { token, applicationId, apiUrl } = ctx.config.discord;
  if (!applicationId || (!token && !options.rest)) {
    throw new Error('DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set to register commands (see docs/discord.md).');
  }
  const body = commandDefinitions(registry.commands);
  const problems = body.flatMap(definitionProblems);
  if (problems.length) throw new Error(`The command definitions break Discord's rules: ${problems.join('; ')}`);
  const guildId = options.guildId === undefined ? ctx.config.discord.guildId : (options.guildId ?? undefined);
  const rest = options.rest ?? new REST({ ...(apiUrl ? { api: apiUrl } : {}), agent: discordRestAgent() }).setToken(token!);
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  let answer: { name: string }[] | undefined;
  try {
    answer = (await rest.put(route, { body })) as { name: string }[] | undefined;
  } catch (err) {
    throw new Error(`Could not register the commands: ${describeDiscordError(err)}`, { cause: err });
  }
  ctx.log.info('discord commands registered', { scope: guildId ? 'guild' : 'global', guildId, count: body.length });
  return { scope: guildId ? 'guild' : 'global', ...(guildId ? { guildId } : {}), commands: (answer ?? body).map((c) => c.name) };
}

function describedAs(schema: z.ZodType): string | undefined {
  let s: any = schema;
  for (let depth = 0; s && depth < 10; depth++) {
    const d = s.description as string | undefined;
    if (d && d.trim()) return d.trim();
    const def = s._zod?.def;
    s = def?.type === 'pipe' ? def.in : def?.innerType;
  }
  return undefined;
}

function checksOf(schema: z.ZodType): Record<string, any>[] {
  const s: any = unwrap(schema);
  return ((s?._zod?.def?.checks ?? []) as any[]).map((c) => c?._zod?.def ?? {});
}

function humanize(key: string): string {
  return optionName(key).replace(/-/g, ' ');
}
