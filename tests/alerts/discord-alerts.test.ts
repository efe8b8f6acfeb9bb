// Owner alerts on Discord through the gateway and REST stand-in: an admin links an owner with
// `/pulse link` (the only way on Discord), the alert waits for the end of the owner's quiet hours,
// arrives as one direct message with buttons, and a press in that DM works even with
// DISCORD_GUILD_ID (which refuses every other direct message).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscord, type DiscordAdapter } from '../../src/adapters/discord/discord-adapter.ts';
import { createRegistry } from '../../src/commands/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { Context } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import { alertCutoffs, getAlert, type AlertRow } from '../../src/db/alerts.ts';
import { openStore } from '../../src/db/store.ts';
import { routingPoster } from '../../src/digests/posters.ts';
import { tick } from '../../src/digests/tick.ts';
import {
  APP_ID,
  buttonInteraction,
  callbackPath,
  CHANNEL_ID,
  chatInputInteraction,
  directChannelId,
  discordUser,
  FakeDiscord,
  GUILD_ID,
  USER_ID,
  type RecordedRequest,
} from '../adapters/discord/fake-discord.ts';
import { noChart } from '../digests/helpers/digests.ts';
import { CONTACT, demoWithAlerts, movableClock } from './helpers/alert-store.ts';

const EPHEMERAL = 64;
const MAYA = '410000000000000041';
// 05:00 in New York, Maya's zone: inside the default quiet hours (22-07).
const clock = movableClock('2026-06-01T09:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'pulse-alerts-discord-'));
let fake: FakeDiscord;
let ctx: Context;
let discord: DiscordAdapter;
let alerts: AlertRow[];

async function send(interaction: { id: string; token: string }): Promise<RecordedRequest> {
  fake.dispatch('INTERACTION_CREATE', interaction);
  return fake.waitFor((r) => r.path === callbackPath(interaction));
}

/** The interaction as Maya sends it: in the guild as a member, or from her DM with the bot. */
function asMaya<T extends Record<string, unknown>>(i: T, where: 'guild' | 'dm'): T {
  if (where === 'guild') return { ...i, member: { ...(i.member as object), user: discordUser(MAYA, 'maya') } };
  const { guild_id: _g, member: _m, guild_locale: _l, ...rest } = i;
  const dm = directChannelId(MAYA);
  return { ...rest, user: discordUser(MAYA, 'maya'), channel_id: dm, channel: { id: dm, type: 1 }, context: 1 } as unknown as T;
}

const dmPosts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === `/api/v10/channels/${directChannelId(MAYA)}/messages`);

beforeAll(async () => {
  fake = await FakeDiscord.start();
  const config = loadConfig({
    DATABASE_URL: join(dir, 'pulse.sqlite'),
    DISCORD_TOKEN: 'test-token',
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_GUILD_ID: GUILD_ID,
    PULSE_ADMINS: `discord:${USER_ID}`,
    PULSE_LOG_LEVEL: 'silent',
  });
  ctx = { store: await openStore(config.databaseUrl), config, log: createLogger('silent'), clock };
  alerts = await demoWithAlerts(ctx, 600, 7);
  discord = await startDiscord(ctx, createRegistry(), { indexRefreshMs: 0 });
}, 180_000);

