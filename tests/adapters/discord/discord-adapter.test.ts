// End to end through the real protocol: a real discord.js Client talks to a local gateway and REST
// stand-in; interactions go in as INTERACTION_CREATE dispatches, answers come out as HTTP calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDiscord, type DiscordHandle } from '../../../src/adapters/discord/discord-adapter.ts';
import { FEEDBACK_MODAL_ID, PICK_MENU_ID } from '../../../src/adapters/discord/custom-ids.ts';
import { limitProblems } from '../../../src/adapters/discord/limits.ts';
import { allCommands } from '../../../src/commands/index.ts';
import { defineCommand, type CommandDef } from '../../../src/core/command.ts';
import { Registry } from '../../../src/core/registry.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import {
  autocompleteInteraction,
  buttonInteraction,
  callbackPath,
  chatInputInteraction,
  directChannelId,
  FakeDiscord,
  followUpPath,
  modalSubmitInteraction,
  originalPath,
  selectInteraction,
  USER_ID,
  type RecordedRequest,
} from './fake-discord.ts';
import { testContext, type TestContext } from './test-context.ts';

const EPHEMERAL = 64;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Test-only commands: one declared slow, one that is merely late. */
const slowCommand = defineCommand({
  name: 'slowpoke',
  description: 'Takes its time (declared slow)',
  usage: '/slowpoke',
  args: z.object({}),
  role: 'rep',
  slow: true,
  async run() {
    await sleep(150);
    return { title: 'Finally', text: 'Done after a while.', visibility: 'private' };
  },
});
const lateCommand = defineCommand({
  name: 'dawdle',
  description: 'Not declared slow, but late',
  usage: '/dawdle',
  args: z.object({}),
  role: 'rep',
  async run() {
    await sleep(400);
    return { text: 'Late but here.', visibility: 'private' };
  },
});

