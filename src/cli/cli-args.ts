// Option parsing shared by the `pulse` subcommands, with errors a person can read.
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** parseArgs with errors turned into usage errors a person can read. */
type CliOptions = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; short?: string }>;

export function parseCli(args: string[], options: CliOptions, positionals = true): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
