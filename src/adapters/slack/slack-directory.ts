// What alerts ask Slack about people: the direct-message channel with a user (conversations.open,
// scope im:write), the user with an email (users.lookupByEmail, users:read.email) and a user's time
// zone (users.info, users:read). Through the posting client: no retries, rate limits handed back
// as RateLimitedError, so the outbox decides when to try again.
import type { webApi } from '@slack/bolt';
import { rateLimited } from './post-to-channel.ts';

export interface SlackDirectory {
  openDirect(userId: string): Promise<string>;
  userByEmail(email: string): Promise<{ userId: string; timeZone?: string } | undefined>;
  userTimeZone(userId: string): Promise<string | undefined>;
}

export function slackDirectory(client: webApi.WebClient): SlackDirectory {
  return {
    async openDirect(userId) {
      const res = await rateLimited(() => client.conversations.open({ users: userId.replace(/^slack:/, '') }));
      const id = (res.channel as { id?: string } | undefined)?.id;
      if (!res.ok || !id) throw new Error(`conversations.open failed: ${res.error ?? 'no channel in the answer'}`);
      return id;
    },
    async userByEmail(email) {
      try {
        const res = await rateLimited(() => client.users.lookupByEmail({ email }));
        const u = res.user;
        if (!u?.id || u.deleted) return undefined;
        return { userId: u.id, ...(u.tz ? { timeZone: u.tz } : {}) };
      } catch (err) {
        // Nobody in the workspace has this address: an answer, not a failure.
        if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
        throw err;
      }
    },
    async userTimeZone(userId) {
      const res = await rateLimited(() => client.users.info({ user: userId.replace(/^slack:/, '') }));
      return res.user?.tz || undefined;
    },
  };
}
