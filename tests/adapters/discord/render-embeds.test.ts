import { describe, expect, it } from 'vitest';
import { ActionStore, commandText, decodeAction, encodeAction } from '../../../src/adapters/discord/custom-ids.ts';
import { clip, DISCORD_LIMITS, embedChars, limitProblems } from '../../../src/adapters/discord/limits.ts';
import { renderDiscord, renderDiscordJson } from '../../../src/adapters/discord/render-embeds.ts';
import { tokenize } from '../../../src/core/args.ts';
import { withoutPersonalData, type Reply, type ReplyButton, type ReplyTable } from '../../../src/core/reply.ts';
import { Random } from '../../../src/demo/random.ts';

const card: Reply = {
  title: 'Ann Lee · Acme Coffee',
  text: 'Customer since 2023-04-01.',
  fields: [
    { label: 'Company', value: 'Acme Coffee', inline: true },
    { label: 'Email', value: 'ann@acme.example', inline: true, pii: true },
    { label: 'Orders', value: '12', inline: true },
  ],
  buttons: [
    { label: 'Share in channel', action: { kind: 'share', command: '/customer C00042' } },
    { label: 'Log feedback', action: { kind: 'feedback-form', customerId: 'C00042' } },
  ],
  footer: 'Data as of 2025-03-10',
  visibility: 'private',
};

const allText = (m: ReturnType<typeof renderDiscord>) => JSON.stringify(m);