describe('Discord adapter through a local gateway and REST stand-in', () => {
  let fake: FakeDiscord;
  let t: TestContext;
  let registry: Registry;
  let discord: DiscordHandle;
  let customers: Awaited<ReturnType<typeof sampleCustomers>>;

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    t = await testContext({ apiUrl: fake.apiUrl, customers: 300, logLevel: 'debug' });
    registry = new Registry([...allCommands(), slowCommand as unknown as CommandDef, lateCommand as unknown as CommandDef]);
    discord = await startDiscord(t.ctx, registry, { deferAfterMs: 150, indexRefreshMs: 0 });
    await discord.indexReady;
    customers = await sampleCustomers(t.ctx.store.db, 300);
  });

  afterAll(async () => {
    await discord?.stop();
    await fake?.close();
    await t?.close();
  });

  async function send(interaction: ReturnType<typeof chatInputInteraction>): Promise<RecordedRequest> {
    fake.dispatch('INTERACTION_CREATE', interaction);
    return fake.waitFor((r) => r.path === callbackPath(interaction));
  }

  it('GIVEN the gateway WHEN the client starts THEN it identified and fetched the gateway URL through DISCORD_API_URL', async () => {
    await fake.identified;
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === '/api/v10/gateway/bot')).toBe(true);
  });

  it('GIVEN /customer with a customer id WHEN it arrives THEN the card comes back privately within the callback, with a share button', async () => {
    const c = customers[3]!;
    const callback = await send(chatInputInteraction('customer', [{ name: 'query', type: 3, value: c.customer_id }]));
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    const embed = callback.body.data.embeds[0];
    expect(embed.title).toContain(c.name);
    expect(embed.fields.map((f: { name: string }) => f.name)).toContain('Email');
    const ids = callback.body.data.components.flatMap((row: { components: { custom_id: string }[] }) => row.components.map((x) => x.custom_id));
    expect(ids).toContain(`pulse:share:/customer ${c.customer_id}`);
    expect(limitProblems(callback.body.data)).toEqual([]);
    // The actor is resolved from the Discord user and stored.
    const user = await t.ctx.store.db.selectFrom('users').selectAll().where('user_id', '=', `discord:${USER_ID}`).executeTakeFirst();
    expect(user?.name).toBe('Ann Rep');
  });

  it('GIVEN any private lookup WHEN answered THEN it carries a share button that re-runs it with the same options', async () => {
    const callback = await send(chatInputInteraction('help', [{ name: 'command', type: 3, value: 'customer' }]));
    const ids = callback.body.data.components.flatMap((row: { components: { custom_id: string }[] }) => row.components.map((x) => x.custom_id));
    expect(ids).toEqual(['pulse:share:/help command:"customer"']);
    const shared = await send(buttonInteraction(ids[0], { flags: EPHEMERAL, fake }));
    expect(shared.body.data.flags ?? 0).toBe(0);
    expect(shared.body.data.embeds[0].title).toBe('/customer');
  });

  it('GIVEN a query nobody matches WHEN it arrives THEN a readable private error comes back', async () => {
    const callback = await send(chatInputInteraction('customer', [{ name: 'query', type: 3, value: 'zzqx-nobody' }]));
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(callback.body.data.embeds[0].description).toMatch(/No customer matches/);
    expect(callback.body.data.components).toEqual([]);
  });

  it('GIVEN a command declared slow WHEN it arrives THEN it is deferred at once and the answer edits the original', async () => {
    const interaction = chatInputInteraction('slowpoke');
    const callback = await send(interaction);
    expect(callback.body.type).toBe(5);
    expect(callback.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    const edit = await fake.waitFor((r) => r.method === 'PATCH' && r.path === originalPath(interaction));
    expect(edit.body.embeds[0].title).toBe('Finally');
    expect(edit.at - callback.at).toBeGreaterThanOrEqual(100);
  });

  it('GIVEN a command not declared slow WHEN it runs past the deferral threshold THEN it is deferred and then edited', async () => {
    const interaction = chatInputInteraction('dawdle');
    const callback = await send(interaction);
    expect(callback.body.type).toBe(5);
    const edit = await fake.waitFor((r) => r.method === 'PATCH' && r.path === originalPath(interaction));
    expect(edit.body.embeds[0].description).toBe('Late but here.');
  });

  it('GIVEN a customer option being typed WHEN autocomplete asks THEN matching customers come back from memory', async () => {
    const c = customers[10]!;
    const typed = c.name!.split(' ')[0]!.slice(0, 3);
    const interaction = autocompleteInteraction('customer', [{ name: 'query', type: 3, value: typed, focused: true }]);
    const callback = await send(interaction);
    expect(callback.body.type).toBe(8);
    const choices = callback.body.data.choices as { name: string; value: string }[];
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    for (const ch of choices) {
      expect(ch.name.toLowerCase()).toContain(typed.toLowerCase());
      expect(ch.name.length).toBeLessThanOrEqual(100);
      expect(customers.some((x) => x.customer_id === ch.value)).toBe(true);
    }
  });

  it('GIVEN a private card WHEN "Share in channel" is pressed THEN it is posted publicly without personal data', async () => {
    const c = customers[5]!;
    const interaction = buttonInteraction(`pulse:share:/customer ${c.customer_id}`, { flags: EPHEMERAL, fake });
    const callback = await send(interaction);
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags ?? 0).toBe(0);
    const text = JSON.stringify(callback.body.data.embeds);
    expect(text).toContain(c.name);
    expect(text).not.toContain(c.email);
    expect(callback.body.data.embeds[0].footer.text).toContain('Shared by Ann Rep');
    expect(callback.body.data.components).toEqual([]);
  });

  it('GIVEN several matches WHEN the query is ambiguous THEN a select menu offers them, and picking one replaces the list with the card', async () => {
    const first = customers[0]!.name!.split(' ')[0]!;
    const callback = await send(chatInputInteraction('customer', [{ name: 'query', type: 3, value: first }]));
    const rows = callback.body.data.components as { components: { type: number; custom_id: string; options?: { value: string }[] }[] }[];
    const menu = rows.flatMap((r) => r.components).find((x) => x.type === 3);
    expect(menu?.custom_id).toBe(PICK_MENU_ID);
    const value = menu!.options![0]!.value;
    const pick = selectInteraction(PICK_MENU_ID, [value], { flags: EPHEMERAL, fake });
    const picked = await send(pick);
    expect(picked.body.type).toBe(7);
    expect(picked.body.data.embeds[0].fields.some((f: { name: string }) => f.name === 'Customer id')).toBe(true);
  });

  it('GIVEN a card WHEN "Log feedback" is pressed THEN the form opens prefilled, or a clear notice says feedback is unavailable', async () => {
    const c = customers[2]!;
    const callback = await send(buttonInteraction(`pulse:form:${c.customer_id}`, { flags: EPHEMERAL, fake }));
    if (registry.get('feedback')) {
      expect(callback.body.type).toBe(9);
      expect(callback.body.data.custom_id).toBe(FEEDBACK_MODAL_ID);
      expect(JSON.stringify(callback.body.data.components)).toContain(c.customer_id);
    } else {
      expect(callback.body.type).toBe(4);
      expect(callback.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(callback.body.data.content).toMatch(/no \/feedback command/);
    }
  });

  it('GIVEN a button whose action is unknown WHEN pressed THEN a private "expired" notice comes back', async () => {
    const callback = await send(buttonInteraction('something-else', { fake }));
    expect(callback.body.data.content).toMatch(/expired/);
    expect(callback.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
  });

  it('GIVEN Discord answers "Unknown interaction" WHEN Pulse replies too late THEN it logs the miss and tries a follow-up', async () => {
    const c = customers[7]!;
    const interaction = chatInputInteraction('customer', [{ name: 'query', type: 3, value: c.customer_id }]);
    fake.override = (r) => (r.path === callbackPath(interaction) ? { status: 404, body: { message: 'Unknown interaction', code: 10062 } } : undefined);
    try {
      fake.dispatch('INTERACTION_CREATE', interaction);
      const followUp = await fake.waitFor((r) => r.method === 'POST' && r.path === followUpPath(interaction));
      expect(followUp.body.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(followUp.body.embeds[0].title).toContain(c.name);
      expect(t.logs.some((l) => /Unknown interaction, 10062/.test(l))).toBe(true);
    } finally {
      fake.override = undefined;
    }
  });

  it('GIVEN the follow-up fails too WHEN the deadline was missed THEN the answer goes to the user as a direct message', async () => {
    const c = customers[12]!;
    const interaction = chatInputInteraction('customer', [{ name: 'query', type: 3, value: c.customer_id }]);
    fake.override = (r) => {
      if (r.path === callbackPath(interaction)) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
      if (r.path === followUpPath(interaction)) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
      return undefined;
    };
    try {
      fake.dispatch('INTERACTION_CREATE', interaction);
      const dm = await fake.waitFor((r) => r.method === 'POST' && r.path === `/api/v10/channels/${directChannelId(USER_ID)}/messages`);
      expect(dm.body.content).toMatch(/closed your \/customer request/);
      expect(dm.body.embeds[0].title).toContain(c.name);
    } finally {
      fake.override = undefined;
    }
  });

  it('GIVEN a slow command shared WHEN pressed THEN the deferral is public and the edit carries the shared answer', async () => {
    const interaction = buttonInteraction('pulse:share:/slowpoke', { flags: EPHEMERAL, fake });
    const callback = await send(interaction);
    expect(callback.body.type).toBe(5);
    expect(callback.body.data.flags ?? 0).toBe(0);
    const edit = await fake.waitFor((r) => r.method === 'PATCH' && r.path === originalPath(interaction));
    expect(edit.body.embeds[0].title).toBe('Finally');
  });

  it('GIVEN a shared slow command that fails WHEN answered THEN the public placeholder is withdrawn and the error comes privately', async () => {
    const interaction = buttonInteraction('pulse:share:/slowpoke unexpected words', { flags: EPHEMERAL, fake });
    const callback = await send(interaction);
    expect(callback.body.type).toBe(5);
    await fake.waitFor((r) => r.method === 'DELETE' && r.path === originalPath(interaction));
    const followUp = await fake.waitFor((r) => r.method === 'POST' && r.path === followUpPath(interaction));
    expect(followUp.body.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(followUp.body.embeds[0].description).toMatch(/did not expect/);
  });

  describe('feedback', () => {
    it.skipIf(!allCommands().some((c) => c.name === 'feedback'))('GIVEN /feedback with no arguments WHEN it arrives THEN the feedback form opens', async () => {
      const callback = await send(chatInputInteraction('feedback'));
      expect(callback.body.type).toBe(9);
      expect(callback.body.data.custom_id).toBe(FEEDBACK_MODAL_ID);
      const inputs = callback.body.data.components.flatMap((r: { components: { custom_id: string }[] }) => r.components.map((x) => x.custom_id));
      expect(inputs).toEqual(['customer', 'scale', 'score', 'comment']);
    });

    // Skipped only while the /feedback command does not exist yet (it is being written separately).
    it.skipIf(!allCommands().some((c) => c.name === 'feedback'))('GIVEN the feedback form WHEN it is submitted THEN the feedback is stored', async () => {
      const c = customers[4]!;
      const before = await countFeedback(c.customer_id);
      const interaction = modalSubmitInteraction(FEEDBACK_MODAL_ID, { customer: c.customer_id, scale: 'csat', score: '2', comment: 'late delivery again' });
      const callback = await send(interaction);
      const answer = callback.body.type === 5 ? (await fake.waitFor((r) => r.method === 'PATCH' && r.path === originalPath(interaction))).body : callback.body.data;
      expect(answer.embeds[0].color).not.toBe(0xe5484d);
      expect(await countFeedback(c.customer_id)).toBe(before + 1);
      const row = await t.ctx.store.db.selectFrom('feedback').selectAll().where('customer_id', '=', c.customer_id).orderBy('created_at', 'desc').executeTakeFirst();
      expect(row?.score).toBe(2);
      expect(row?.comment).toBe('late delivery again');
    });

    it.skipIf(!allCommands().some((c) => c.name === 'feedback'))('GIVEN /feedback with a customer but no score WHEN it arrives THEN the form opens prefilled', async () => {
      const c = customers[8]!;
      const callback = await send(chatInputInteraction('feedback', [{ name: 'customer', type: 3, value: c.customer_id }]));
      expect(callback.body.type).toBe(9);
      const customer = callback.body.data.components[0].components[0];
      expect(customer).toMatchObject({ custom_id: 'customer', value: c.customer_id });
    });

    it.skipIf(!allCommands().some((c) => c.name === 'feedback'))('GIVEN /feedback with every option WHEN it arrives THEN it is stored directly, with no share button', async () => {
      const c = customers[9]!;
      const before = await countFeedback(c.customer_id);
      const callback = await send(chatInputInteraction('feedback', [{ name: 'customer', type: 3, value: c.customer_id }, { name: 'score', type: 4, value: 9 }, { name: 'scale', type: 3, value: 'nps' }]));
      expect(callback.body.type).toBe(4);
      expect(await countFeedback(c.customer_id)).toBe(before + 1);
      expect(JSON.stringify(callback.body.data.components)).not.toContain('pulse:share:/feedback');
    });
  });

  it('GIVEN a public message with a "run" button WHEN pressed THEN the answer comes privately as a new message', async () => {
    const c = customers[11]!;
    const callback = await send(buttonInteraction(`pulse:run:/customer ${c.customer_id}`, { flags: 0, fake }));
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(callback.body.data.embeds[0].title).toContain(c.name);
  });

  async function countFeedback(customerId: string): Promise<number> {
    const r = await t.ctx.store.db.selectFrom('feedback').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', customerId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }
});

describe('Discord adapter on a Pulse without /feedback', () => {
  let fake: FakeDiscord;
  let t: TestContext;
  let discord: DiscordHandle;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    t = await testContext({ apiUrl: fake.apiUrl, customers: 20 });
    discord = await startDiscord(t.ctx, new Registry(allCommands().filter((c) => c.name !== 'feedback')), { indexRefreshMs: 0 });
  });
  afterAll(async () => {
    await discord?.stop();
    await fake?.close();
    await t?.close();
  });

  it('GIVEN "Log feedback" pressed or the form submitted THEN a clear private message says feedback is unavailable', async () => {
    for (const interaction of [buttonInteraction('pulse:form:C00001', { flags: EPHEMERAL, fake }), modalSubmitInteraction(FEEDBACK_MODAL_ID, { customer: 'C00001', score: '3' })]) {
      fake.dispatch('INTERACTION_CREATE', interaction);
      const callback = await fake.waitFor((r) => r.path === callbackPath(interaction));
      expect(callback.body.type).toBe(4);
      expect(callback.body.data.flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(callback.body.data.content).toMatch(/no \/feedback command/);
    }
  });
});

describe('Discord adapter start-up', () => {
  it('GIVEN Discord rejects the token WHEN starting THEN a readable error, and nothing left running', async () => {
    const fake = await FakeDiscord.start();
    const t = await testContext({ apiUrl: fake.apiUrl });
    fake.override = (r) => (r.path === '/api/v10/gateway/bot' ? { status: 401, body: { message: '401: Unauthorized', code: 0 } } : undefined);
    try {
      await expect(startDiscord(t.ctx, new Registry(allCommands()), { readyTimeoutMs: 5000 })).rejects.toThrow(/Could not connect to Discord: .*token/i);
    } finally {
      await fake.close();
      await t.close();
    }
  });

  it('GIVEN no token THEN starting says which variables to set', async () => {
    const t = await testContext({ env: { DISCORD_TOKEN: '' } });
    try {
      await expect(startDiscord(t.ctx, new Registry(allCommands()))).rejects.toThrow(/DISCORD_TOKEN and DISCORD_APPLICATION_ID/);
    } finally {
      await t.close();
    }
  });
});
