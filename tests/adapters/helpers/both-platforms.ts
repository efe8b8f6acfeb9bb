// The environment of one bot on both platforms, pointed at the local Slack and Discord stand-ins.
import { APP_ID } from '../discord/fake-discord.ts';

export const BOTH_SIGNING_SECRET = 'both-platforms-secret';

/** What an admin sets to run one bot on Slack (HTTP on loopback, any free port) and Discord. */
export function bothPlatformsEnv(fakes: { slackApiUrl: string; discordApiUrl: string }, databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PULSE_LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    SLACK_BOT_TOKEN: 'xoxb-both',
    SLACK_SIGNING_SECRET: BOTH_SIGNING_SECRET,
    SLACK_API_URL: fakes.slackApiUrl,
    DISCORD_TOKEN: 'discord-both',
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_API_URL: fakes.discordApiUrl,
  };
}