describe('renderDiscord', () => {
  it('GIVEN a customer card THEN one embed with inline fields, footer and two buttons comes out', () => {
    const m = renderDiscord(card);
    expect(m.embeds).toHaveLength(1);
    expect(m.embeds[0]!.title).toBe('Ann Lee · Acme Coffee');
    expect(m.embeds[0]!.fields).toEqual([
      { name: 'Company', value: 'Acme Coffee', inline: true },
      { name: 'Email', value: 'ann@acme.example', inline: true },
      { name: 'Orders', value: '12', inline: true },
    ]);
    expect(m.embeds[0]!.footer?.text).toBe('Data as of 2025-03-10');
    const buttons = m.components.flatMap((r) => r.components);
    expect(buttons.map((b) => ('custom_id' in b ? b.custom_id : ''))).toEqual(['pulse:share:/customer C00042', 'pulse:form:C00042']);
    expect(limitProblems(m)).toEqual([]);
  });

  it('GIVEN the shared version THEN no email is left and there are no buttons', () => {
    const m = renderDiscord(withoutPersonalData(card));
    expect(allText(m)).not.toContain('ann@acme.example');
    expect(m.components).toEqual([]);
  });

  it('GIVEN an error reply THEN a red embed carries the message, the hint and the incident id', () => {
    const m = renderDiscord({ text: 'x', visibility: 'private', error: { code: 'INTERNAL', message: 'Something broke.', hint: 'Try again.', incidentId: 'ab12cd34' } });
    expect(m.embeds[0]!.color).toBe(0xe5484d);
    expect(m.embeds[0]!.description).toBe('✗ Something broke.\n\nTry again.');
    expect(m.embeds[0]!.footer?.text).toBe('Incident ab12cd34');
  });

  it('GIVEN a small table and no fields THEN the table is a code block under the text', () => {
    const m = renderDiscord({ title: 'Pulse commands', tables: [{ columns: [{ label: 'Command' }, { label: 'n', align: 'right' }], rows: [['/customer', '1'], ['/help', '22']] }], visibility: 'private' });
    expect(m.embeds).toHaveLength(1);
    expect(m.embeds[0]!.description).toBe('```\nCommand     n\n─────────  ──\n/customer   1\n/help      22\n```');
  });

  it('GIVEN a table longer than a description holds THEN it is cut with "showing N of M" counting the table total', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`C${i}`, `Customer number ${i} with a long name`, `${i * 7}`]);
    const m = renderDiscord({ title: 'At risk', fields: [{ label: 'n', value: '400' }], tables: [{ title: 'Customers', columns: [{ label: 'Id' }, { label: 'Name' }, { label: 'Value', align: 'right' }], rows, total: 1000 }], visibility: 'private' });
    expect(limitProblems(m)).toEqual([]);
    const d = m.embeds[1]!.description!;
    const shown = Number(/showing (\d+) of 1000/.exec(d)?.[1]);
    expect(shown).toBeGreaterThan(20);
    expect(shown).toBeLessThan(400);
    expect(d.split('\n').filter((l) => /^C\d+/.test(l))).toHaveLength(shown);
  });

  it('GIVEN 40 fields THEN 25 are shown with a note', () => {
    const m = renderDiscord({ fields: Array.from({ length: 40 }, (_, i) => ({ label: `F${i}`, value: `v${i}` })), visibility: 'private' });
    expect(m.embeds[0]!.fields).toHaveLength(25);
    expect(m.embeds[0]!.footer?.text).toContain('showing 25 of 40 fields');
  });

  it('GIVEN 14 small tables THEN they share embeds, every one shown, at most 10 embeds', () => {
    const table: ReplyTable = { title: 'T', columns: [{ label: 'a' }], rows: [['1'], ['2']] };
    const m = renderDiscord({ title: 'Many', fields: [{ label: 'x', value: 'y' }], tables: Array.from({ length: 14 }, () => table), visibility: 'private' });
    expect(m.embeds.length).toBeLessThanOrEqual(10);
    expect(allText(m).match(/```/g)).toHaveLength(28);
    expect(limitProblems(m)).toEqual([]);
  });

  it('GIVEN 14 tables too big to fit together THEN some are left out with a "showing N of 14 tables" note', () => {
    const table: ReplyTable = { title: 'T', columns: [{ label: 'a' }, { label: 'b' }], rows: Array.from({ length: 20 }, (_, i) => [`row ${i} ${'x'.repeat(20)}`, `${i}`]) };
    const m = renderDiscord({ title: 'Many', fields: [{ label: 'x', value: 'y' }], tables: Array.from({ length: 14 }, () => table), visibility: 'private' });
    expect(limitProblems(m)).toEqual([]);
    expect(m.embeds[m.embeds.length - 1]!.footer?.text).toMatch(/showing \d+ of 14 tables/);
  });

  it('GIVEN several "run" buttons THEN they become one select menu, other buttons stay buttons', () => {
    const runs: ReplyButton[] = Array.from({ length: 6 }, (_, i) => ({ label: `Ann ${i} · Acme`, action: { kind: 'run', command: `/customer C${i}` } }));
    const m = renderDiscord({ title: '6 customers match', buttons: [...runs, { label: 'Log feedback', action: { kind: 'feedback-form' } }], visibility: 'private' });
    expect(m.components).toHaveLength(2);
    const menu = m.components[0]!.components[0]!;
    expect(menu.type).toBe(3);
    if (menu.type === 3) expect(menu.options.map((o) => o.value)).toEqual(runs.map((r) => encodeAction(r.action)));
    expect(m.components[1]!.components[0]!.type).toBe(2);
  });

  it('GIVEN one "run" button THEN it stays a button', () => {
    const m = renderDiscord({ text: 'x', buttons: [{ label: 'Open', action: { kind: 'run', command: '/help' } }], visibility: 'private' });
    expect(m.components[0]!.components[0]!.type).toBe(2);
  });

  it('GIVEN 30 buttons THEN 5 rows of 5 with a note, and duplicates are dropped', () => {
    const share = (i: number): ReplyButton => ({ label: `B${i}`, action: { kind: 'share', command: `/x ${i}` } });
    const m = renderDiscord({ text: 'x', buttons: [...Array.from({ length: 30 }, (_, i) => share(i)), share(0)], visibility: 'private' });
    expect(m.components).toHaveLength(5);
    expect(m.components.every((r) => r.components.length === 5)).toBe(true);
    expect(m.embeds[0]!.footer?.text).toContain('showing 25 of 30 buttons');
    expect(limitProblems(m)).toEqual([]);
  });

  it('GIVEN an action too long for a custom_id THEN the default renderer leaves the button out and an ActionStore keeps it', () => {
    const long: ReplyButton = { label: 'Go', action: { kind: 'run', command: `/feedback C1 csat 2 "${'words '.repeat(30)}"` } };
    expect(renderDiscord({ text: 'x', buttons: [long], visibility: 'private' }).components).toEqual([]);
    const store = new ActionStore();
    const m = renderDiscord({ text: 'x', buttons: [long], visibility: 'private' }, { idFor: (a) => store.idFor(a) });
    const id = (m.components[0]!.components[0] as { custom_id: string }).custom_id;
    expect(id.length).toBeLessThanOrEqual(100);
    const decoded = decodeAction(id);
    expect(decoded?.kind).toBe('stored');
    if (decoded?.kind === 'stored') expect(store.get(decoded.key)).toEqual(long.action);
  });

  it('GIVEN a chart THEN its embed shows sparklines, and the attached image when named', () => {
    const chart = { kind: 'line' as const, title: 'CSAT by week', series: [{ name: 'CSAT', points: [1, 2, 3, null, 5].map((y, i) => ({ x: `W${i}`, y })) }] };
    const m = renderDiscord({ title: 'Satisfaction', chart, visibility: 'channel' }, { chartImage: 'chart.png' });
    expect(m.embeds[1]!.title).toBe('CSAT by week');
    expect(m.embeds[1]!.description).toContain('▁▃▅ █');
    expect(m.embeds[1]!.image?.url).toBe('attachment://chart.png');
  });

  it('GIVEN an empty reply THEN the message is still valid', () => {
    expect(limitProblems(renderDiscord({ visibility: 'private' }))).toEqual([]);
  });

  it('GIVEN random replies with huge and odd content THEN every rendering stays within every limit', () => {
    const rnd = new Random(20250310);
    const s = (max: number) => {
      const alphabet = ['a', 'Z', ' ', '\n', '`', '*', '😀', '中', 'é', '|', '"', '—'];
      const n = Math.floor(rnd.next() ** 3 * max);
      let out = '';
      for (let i = 0; i < n; i++) out += alphabet[Math.floor(rnd.next() * alphabet.length)]!;
      return out;
    };
    const count = (max: number) => Math.floor(rnd.next() ** 2 * max);
    for (let k = 0; k < 300; k++) {
      const reply: Reply = {
        visibility: rnd.next() < 0.5 ? 'private' : 'channel',
        ...(rnd.next() < 0.8 ? { title: s(400) } : {}),
        ...(rnd.next() < 0.8 ? { text: s(6000) } : {}),
        ...(rnd.next() < 0.6 ? { fields: Array.from({ length: count(40) }, () => ({ label: s(300), value: s(1500), inline: rnd.next() < 0.5 })) } : {}),
        ...(rnd.next() < 0.6
          ? {
              tables: Array.from({ length: count(14) }, () => {
                const cols = 1 + count(7);
                return { title: s(300), columns: Array.from({ length: cols }, () => ({ label: s(30) })), rows: Array.from({ length: count(200) }, () => Array.from({ length: cols }, () => s(60))) };
              }),
            }
          : {}),
        ...(rnd.next() < 0.3 ? { chart: { kind: 'bar' as const, title: s(300), series: Array.from({ length: 1 + count(12) }, () => ({ name: s(40), points: Array.from({ length: count(80) }, (_, i) => ({ x: String(i), y: rnd.next() < 0.1 ? null : rnd.next() * 100 })) })) } } : {}),
        ...(rnd.next() < 0.6
          ? {
              buttons: Array.from({ length: count(40) }, () => {
                const kinds = ['run', 'share', 'feedback-form'] as const;
                const kind = kinds[Math.floor(rnd.next() * 3)]!;
                return { label: s(120), action: kind === 'feedback-form' ? { kind, customerId: s(20) } : { kind, command: `/x ${s(120)}` } };
              }),
            }
          : {}),
        ...(rnd.next() < 0.5 ? { footer: s(3000) } : {}),
      };
      const m = renderDiscord(reply);
      expect(limitProblems(m), `reply ${k}`).toEqual([]);
      expect(m.embeds.reduce((n, e) => n + embedChars(e), 0)).toBeLessThanOrEqual(DISCORD_LIMITS.embedsTotal);
    }
  });
});

