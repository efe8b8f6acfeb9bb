// With DISCORD_GUILD_ID, Pulse serves that guild only: an interaction from another guild or from a
// direct message gets a private refusal and no customer data; autocomplete there suggests nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscord, type DiscordAdapter } from '../../../src/adapters/discord/discord-adapter.ts';
import { createRegistry } from '../../../src/commands/index.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import {
  autocompleteInteraction,
  buttonInteraction,
  callbackPath,
  chatInputInteraction,
  discordUser,
  FakeDiscord,
  GUILD_ID,
  USER_ID,
  type RecordedRequest,
} from './fake-discord.ts';
import { testContext, type TestContext } from './test-context.ts';

const EPHEMERAL = 64;
let fake: FakeDiscord;
let t: TestContext;
let discord: DiscordAdapter;
let customer: Awaited<ReturnType<typeof sampleCustomers>>[number];

beforeAll(async () => {
  fake = await FakeDiscord.start();
  t = await testContext({ apiUrl: fake.apiUrl, customers: 80, env: { DISCORD_GUILD_ID: GUILD_ID } });
  discord = await startDiscord(t.ctx, createRegistry(), { indexRefreshMs: 0 });
  await discord.indexReady;
  customer = (await sampleCustomers(t.ctx.store.db, 5))[4]!;
}, 30_000);

afterAll(async () => {
  await discord?.stop();
  await fake?.close();
  await t?.close();
});

async function send(interaction: { id: string; token: string }): Promise<RecordedRequest> {
  fake.dispatch('INTERACTION_CREATE', interaction);
  return fake.waitFor((r) => r.path === callbackPath(interaction));
}

/** The same interaction as if it came from another guild, or from a DM (no guild, a user instead of a member). */
function elsewhere<T extends Record<string, unknown>>(i: T, where: 'guild' | 'dm'): T {
  if (where === 'guild')
    return {
      ...i,
      guild_id: '299999999999999999',
      channel: { ...(i.channel as object), guild_id: '299999999999999999' },
      authorizing_integration_owners: { '0': '299999999999999999' },
    };
  const { guild_id: _g, member: _m, guild_locale: _l, ...rest } = i;
  return {
    ...rest,
    user: discordUser(USER_ID, 'ann'),
    channel_id: '610000000000000061',
    channel: { id: '610000000000000061', type: 1 },
    context: 1,
  } as unknown as T;
}

describe('DISCORD_GUILD_ID', () => {
  it('GIVEN /customer in the configured guild THEN the card comes back', async () => {
    const cb = await send(chatInputInteraction('customer', [{ name: 'query', type: 3, value: customer.customer_id }]));
    expect(cb.body.data.embeds[0].title).toContain(customer.name);
  });

  it.each(['guild', 'dm'] as const)('GIVEN /customer from another %s THEN a private refusal, no customer data', async (where) => {
    const cb = await send(elsewhere(chatInputInteraction('customer', [{ name: 'query', type: 3, value: customer.customer_id }]), where));
    expect(cb.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    const text = JSON.stringify(cb.body.data);
    expect(text).toMatch(/only inside the workspace or server/);
    expect(text).not.toContain(customer.customer_id);
    expect(text).not.toContain(customer.name!);
  });

  it.each(['guild', 'dm'] as const)('GIVEN autocomplete from another %s THEN no suggestions', async (where) => {
    const typed = customer.name!.slice(0, 3);
    const cb = await send(elsewhere(autocompleteInteraction('customer', [{ name: 'query', type: 3, value: typed, focused: true }]), where));
    expect(cb.body.type).toBe(8);
    expect(cb.body.data.choices).toEqual([]);
  });

  it('GIVEN a share button pressed in another guild THEN a private refusal and nothing posted publicly', async () => {
    const cb = await send(elsewhere(buttonInteraction(`pulse:share:/customer ${customer.customer_id}`, { flags: EPHEMERAL, fake }), 'guild'));
    expect(cb.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(JSON.stringify(cb.body.data)).not.toContain(customer.customer_id);
  });
});
