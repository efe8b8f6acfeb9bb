import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { argsFromOptions, commandDefinition, commandDefinitions, definitionProblems, registerCommands } from '../../../src/adapters/discord/command-definitions.ts';
import { allCommands, createRegistry } from '../../../src/commands/index.ts';
import { defineCommand, type CommandDef } from '../../../src/core/command.ts';
import { Registry } from '../../../src/core/registry.ts';
import { APP_ID, FakeDiscord, GUILD_ID } from './fake-discord.ts';
import { testContext, type TestContext } from './test-context.ts';

const sample = defineCommand({
  name: 'sample',
  description: 'x'.repeat(140),
  usage: '/sample',
  args: z.object({
    note: z.string().max(300).optional().describe('A free note'),
    customer: z.string().trim().min(1).max(200).describe('Which customer'),
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many (1–50)'),
    weight: z.number().positive().describe('A weight'),
    mine: z.boolean().default(false).describe('Only mine'),
    scale: z.enum(['csat', 'nps']).default('csat').describe('The scale'),
    asOf: z.string().optional().describe('d'.repeat(150)),
    undocumented: z.string(),
  }),
  role: 'rep',
  async run() {
    return { visibility: 'private' as const };
  },
}) as unknown as CommandDef;

describe('commandDefinition', () => {
  it('GIVEN a zod schema of every kind THEN each argument becomes the right Discord option', () => {
    const def = commandDefinition(sample);
    expect(def.description).toHaveLength(100);
    const byName = Object.fromEntries((def.options ?? []).map((o) => [o.name, o as unknown as Record<string, unknown>]));
    expect(byName.customer).toMatchObject({ type: 3, required: true, autocomplete: true, description: 'Which customer', min_length: 1, max_length: 200 });
    expect(byName.note).toMatchObject({ type: 3, required: false, max_length: 300 });
    expect(byName.note!.autocomplete).toBeUndefined();
    expect(byName.limit).toMatchObject({ type: 4, required: false, min_value: 1, max_value: 50 });
    expect(byName.weight).toMatchObject({ type: 10, required: true, min_value: 0 });
    expect(byName.mine).toMatchObject({ type: 5, required: false });
    expect(byName.scale).toMatchObject({ type: 3, required: false, choices: [{ name: 'csat', value: 'csat' }, { name: 'nps', value: 'nps' }] });
    expect(byName['as-of']!.description).toHaveLength(100);
    expect(byName.undocumented).toMatchObject({ type: 3, required: true, description: 'undocumented' });
    expect(definitionProblems(def)).toEqual([]);
  });

  it('GIVEN required and optional arguments in any order THEN required options come first', () => {
    const required = (commandDefinition(sample).options ?? []).map((o) => o.required ?? false);
    expect(required).toEqual([...required].sort((a, b) => Number(b) - Number(a)));
    expect(required.filter(Boolean)).toHaveLength(3);
  });

  it('GIVEN Discord options by name THEN they map back to argument keys', () => {
    expect(argsFromOptions(sample, [{ name: 'as-of', value: '2024-01-01' }, { name: 'limit', value: 5 }, { name: 'unknown', value: 1 }])).toEqual({ asOf: '2024-01-01', limit: 5 });
  });

  it('GIVEN an invalid command name THEN definition fails loudly', () => {
    expect(() => commandDefinition({ ...sample, name: 'Bad Name' })).toThrow(/not a valid Discord command name/);
  });

  it('GIVEN every Pulse command THEN each definition is valid Discord JSON, customer options autocomplete, /feedback needs no option', () => {
    const defs = commandDefinitions(allCommands());
    expect(defs.map((d) => d.name)).toEqual(allCommands().map((c) => c.name));
    for (const def of defs) {
      expect(definitionProblems(def), def.name).toEqual([]);
      for (const o of def.options ?? []) {
        if (o.name === 'query' || o.name === 'customer') expect((o as { autocomplete?: boolean }).autocomplete, `${def.name} ${o.name}`).toBe(true);
      }
    }
    const feedback = defs.find((d) => d.name === 'feedback');
    if (feedback) expect((feedback.options ?? []).every((o) => !o.required)).toBe(true);
  });
});

describe('registerCommands through a REST stand-in', () => {
  let fake: FakeDiscord;
  let t: TestContext;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    t = await testContext({ apiUrl: fake.apiUrl });
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  it('GIVEN the registry WHEN registered twice globally THEN two identical bulk overwrites (PUT) go out, never a POST', async () => {
    const registry = createRegistry();
    const first = await registerCommands(t.ctx, registry, { guildId: null });
    const second = await registerCommands(t.ctx, registry, { guildId: null });
    expect(first).toEqual({ scope: 'global', commands: registry.commands.map((c) => c.name) });
    expect(second).toEqual(first);
    const puts = fake.requests.filter((r) => r.path === `/api/v10/applications/${APP_ID}/commands`);
    expect(puts.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect(puts[0]!.body).toEqual(puts[1]!.body);
    expect(puts[0]!.headers.authorization).toBe('Bot test-token');
    for (const def of puts[0]!.body) expect(definitionProblems(def)).toEqual([]);
    expect(fake.requests.some((r) => r.method === 'POST' && r.path.includes('/commands'))).toBe(false);
  });

  it('GIVEN --guild WHEN registered THEN the guild route is overwritten', async () => {
    const result = await registerCommands(t.ctx, createRegistry(), { guildId: GUILD_ID });
    expect(result.scope).toBe('guild');
    expect(fake.requests.some((r) => r.method === 'PUT' && r.path === `/api/v10/applications/${APP_ID}/guilds/${GUILD_ID}/commands`)).toBe(true);
  });

  it('GIVEN DISCORD_GUILD_ID in the config and no --guild THEN the configured server is used', async () => {
    const t2 = await testContext({ apiUrl: fake.apiUrl, env: { DISCORD_GUILD_ID: '999000000000000999' } });
    try {
      const result = await registerCommands(t2.ctx, new Registry(allCommands()));
      expect(result).toMatchObject({ scope: 'guild', guildId: '999000000000000999' });
    } finally {
      await t2.close();
    }
  });

  it('GIVEN a bad token THEN the error says to check DISCORD_TOKEN', async () => {
    fake.override = (r) => (r.method === 'PUT' ? { status: 401, body: { message: '401: Unauthorized', code: 0 } } : undefined);
    try {
      await expect(registerCommands(t.ctx, createRegistry(), { guildId: null })).rejects.toThrow(/check DISCORD_TOKEN/);
    } finally {
      fake.override = undefined;
    }
  });

  it('GIVEN no credentials THEN a clear error names the variables', async () => {
    const t3 = await testContext({ env: { DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: '' } });
    try {
      await expect(registerCommands(t3.ctx, createRegistry())).rejects.toThrow(/DISCORD_TOKEN and DISCORD_APPLICATION_ID/);
    } finally {
      await t3.close();
    }
  });

  it('GIVEN Discord refuses THEN the error carries Discord\'s words', async () => {
    fake.override = (r) => (r.method === 'PUT' ? { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: {} } } : undefined);
    try {
      const rest = new REST({ api: fake.apiUrl, retries: 0 }).setToken('test-token');
      await expect(registerCommands(t.ctx, createRegistry(), { guildId: null, rest })).rejects.toThrow(/Could not register the commands: Discord rejected the request as malformed.*Invalid Form Body/);
    } finally {
      fake.override = undefined;
    }
  });
});