describe('renderDiscordJson (pulse ask --format discord)', () => {
  it('GIVEN a private reply THEN the payload is ephemeral JSON with mentions disabled', () => {
    const json = JSON.parse(renderDiscordJson(card));
    expect(json.flags).toBe(64);
    expect(json.allowed_mentions).toEqual({ parse: [] });
    expect(json.embeds[0].title).toBe('Ann Lee · Acme Coffee');
  });
});

describe('clip', () => {
  it('GIVEN text over the limit THEN it ends with … and never splits a surrogate pair', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(clip('abc', 3)).toBe('abc');
  });
});

describe('custom ids', () => {
  it('GIVEN each action kind THEN encoding then decoding gives it back', () => {
    for (const a of [{ kind: 'run', command: '/customer C1' }, { kind: 'share', command: '/help' }, { kind: 'feedback-form', customerId: 'C9' }, { kind: 'feedback-form' }] as const) {
      expect(decodeAction(encodeAction(a)!)).toEqual(a);
    }
  });

  it('GIVEN named arguments THEN commandText writes text the registry tokenizer reads back', () => {
    const text = commandText('customer', { query: 'acme "the best" corp', limit: 5, mine: true })!;
    const tokens = tokenize(text.replace(/^\/customer /, ''));
    expect(tokens).toEqual([
      { key: 'query', value: 'acme "the best" corp', quoted: true },
      { key: 'limit', value: '5', quoted: false },
      { key: 'mine', value: 'true', quoted: false },
    ]);
    expect(commandText('x', { asOf: '2024-01-01' })).toBeUndefined();
  });
});
