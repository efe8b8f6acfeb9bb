// Slack users → Pulse actors: cached lookups, and failures that never overwrite what is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackUserDirectory, type SlackProfile } from '../../../src/adapters/slack/slack-users.ts';
import type { Clock } from '../../../src/core/time.ts';
import { slackTestContext, type SlackTestContext } from './helpers/slack-context.ts';

let now = Date.parse('2026-06-01T09:00:00Z');
const clock: Clock = { now: () => new Date(now) };
let ctx: SlackTestContext;

beforeAll(async () => {
  ctx = await slackTestContext({ apiUrl: 'http://127.0.0.1:9/api/', clock });
});
afterAll(async () => ctx.cleanup());

function lookupFrom(answers: (SlackProfile | Error)[]) {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (userId: string) => {
      asked.push(userId);
      const a = answers.shift() ?? new Error('no more answers');
      if (a instanceof Error) throw Object.assign(a, { data: { error: 'ratelimited' } });
      return a;
    },
  };
}

describe('SlackUserDirectory', () => {
  it('GIVEN a profile from users.info THEN it is cached for the TTL and stored as a Pulse user', async () => {
    const { asked, lookup } = lookupFrom([{ name: 'Ann Example', email: 'ann@pulse.example' }, { name: 'Ann E. Xample', email: 'ann@pulse.example' }]);
    const users = new SlackUserDirectory(ctx, lookup, { ttlMs: 60_000 });
    expect(await users.actor('U1')).toEqual({ id: 'slack:U1', role: 'rep', name: 'Ann Example', email: 'ann@pulse.example' });
    await users.actor('U1');
    expect(asked).toEqual(['U1']);
    now += 61_000;
    expect((await users.actor('U1')).name).toBe('Ann E. Xample');
    expect(asked).toEqual(['U1', 'U1']);
    const row = await ctx.store.db.selectFrom('users').selectAll().where('user_id', '=', 'slack:U1').executeTakeFirst();
    expect(row).toMatchObject({ name: 'Ann E. Xample', email: 'ann@pulse.example' });
  });

  it('GIVEN users.info fails later THEN the stored name and email are used and kept, not replaced by the Slack handle', async () => {
    const { lookup } = lookupFrom([{ name: 'Bob Stone', email: 'bob@pulse.example' }, new Error('rate limited')]);
    const users = new SlackUserDirectory(ctx, lookup, { ttlMs: 1_000, failureTtlMs: 1_000 });
    await users.actor('U2', 'bob');
    now += 2_000;
    expect(await users.actor('U2', 'bob')).toMatchObject({ name: 'Bob Stone', email: 'bob@pulse.example' });
    const row = await ctx.store.db.selectFrom('users').selectAll().where('user_id', '=', 'slack:U2').executeTakeFirst();
    expect(row).toMatchObject({ name: 'Bob Stone', email: 'bob@pulse.example' });
  });

  it('GIVEN a stranger whose lookup fails THEN the Slack handle names them for this command only', async () => {
    const { lookup } = lookupFrom([new Error('down')]);
    const users = new SlackUserDirectory(ctx, lookup);
    expect(await users.actor('U3', 'carla')).toEqual({ id: 'slack:U3', role: 'rep', name: 'carla' });
    expect(await ctx.store.db.selectFrom('users').selectAll().where('user_id', '=', 'slack:U3').executeTakeFirst()).toBeUndefined();
  });

  it('GIVEN PULSE_ADMINS names a Slack user THEN that actor is an admin', async () => {
    const { lookup } = lookupFrom([{ name: 'Ada Admin' }]);
    const users = new SlackUserDirectory(ctx, lookup);
    expect((await users.actor('UADMIN')).role).toBe('admin');
  });

  it('GIVEN twenty simultaneous commands from one new person THEN users.info is asked once', async () => {
    const { asked, lookup } = lookupFrom([{ name: 'Dan' }]);
    const users = new SlackUserDirectory(ctx, lookup);
    await Promise.all(Array.from({ length: 20 }, () => users.actor('U4')));
    expect(asked).toEqual(['U4']);
  });
});
