// Environment, validated once at start; everything else reads the frozen Config.
import { z } from 'zod';

const optionalText = z.string().trim().min(1).optional().catch(undefined);

export const configSchema = z.object({
  DATABASE_URL: z.string().trim().min(1).default('./data/pulse.sqlite'),
  PULSE_TIMEZONE: z
    .string()
    .default('UTC')
    .refine(isValidTimeZone, { message: 'not an IANA time zone (e.g. Europe/Berlin)' }),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: optionalText,
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_URL: optionalText,
  PULSE_ADMINS: z.string().default(''),
  PULSE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  PULSE_CURRENCY: z
    .string()
    .trim()
    .toUpperCase()
    .default('USD')
    .refine((c) => Intl.supportedValuesOf('currency').includes(c), { message: 'not an ISO 4217 currency code (e.g. USD, EUR, GBP)' }),
  // Empty (`PULSE_BATCH_NICE=` in a .env file) counts as unset, not as 0.
  PULSE_BATCH_NICE: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number().int().min(0).max(19).default(10)),
});

export interface Config {
  readonly databaseUrl: string;
  readonly timeZone: string;
  readonly port: number;
  /** The address the Slack HTTP receiver binds (HOST; `127.0.0.1` behind a reverse proxy). */
  readonly host: string;
  readonly slack: { readonly botToken?: string; readonly signingSecret?: string; readonly appToken?: string; readonly apiUrl?: string };
  readonly discord: { readonly token?: string; readonly applicationId?: string; readonly guildId?: string; readonly apiUrl?: string };
  /** Chat identities (`slack:U123`, `discord:456`, `console:alice`) who may run admin commands. */
  readonly admins: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** ISO 4217 code every amount is shown in (amounts are stored as plain numbers in one currency). */
  readonly currency: string;
  /**
   * How much `pulse refresh` and `pulse import` lower their own CPU priority (a Unix nice
   * increment, 0–19; 0 leaves it): a bot on the same machine answers first.
   */
  readonly batchNice: number;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}. See .env.example.`);
  }
  const e = parsed.data;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    timeZone: e.PULSE_TIMEZONE,
    port: e.PORT,
    host: e.HOST,
    slack: Object.freeze(strip({ botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL })),
    discord: Object.freeze(strip({ token: e.DISCORD_TOKEN, applicationId: e.DISCORD_APPLICATION_ID, guildId: e.DISCORD_GUILD_ID, apiUrl: e.DISCORD_API_URL })),
    admins: Object.freeze(e.PULSE_ADMINS.split(',').map((s) => s.trim()).filter(Boolean)),
    logLevel: e.PULSE_LOG_LEVEL,
    currency: e.PULSE_CURRENCY,
    batchNice: e.PULSE_BATCH_NICE,
  });
}

function strip<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

// Socket Mode (an app token) needs no signing secret; HTTP mode does.
export const slackConfigured = (c: Config) => Boolean(c.slack.botToken && (c.slack.signingSecret || c.slack.appToken));
export const discordConfigured = (c: Config) => Boolean(c.discord.token && c.discord.applicationId);
