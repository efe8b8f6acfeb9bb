// Every registry command, on random demo data after a refresh, answers through the real discord.js
// client with a message inside Discord's limits; and the pure renderer keeps every reply (private and
// shared) within them. Commands added later are covered without editing this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDefinition } from '../../../src/adapters/discord/command-definitions.ts';
import { startDiscord, type DiscordHandle } from '../../../src/adapters/discord/discord-adapter.ts';
import { InteractionCore } from '../../../src/adapters/interaction-core.ts';
import { splitCommand } from '../../../src/core/registry.ts';
import { limitProblems } from '../../../src/adapters/discord/limits.ts';
import { renderDiscord } from '../../../src/adapters/discord/render-embeds.ts';
import { createRegistry } from '../../../src/commands/index.ts';
import type { Registry } from '../../../src/core/registry.ts';
import { withoutPersonalData } from '../../../src/core/reply.ts';
import { localDay } from '../../../src/core/time.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import type { CustomerRow } from '../../../src/db/schema.ts';
import { Random } from '../../../src/demo/random.ts';
import { refresh } from '../../../src/refresh/refresh.ts';
import { callbackPath, chatInputInteraction, FakeDiscord, originalPath, type OptionIn } from './fake-discord.ts';
import { testContext, type TestContext } from './test-context.ts';

const SEED = Number(process.env.PULSE_TEST_SEED ?? Math.floor(Math.random() * 1_000_000));

let fake: FakeDiscord;
let t: TestContext;
let registry: Registry;
let discord: DiscordHandle;
let customers: CustomerRow[];

beforeAll(async () => {
  fake = await FakeDiscord.start();
  t = await testContext({ apiUrl: fake.apiUrl, customers: 400, seed: SEED % 1000 });
  await refresh(t.ctx, { asOfDay: localDay(t.ctx.clock.now().getTime(), t.ctx.config.timeZone) });
  registry = createRegistry();
  discord = await startDiscord(t.ctx, registry, { indexRefreshMs: 0 });
  await discord.indexReady;
  customers = await sampleCustomers(t.ctx.store.db, 400);
}, 120_000);

afterAll(async () => {
  await discord?.stop();
  await fake?.close();
  await t?.close();
});

/** Random option values of the right Discord type for one command: all options, required only, and odd values. */
function optionSets(name: string, rnd: Random): OptionIn[][] {
  const def = commandDefinition(registry.get(name)!);
  const c = () => customers[Math.floor(rnd.next() * customers.length)]!;
  const text = (key: string): string => {
    const r = rnd.next();
    if (key === 'query' || key === 'customer') return r < 0.4 ? c().customer_id : r < 0.7 ? (c().name ?? 'x').split(' ')[0]! : r < 0.9 ? (c().company ?? 'acme') : 'z'.repeat(150);
    if (key === 'owner') return c().owner ?? 'nobody';
    if (key === 'segment' || key === 'name') return ['Champions', 'At Risk', 'Lost', 'clusters', 'nonsense'][Math.floor(r * 5)]!;
    if (key === 'comment') return 'very long comment '.repeat(Math.floor(r * 60));
    return ['espresso', 'mug', 'x', 'help', 'customer'][Math.floor(r * 5)]!;
  };
  const value = (o: NonNullable<typeof def.options>[number]): unknown => {
    const choices = 'choices' in o ? (o.choices as { value: string }[] | undefined) : undefined;
    if (choices?.length) return choices[Math.floor(rnd.next() * choices.length)]!.value;
    if (o.type === 5) return rnd.next() < 0.5;
    if (o.type === 4 || o.type === 10) {
      const lo = ('min_value' in o ? (o.min_value as number | undefined) : undefined) ?? 0;
      const hi = ('max_value' in o ? (o.max_value as number | undefined) : undefined) ?? 10;
      const v = lo + rnd.next() * (hi - lo);
      return o.type === 4 ? Math.round(v) : v;
    }
    return text(o.name);
  };
  const options = def.options ?? [];
  const all = options.map((o) => ({ name: o.name, type: o.type, value: value(o) }));
  const required = options.filter((o) => o.required).map((o) => ({ name: o.name, type: o.type, value: value(o) }));
  const again = options.map((o) => ({ name: o.name, type: o.type, value: value(o) }));
  return [all, required, again, options.filter(() => rnd.next() < 0.5 ).map((o) => ({ name: o.name, type: o.type, value: value(o) }))];
}

describe(`Every registry command through the Discord adapter (seed ${SEED})`, () => {
  it('GIVEN each command with random options THEN every answer (reply or deferred edit) stays within Discord\'s limits', async () => {
    const rnd = new Random(SEED);
    let answered = 0;
    for (const command of registry.commands) {
      for (const options of optionSets(command.name, rnd)) {
        const interaction = chatInputInteraction(command.name, options);
        fake.dispatch('INTERACTION_CREATE', interaction);
        const callback = await fake.waitFor((r) => r.path === callbackPath(interaction), 30_000);
        const what = `/${command.name} ${JSON.stringify(options)}`;
        if (callback.body.type === 9) continue; // /feedback without customer and score opens the form
        const message = callback.body.type === 5 ? (await fake.waitFor((r) => r.method === 'PATCH' && r.path === originalPath(interaction), 30_000)).body : callback.body.data;
        expect(limitProblems(message), what).toEqual([]);
        expect(message.embeds.length, what).toBeGreaterThan(0);
        answered++;
      }
    }
    expect(answered).toBeGreaterThanOrEqual(registry.commands.length * 3);
  }, 120_000);

  it('GIVEN each command run from text THEN the renderer keeps the private and the shared reply within the limits', async () => {
    const rnd = new Random(SEED + 1);
    const c = () => customers[Math.floor(rnd.next() * customers.length)]!;
    for (const command of registry.commands) {
      const texts = [
        `/${command.name}`,
        ...(command.examples ?? []),
        `/${command.name} ${c().customer_id}`,
        `/${command.name} ${(c().name ?? 'x').split(' ')[0]}`,
        `/${command.name} ${c().company ?? 'acme'}`,
        `/${command.name} mine`,
        `/${command.name} ${c().customer_id} ${Math.floor(rnd.next() * 11)} ${'very long comment '.repeat(40)}`,
        `/${command.name} ${'z'.repeat(300)}`,
        `/help ${command.name}`,
      ];
      for (const text of texts) {
        const reply = await registry.run(text, { actor: { id: 'discord:1', role: 'admin', name: 'Ada Admin' }, platform: 'discord', channel: 'discord:2' }, t.ctx);
        const { name, argsText } = splitCommand(text);
        expect(limitProblems(renderDiscord(new InteractionCore(t.ctx, registry).withShareButton(reply, { name, text: argsText }))), text).toEqual([]);
        expect(limitProblems(renderDiscord(withoutPersonalData(reply))), `${text} (shared)`).toEqual([]);
      }
    }
  }, 120_000);
});
