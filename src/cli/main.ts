// The `pulse` command line. Each subcommand prints its result on stdout (one JSON document with
// --json / --format json); logs go to stderr. Exit status: 0 fine, 1 some rows/requests failed,
// 2 bad usage or configuration.
import { UsageError } from './cli-args.ts';

export const USAGE = `Pulse — CRM insights in team chat

Usage:
  pulse start                                   run the bot (console when no Slack/Discord credentials)
  pulse import customers|orders|order-items|feedback|transactions FILE [--json] [--no-refresh]
        [--encoding utf8|utf16|cp1252] [--delimiter C] [--date-format mdy|dmy] [--errors OUT.csv]
  pulse demo [--customers N] [--seed S] [--csv DIR]
  pulse refresh [--as-of YYYY-MM-DD|latest] [--json]   recompute every insight (also runs after imports)
  pulse model [--json]                          the model card of the last refresh
  pulse ask "TEXT" [--as USER] [--format text|json|slack|discord]
  pulse digest tick [--now ISO] [--json] [--charts DIR]   run every digest due at that instant
  pulse discord register [--guild ID] [--global] [--json]  register the slash commands with Discord
  pulse export customer ID                      everything stored about a customer, as one JSON document
  pulse forget CUSTOMER [--json]                erase a customer's name, email, phone and comments
  pulse help

Configuration comes from the environment; see .env.example.`;

type Sub = (args: string[]) => Promise<number>;

// Each subcommand loads its own modules when run: `pulse help` should not load Bolt, discord.js and vega.
const SUBCOMMANDS: Record<string, () => Promise<Sub>> = {
  start: async () => (await import('./start.ts')).startCommand,
  import: async () => (await import('./import.ts')).importCommand,
  demo: async () => (await import('./demo.ts')).demoCommand,
  ask: async () => (await import('./ask.ts')).askCommand,
  refresh: async () => (await import('./refresh.ts')).refreshCommand,
  model: async () => (await import('./refresh.ts')).modelCommand,
  digest: async () => (await import('./digest.ts')).digestCommand,
  discord: async () => (await import('./discord.ts')).discordCommand,
  export: async () => (await import('./data-rights.ts')).exportCommand,
  forget: async () => (await import('./data-rights.ts')).forgetCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  const load = SUBCOMMANDS[sub];
  if (!load) {
    process.stderr.write(`pulse: unknown command "${sub}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`pulse ${sub}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`pulse ${sub}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.PULSE_LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
