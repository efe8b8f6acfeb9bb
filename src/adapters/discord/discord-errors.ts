// Discord's error codes that Pulse reacts to, and words for a person for any error Discord returns.
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';

/** The interaction's 3 seconds (or 15 minutes for follow-ups) ran out before Pulse answered. */
export const UNKNOWN_INTERACTION = 10062;
export const UNKNOWN_WEBHOOK = 10015;
export const UNKNOWN_CHANNEL = 10003;
export const ALREADY_ACKNOWLEDGED = 40060;
export const MISSING_ACCESS = 50001;
export const MISSING_PERMISSIONS = 50013;
export const CANNOT_DM = 50007;
export const INVALID_FORM_BODY = 50035;

/** Discord's JSON error code, when `err` is an error Discord answered with. */
export function discordErrorCode(err: unknown): number | undefined {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined;
}

export function isUnknownInteraction(err: unknown): boolean {
  return discordErrorCode(err) === UNKNOWN_INTERACTION;
}

/** One sentence a person can act on. */
export function describeDiscordError(err: unknown): string {
  const code = discordErrorCode(err);
  switch (code) {
    case UNKNOWN_INTERACTION:
      return 'Discord gave up waiting for the answer (interactions must be answered within 3 seconds); please run the command again.';
    case UNKNOWN_WEBHOOK:
      return 'Discord no longer accepts answers to that interaction (it expired); please run the command again.';
    case UNKNOWN_CHANNEL:
      return 'Discord does not know that channel; check the channel id and that the bot is in that server.';
    case ALREADY_ACKNOWLEDGED:
      return 'That interaction was already answered.';
    case MISSING_ACCESS:
      return 'The bot cannot see that channel; invite it to the server and give it access to the channel.';
    case MISSING_PERMISSIONS:
      return 'The bot lacks a permission there (Send Messages, Embed Links or Attach Files).';
    case CANNOT_DM:
      return 'Discord does not allow the bot to message that user directly.';
    case INVALID_FORM_BODY:
      return `Discord rejected the request as malformed (a Pulse bug, please report it): ${(err as Error).message}`;
  }
  if (err instanceof DiscordAPIError && err.status === 401) return 'Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN.';
  if (err instanceof DiscordAPIError) return `Discord refused the request (${err.status}${code ? `, code ${code}` : ''}): ${err.message}`;
  if (err instanceof RateLimitError) return `Discord is rate-limiting the bot; retry in ${Math.ceil(err.retryAfter / 1000)} s.`;
  if (err instanceof HTTPError) return `Discord answered with HTTP ${err.status}; it may be having trouble, try again shortly.`;
  if (err instanceof Error && err.name === 'AbortError') return 'Discord did not answer in time; try again shortly.';
  return `Could not reach Discord: ${err instanceof Error ? err.message : String(err)}`;
}
