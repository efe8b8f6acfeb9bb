// The pure Block Kit renderer: fixtures for the shapes Pulse sends, and the limits under pressure.
import { describe, expect, it } from 'vitest';
import { BUTTON_ACTION_PATTERN, decodeButtonValue, encodeButtonValue } from '../../../src/adapters/slack/button-value.ts';
import { SLACK_LAYOUT, SLACK_LIMITS } from '../../../src/adapters/slack/limits.ts';
import { renderBlocks, renderSlackJson } from '../../../src/adapters/slack/render-blocks.ts';
import { errorReply } from '../../../src/core/registry.ts';
import { withoutPersonalData, type Reply, type ReplyTable } from '../../../src/core/reply.ts';
import { Random } from '../../../src/demo/random.ts';
import { slackLimitViolations } from './helpers/slack-limits.ts';

const customerCard: Reply = {
  title: 'Ann Lee · Acme Corp',
  text: 'Customer since 2024-03-05.',
  fields: [
    { label: 'Company', value: 'Acme Corp', inline: true },
    { label: 'Owner', value: 'Maya Chen', inline: true },
    { label: 'Email', value: 'ann@acme.com', inline: true, pii: true },
    { label: 'Customer id', value: 'C1042', inline: true },
    { label: 'Orders', value: '14 on 12 days', inline: true },
    { label: 'Lifetime revenue', value: '$4,210.50', inline: true },
    { label: 'Last order', value: '2026-05-20 (12 days ago)', inline: true },
  ],
  buttons: [
    { label: 'Share in channel', action: { kind: 'share', command: '/customer C1042' } },
    { label: 'Log feedback', action: { kind: 'feedback-form', customerId: 'C1042' } },
  ],
  visibility: 'private',
};

const choices: Reply = {
  title: '3 customers match “acme”',
  text: 'Pick one:',
  tables: [
    {
      columns: [{ label: 'Id' }, { label: 'Name' }, { label: 'Company' }, { label: 'Owner' }],
      rows: [
        ['C1', 'Ann Lee', 'Acme Corp', 'Maya Chen'],
        ['C2', 'Bob Stone', 'Acme Logistics', 'Tom Becker'],
        ['C3', 'Carla Acme', 'Zen Studio', ''],
      ],
      total: 3,
    },
  ],
  buttons: [
    { label: 'Ann Lee · Acme Corp', action: { kind: 'run', command: '/customer C1' } },
    { label: 'Bob Stone · Acme Logistics', action: { kind: 'run', command: '/customer C2' } },
    { label: 'Carla Acme · Zen Studio', action: { kind: 'run', command: '/customer C3' } },
  ],
  visibility: 'private',
};

const satisfaction: Reply = {
  title: 'Satisfaction · last 30 days',
  fields: [
    { label: 'CSAT', value: '82% (n=140; 95% CI 75%–87%)', inline: true },
    { label: 'NPS', value: '+31 (n=52)', inline: true },
  ],
  tables: [{ title: 'Pain points', columns: [{ label: 'Term' }, { label: 'Low', align: 'right' }, { label: 'High', align: 'right' }], rows: [['late delivery', '14', '2'], ['物流太慢', '6', '0']] }],
  chart: { kind: 'line', title: 'NPS by week', series: [{ name: 'NPS', points: [{ x: '05-04', y: -20 }, { x: '05-11', y: 10 }, { x: '05-18', y: null }, { x: '05-25', y: 31 }] }] },
  footer: 'Changes are called changes only when significant at the 5% level.',
  visibility: 'private',
};

const wideTable: Reply = {
  title: 'Churn risk · mine',
  tables: [
    {
      columns: [{ label: 'Customer' }, { label: 'Risk', align: 'right' }, { label: 'Value at risk', align: 'right' }, { label: 'Why' }],
      rows: [
        ['Ann Lee (C1042)', '91', '$4,210', 'no purchase for 142 days, 3.1× the usual gap'],
        ['Bob Stone (C2001)', '77', '$1,090', 'two CSAT 1–2 answers this month'],
      ],
      total: 57,
    },
  ],
  visibility: 'private',
};

