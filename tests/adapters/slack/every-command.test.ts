// Every command in the registry, asked through the real Slack endpoint on random demo data, answers
// with a message inside Slack's limits. Commands added later are covered without editing this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBlocks } from '../../../src/adapters/slack/render-blocks.ts';
import { allCommands } from '../../../src/commands/index.ts';
import { localDay } from '../../../src/core/time.ts';
import { sampleCustomers } from '../../../src/db/customers.ts';
import type { CustomerRow } from '../../../src/db/schema.ts';
import { Random } from '../../../src/demo/random.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { slackLimitViolations } from './helpers/slack-limits.ts';

const SEED = Number(process.env.PULSE_TEST_SEED ?? Math.floor(Math.random() * 1_000_000));
let h: Harness;
let customers: CustomerRow[];
let refreshNote = 'insights refreshed';

beforeAll(async () => {
  h = await startHarness({ customers: 400, env: {}, commands: allCommands() });
  customers = await sampleCustomers(h.ctx.store.db, 400);
  // Insight commands read what a refresh wrote; run it when this checkout has one.
  try {
    const spec = '../../../src/refresh/refresh.ts';
    const mod: { refresh?: (ctx: unknown, opts: { asOfDay: number }) => Promise<unknown> } = await import(/* @vite-ignore */ spec);
    await mod.refresh!(h.ctx, { asOfDay: localDay(h.ctx.clock.now().getTime(), h.ctx.config.timeZone) });
  } catch (err) {
    refreshNote = `no refresh (${(err as Error).message.slice(0, 80)})`;
  }
}, 120_000);
afterAll(async () => h.stop());

/** Texts to try for one command: bare, its own examples, and random customers, words and numbers. */
function textsFor(name: string, examples: readonly string[], rnd: Random): string[] {
  const c = () => customers[Math.floor(rnd.next() * customers.length)]!;
  const word = () => (c().name ?? 'x').split(' ')[0]!;
  return [
    `/${name}`,
    ...examples,
    `/${name} ${c().customer_id}`,
    `/${name} ${word()}`,
    `/${name} ${c().company ?? 'acme'}`,
    `/${name} mine`,
    `/${name} ${c().customer_id} ${Math.floor(rnd.next() * 11)} ${'very long comment '.repeat(40)}`,
    `/${name} ${'z'.repeat(300)}`,
    `/help ${name}`,
  ];
}

describe(`Every registry command through Slack (seed ${SEED})`, () => {
  it('GIVEN each command with several argument texts, as an admin and as a rep THEN every answer (acknowledgement or response_url) stays within the limits', async () => {
    const rnd = new Random(SEED);
    const checked: string[] = [];
    let n = 0;
    for (const command of h.registry.commands) {
      for (const text of textsFor(command.name, command.examples ?? [], rnd)) {
        for (const user of ['UADMIN', 'UANN']) {
          const id = `e${++n}`;
          const [slash, ...rest] = text.split(' ');
          const res = await h.slash({ command: slash!, text: rest.join(' '), user_id: user, response_url: h.fake.responseUrl(id) });
          expect(res.status, text).toBe(200);
          if (res.text === '') continue; // /feedback with no arguments opens the modal instead
          const message = res.json.text === 'Working on it…' ? (await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === id), 30_000)).body : res.json;
          expect(slackLimitViolations(message), `${text} as ${user} (${refreshNote})`).toEqual([]);
          checked.push(text);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(h.registry.commands.length * 8);
  }, 120_000);

  it('GIVEN each command run directly THEN the pure renderer keeps it within the limits, private and shared', async () => {
    const rnd = new Random(SEED + 1);
    for (const command of h.registry.commands) {
      for (const text of textsFor(command.name, command.examples ?? [], rnd)) {
        const reply = await h.registry.run(text, { actor: { id: 'slack:UADMIN', role: 'admin', name: 'Ada Admin' }, platform: 'slack', channel: 'slack:C1' }, h.ctx);
        expect(slackLimitViolations(renderBlocks(reply)), text).toEqual([]);
      }
    }
  }, 60_000);
});