afterAll(async () => {
  await discord?.stop();
  await fake?.close();
  await ctx?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('owner alerts on Discord', () => {
  it('GIVEN an admin links Maya Chen to her Discord user THEN her alerts wait for the end of her quiet hours, then come as one DM each with buttons', async () => {
    const mayas = alerts.filter((a) => a.owner === 'Maya Chen');
    expect(mayas.length, 'the demo seed gives Maya Chen at least one alert').toBeGreaterThan(0);
    const link = await send(chatInputInteraction('pulse', [
      { name: 'topic', type: 3, value: 'link' },
      { name: 'owner', type: 3, value: 'Maya Chen' },
      { name: 'user', type: 3, value: `<@${MAYA}>` },
      { name: 'tz', type: 3, value: 'America/New_York' },
    ]));
    expect(JSON.stringify(link.body.data)).toContain(`discord:${MAYA}`);
    // A rep may not link anyone.
    const refused = await send(asMaya(chatInputInteraction('pulse', [{ name: 'topic', type: 3, value: 'link' }, { name: 'owner', type: 3, value: 'Tom Becker' }, { name: 'user', type: 3, value: `<@${MAYA}>` }]), 'guild'));
    expect(JSON.stringify(refused.body.data)).toContain('needs the admin role');
    const set = await send(chatInputInteraction('alerts', [{ name: 'action', type: 3, value: 'settings' }, { name: 'channel', type: 3, value: `<#${CHANNEL_ID}>` }]));
    expect(JSON.stringify(set.body.data)).toContain(`discord:${CHANNEL_ID}`);

    const poster = routingPoster({ discord });
    const early = await tick(ctx, { poster, processId: 'bot', renderChart: noChart }, clock.now());
    for (const a of mayas) expect(early.alerts.find((r) => r.alertId === a.alert_id)).toMatchObject({ result: 'deferred', nextAttemptAt: '2026-06-01T11:00:00.000Z' });
    expect(early.alerts.filter((r) => r.result === 'posted').map((r) => r.alertId).sort((x, y) => x - y)).toEqual(alerts.filter((a) => a.owner !== 'Maya Chen').map((a) => a.alert_id));
    expect(dmPosts()).toHaveLength(0);

    const later = await tick(ctx, { poster, processId: 'bot', renderChart: noChart }, clock.set('2026-06-01T11:00:00Z'));
    expect(later.alerts.map((r) => [r.alertId, r.result, r.channel])).toEqual(mayas.map((a) => [a.alert_id, 'posted', directChannelId(MAYA)]));
    expect(fake.requests.filter((r) => r.path === '/api/v10/users/@me/channels').every((r) => r.body.recipient_id === MAYA)).toBe(true);
    expect(dmPosts()).toHaveLength(mayas.length);
    for (const post of dmPosts()) {
      const ids = post.body.components.flatMap((row: any) => row.components.map((c: any) => c.custom_id));
      expect(ids).toEqual(expect.arrayContaining([expect.stringMatching(/^pulse:run:\/alerts claim \d+$/), expect.stringMatching(/^pulse:run:\/alerts snooze \d+ 7d$/), expect.stringMatching(/^pulse:run:\/customer C\d+$/)]));
      expect(post.body.embeds[0].title).toMatch(/^(Slipping|Gone quiet): /);
      expect(JSON.stringify(post.body.embeds)).not.toMatch(CONTACT);
      expect(post.body.enforce_nonce).toBe(true);
    }
    expect((await tick(ctx, { poster, processId: 'bot', renderChart: noChart }, clock.now())).alerts).toEqual([]);
  });

  it('GIVEN Maya presses Claim in her DM THEN it is claimed as her, and `/alerts mine` lists it; someone else pressing in their DM is refused', async () => {
    const a = alerts.find((x) => x.owner === 'Maya Chen')!;
    const claim = await send(asMaya(buttonInteraction(`pulse:run:/alerts claim ${a.alert_id}`, { flags: 0, fake }), 'dm'));
    expect(claim.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(JSON.stringify(claim.body.data)).toContain(`Claimed alert #${a.alert_id}`);
    expect(await getAlert(ctx.store.db, a.alert_id)).toMatchObject({ state: 'claimed', claimed_by: `discord:${MAYA}` });
    const mine = await send(asMaya(chatInputInteraction('alerts', [{ name: 'action', type: 3, value: 'mine' }]), 'guild'));
    expect(JSON.stringify(mine.body.data)).toContain(a.customer_id);

    const { guild_id: _g, member: _m, ...dmBase } = buttonInteraction(`pulse:run:/alerts claim ${a.alert_id}`, { flags: 0, fake });
    const stranger = await send({ ...dmBase, user: discordUser(USER_ID, 'ann'), channel_id: '610000000000000061', channel: { id: '610000000000000061', type: 1 }, context: 1 } as typeof dmBase);
    expect(JSON.stringify(stranger.body.data)).toMatch(/only inside the workspace or server/);
    expect(await getAlert(ctx.store.db, a.alert_id)).toMatchObject({ claimed_by: `discord:${MAYA}` });
  });
});

describe('a direct message Discord refuses', () => {
  it('GIVEN an owner whose DMs are closed (Discord 50007) THEN the alert goes to the team channel on the next try, once', async () => {
    const TOM = '420000000000000042';
    const cutoffs = (await alertCutoffs(ctx.store.db))!;
    const rows = await ctx.store.db
      .selectFrom('insights as i')
      .innerJoin('customers as c', 'c.customer_id', 'i.customer_id')
      .select(['i.customer_id', 'i.clv_12m', 'i.revenue', 'c.owner'])
      .execute();
    const target = rows.find((r) => r.owner && r.owner !== 'Maya Chen' && (r.clv_12m ?? r.revenue) >= cutoffs.worth)!;
    expect(target, 'a valuable customer whose owner is not Maya').toBeDefined();
    const link = await send(chatInputInteraction('pulse', [
      { name: 'topic', type: 3, value: 'link' },
      { name: 'owner', type: 3, value: target.owner! },
      { name: 'user', type: 3, value: `<@${TOM}>` },
      { name: 'tz', type: 3, value: 'Europe/London' },
    ]));
    expect(JSON.stringify(link.body.data)).toContain(`discord:${TOM}`);
    const dm = `/api/v10/channels/${directChannelId(TOM)}/messages`;
    const refusal = { status: 403, body: { message: 'Cannot send messages to this user', code: 50007 } };
    fake.override = (r) => (r.method === 'POST' && r.path === dm ? refusal : undefined);
    try {
      const admin = { id: `discord:${USER_ID}`, name: 'Ann', role: 'admin' as const };
      const call = { actor: admin, platform: 'discord' as const, channel: `discord:${CHANNEL_ID}` };
      const said = await createRegistry().run(`/feedback ${target.customer_id} 1 "late again"`, call, ctx);
      const id = Number(/detractor alert \(#(\d+)\)/.exec(said.text ?? '')?.[1]);
      expect(id, said.text).toBeGreaterThan(0);

      const poster = routingPoster({ discord });
      const first = await tick(ctx, { poster, processId: 'bot', renderChart: noChart, digests: false }, clock.now());
      expect(first.alerts.find((r) => r.alertId === id)).toMatchObject({ result: 'retrying', channel: directChannelId(TOM) });
      const second = await tick(ctx, { poster, processId: 'bot', renderChart: noChart, digests: false }, clock.advance(30 * 60_000));
      expect(second.alerts.find((r) => r.alertId === id)).toMatchObject({ result: 'posted', channel: CHANNEL_ID });
      const inChannel = (fake.channelMessages.get(CHANNEL_ID) ?? []).filter((m) => JSON.stringify(m.message.components ?? []).includes(`/alerts claim ${id}`));
      expect(inChannel).toHaveLength(1);
      expect((fake.channelMessages.get(directChannelId(TOM)) ?? []).length).toBe(0);
      expect((await tick(ctx, { poster, processId: 'bot', renderChart: noChart, digests: false }, clock.advance(30 * 60_000))).alerts).toEqual([]);
    } finally {
      fake.override = undefined;
    }
  });
});