describe('renderBlocks fixtures', () => {
  it('GIVEN a customer card THEN a header, two-column fields, Share and Log feedback buttons', async () => {
    const m = renderBlocks(customerCard);
    await expect(renderSlackJson(customerCard)).toMatchFileSnapshot('fixtures/customer-card.json');
    expect(m.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions']);
    expect(m.text).toBe('Ann Lee · Acme Corp — Customer since 2024-03-05.');
    expect(slackLimitViolations(m)).toEqual([]);
  });

  it('GIVEN a pick-one list THEN the table reads as one line per customer and each choice is a run button', async () => {
    const m = renderBlocks(choices);
    await expect(renderSlackJson(choices)).toMatchFileSnapshot('fixtures/choices.json');
    const table = (m.blocks[2] as any).text.text as string;
    expect(table.split('\n')).toEqual(['_Id · Name · Company · Owner_', '*C1* · Ann Lee · Acme Corp · Maya Chen', '*C2* · Bob Stone · Acme Logistics · Tom Becker', '*C3* · Carla Acme · Zen Studio · —']);
    const buttons = (m.blocks.at(-1) as any).elements;
    expect(buttons.map((b: any) => decodeButtonValue(b.value))).toEqual(choices.buttons!.map((b) => b.action));
    expect(buttons.every((b: any) => BUTTON_ACTION_PATTERN.test(b.action_id))).toBe(true);
  });

  it('GIVEN fields, a narrow table, a chart and a footer THEN an aligned code block, text bars and small print', async () => {
    const m = renderBlocks(satisfaction);
    await expect(renderSlackJson(satisfaction)).toMatchFileSnapshot('fixtures/satisfaction.json');
    const texts = m.blocks.map((b: any) => b.text?.text ?? '');
    const table = texts.find((t) => t.startsWith('*Pain points*'))!;
    // Right-aligned numbers line up; the Chinese term counts two columns a character.
    expect(table).toContain('Term           Low  High\n─────────────  ───  ────\nlate delivery   14     2\n物流太慢         6     0');
    const chart = texts.find((t) => t.startsWith('*NPS by week*'))!;
    expect(chart).toContain('05-18    –');
    expect(chart.split('\n').find((l: string) => l.startsWith('05-25'))).toMatch(/█{16}$/);
    expect(chart.split('\n').find((l: string) => l.startsWith('05-04'))).toBe('05-04  -20');
    expect(m.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Changes are called changes only when significant at the 5% level.' }] });
  });

  it('GIVEN a table too wide for a phone THEN it becomes a list with "showing N of M rows"', async () => {
    const m = renderBlocks(wideTable);
    await expect(renderSlackJson(wideTable)).toMatchFileSnapshot('fixtures/wide-table.json');
    const text = (m.blocks[1] as any).text.text as string;
    expect(text).not.toContain('```');
    expect(text).toContain('*Ann Lee (C1042)* · 91 · $4,210 · no purchase for 142 days, 3.1× the usual gap');
    expect(text.endsWith('_showing 2 of 57 rows_')).toBe(true);
  });

  it('GIVEN an argument error THEN a warning line in bold with the usage under it', async () => {
    const reply = errorReply('INVALID_ARGS', '`score`: must be at most 5', 'Usage: `/feedback CUSTOMER [csat|nps] SCORE [COMMENT]`');
    await expect(renderSlackJson(reply)).toMatchFileSnapshot('fixtures/error-usage.json');
    const m = renderBlocks(reply);
    expect(m.text).toBe('⚠️ `score`: must be at most 5');
    expect((m.blocks[0] as any).text.text).toBe(':warning: *`score`: must be at most 5*\nUsage: `/feedback CUSTOMER [csat|nps] SCORE [COMMENT]`');
  });

  it('GIVEN an internal error THEN the incident id to quote, and nothing else', () => {
    const m = renderBlocks({ text: 'x', visibility: 'private', error: { code: 'INTERNAL', message: 'Something went wrong running /churn-risk.', incidentId: '1a2b3c4d' } });
    expect(m.blocks).toHaveLength(2);
    expect((m.blocks[1] as any).elements[0].text).toBe('Incident `1a2b3c4d` — quote it when you ask for help.');
  });

  it('GIVEN the shared version of a card THEN no email anywhere and no buttons', () => {
    const m = renderBlocks(withoutPersonalData(customerCard));
    expect(JSON.stringify(m)).not.toContain('ann@acme.com');
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('GIVEN text from the data with Slack control sequences THEN they are escaped, so nobody is pinged', () => {
    const m = renderBlocks({ text: 'Hi <!channel> & <@U123> **now**', visibility: 'private' });
    expect((m.blocks[0] as any).text.text).toBe('Hi &lt;!channel&gt; &amp; &lt;@U123&gt; *now*');
    expect(m.text).toBe('Hi &lt;!channel&gt; &amp; &lt;@U123&gt; *now*');
  });

  it('GIVEN an empty reply THEN there is still a notification text and a block', () => {
    const m = renderBlocks({ visibility: 'private' });
    expect(m.text).toBe('Pulse');
    expect(m.blocks).toHaveLength(1);
  });
});

describe('renderBlocks under pressure', () => {
  const rows = (n: number, cols = 4): string[][] => Array.from({ length: n }, (_, i) => Array.from({ length: cols }, (_, j) => `r${i}c${j} ${'x'.repeat(j * 7)}`));

  it('GIVEN a table of 5,000 rows THEN 30 rows and "showing 30 of 5,000 rows"', () => {
    const m = renderBlocks({ tables: [{ columns: [{ label: 'A' }, { label: 'B' }, { label: 'C' }, { label: 'D' }], rows: rows(5000) }], visibility: 'private' });
    expect(slackLimitViolations(m)).toEqual([]);
    expect(JSON.stringify(m)).toContain(`showing ${SLACK_LAYOUT.tableRows} of 5,000 rows`);
  });

  it('GIVEN rows of twenty 1,000-character cells THEN sections stay under 3,000 and the count of rows shown is honest', () => {
    const columns = Array.from({ length: 20 }, (_, j) => ({ label: `Col${j}` }));
    const big: ReplyTable = { columns, rows: Array.from({ length: 30 }, (_, i) => [`C${i}`, ...Array.from({ length: 19 }, () => 'y'.repeat(1000))]), total: 500 };
    const m = renderBlocks({ tables: [big], visibility: 'private' });
    expect(slackLimitViolations(m)).toEqual([]);
    const text = m.blocks.map((b: any) => b.text?.text ?? '').join('\n');
    const shown = (text.match(/^\*C\d+\*/gm) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(30);
    expect(text).toContain(`showing ${shown} of 500 rows`);
  });

  it('GIVEN 60 tables THEN at most 50 blocks and "showing N of 60 tables"', () => {
    const tables = Array.from({ length: 60 }, (_, i) => ({ title: `T${i}`, columns: [{ label: 'k' }, { label: 'v' }], rows: [['a', String(i)]] }));
    const m = renderBlocks({ title: 'Many', tables, visibility: 'private' });
    expect(slackLimitViolations(m)).toEqual([]);
    expect(JSON.stringify(m)).toMatch(/showing \d+ of 60 tables/);
  });

  it('GIVEN 1,000 fields THEN ten to a section, at most 50 blocks, and "showing N of 1000 fields"', () => {
    const fields = Array.from({ length: 1000 }, (_, i) => ({ label: `Field ${i}`, value: `value ${i}`, inline: true }));
    const m = renderBlocks({ fields, visibility: 'private' });
    expect(slackLimitViolations(m)).toEqual([]);
    expect(JSON.stringify(m)).toMatch(/showing \d+ of 1000 fields/);
  });

  it('GIVEN 60,000 characters of text THEN sections of at most 3,000 and "showing N of 60,000 characters"', () => {
    const text = Array.from({ length: 1200 }, (_, i) => `Line ${i} ${'words '.repeat(8)}`).join('\n').slice(0, 60_000);
    const m = renderBlocks({ text, visibility: 'private' });
    expect(slackLimitViolations(m)).toEqual([]);
    expect(JSON.stringify(m)).toMatch(/showing [\d,]+ of 60,000 characters/);
  });

  it('GIVEN 8,000 characters of text on many lines THEN all of it is shown, in sections, with no note', () => {
    const text = Array.from({ length: 200 }, (_, i) => `Line ${String(i).padStart(3, '0')} ${'w'.repeat(30)}`).join('\n');
    const m = renderBlocks({ text, visibility: 'private' });
    expect(m.blocks.length).toBeGreaterThan(1);
    expect(m.blocks.map((b: any) => b.text.text).join('\n')).toBe(text);
    expect(JSON.stringify(m)).not.toContain('showing');
  });

  it('GIVEN a single 10,000-character line full of characters that need escaping THEN no escape is cut in half', () => {
    const m = renderBlocks({ text: '<&>'.repeat(3400), visibility: 'private' });
    expect(slackLimitViolations(m)).toEqual([]);
    for (const b of m.blocks as any[]) if (b.text?.text) expect(b.text.text).not.toMatch(/&(a|am|g|l|lt|gt|amp)?(?![a-z;])|&[a-z]*…/);
  });

  it('GIVEN 80 buttons, a 200-character label and a command too long for a button value THEN 50 buttons in two blocks, labels cut to 75, the unusable one dropped', () => {
    const buttons = Array.from({ length: 80 }, (_, i) => ({ label: i === 1 ? 'L'.repeat(200) : `B${i}`, action: { kind: 'run' as const, command: i === 0 ? `/customer ${'q'.repeat(3000)}` : `/customer C${i}` } }));
    const m = renderBlocks({ text: 'pick', buttons, visibility: 'private' });
    expect(slackLimitViolations(m)).toEqual([]);
    const actions = m.blocks.filter((b) => b.type === 'actions') as any[];
    expect(actions).toHaveLength(2);
    expect(actions.flatMap((a) => a.elements)).toHaveLength(50);
    expect(actions[0].elements[0].text.text).toHaveLength(75);
    expect(JSON.stringify(m)).toContain('showing 50 of 80 buttons');
  });

  it('GIVEN a 400-character title THEN the header is cut to 150 characters of plain text', () => {
    const m = renderBlocks({ title: `**${'T'.repeat(400)}**`, visibility: 'private' });
    expect((m.blocks[0] as any).text).toMatchObject({ type: 'plain_text' });
    expect((m.blocks[0] as any).text.text).toHaveLength(SLACK_LIMITS.headerText);
  });

  it('GIVEN 300 random replies THEN every one is within the limits', () => {
    const rnd = new Random(20260601);
    const int = (n: number) => Math.floor(rnd.next() * n);
    const str = (n: number) => Array.from({ length: int(n) + 1 }, () => 'aé<&>*`_~ 物\n'[int(13)]).join('');
    for (let k = 0; k < 300; k++) {
      const reply: Reply = { visibility: rnd.next() < 0.5 ? 'private' : 'channel' };
      if (rnd.next() < 0.8) reply.title = str(300);
      if (rnd.next() < 0.7) reply.text = str(int(2) ? 500 : 20_000);
      if (rnd.next() < 0.6) reply.fields = Array.from({ length: int(40) }, () => ({ label: str(40), value: str(int(2) ? 50 : 4000), inline: rnd.next() < 0.8 }));
      if (rnd.next() < 0.6) reply.tables = Array.from({ length: int(4) + 1 }, () => { const cols = int(8) + 1; return { title: str(60), columns: Array.from({ length: cols }, () => ({ label: str(12) })), rows: Array.from({ length: int(200) }, () => Array.from({ length: cols }, () => str(int(3) ? 10 : 300))), total: int(10_000) }; });
      if (rnd.next() < 0.3) reply.chart = { kind: 'line', title: str(80), series: Array.from({ length: int(6) + 1 }, () => ({ name: str(20), points: Array.from({ length: int(60) }, (_, i) => ({ x: `w${i}`, y: rnd.next() < 0.1 ? null : rnd.next() * 200 - 100 })) })) };
      if (rnd.next() < 0.5) reply.buttons = Array.from({ length: int(60) }, (_, i) => ({ label: str(100), action: { kind: 'run' as const, command: `/customer ${i}` } }));
      if (rnd.next() < 0.5) reply.footer = str(2000);
      if (rnd.next() < 0.1) reply.error = { code: 'INTERNAL', message: str(5000), hint: str(3000), incidentId: 'abc' };
      expect(slackLimitViolations(renderBlocks(reply)), `reply ${k}`).toEqual([]);
    }
  });
});

describe('button values', () => {
  it('GIVEN each kind of ButtonAction THEN it survives the trip through a Slack button value', () => {
    for (const a of [{ kind: 'run', command: '/customer C1' }, { kind: 'share', command: '/churn-risk mine' }, { kind: 'feedback-form', customerId: 'C9' }, { kind: 'feedback-form' }] as const) {
      expect(decodeButtonValue(encodeButtonValue(a))).toEqual(a);
    }
  });

  it('GIVEN a value that is not ours THEN it decodes to nothing', () => {
    for (const v of ['', 'nope', '{"kind":"run"}', '{"kind":"delete","command":"/x"}', '[1,2]', 'null', '{"kind":"run","command":"   "}']) {
      expect(decodeButtonValue(v)).toBeUndefined();
    }
  });

  it('GIVEN an action longer than 2,000 characters encoded THEN no value (the button is left out)', () => {
    expect(encodeButtonValue({ kind: 'run', command: 'x'.repeat(2000) })).toBeUndefined();
  });
});
