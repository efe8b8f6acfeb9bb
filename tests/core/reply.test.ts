import { describe, expect, it } from 'vitest';
import { HIDDEN, scrubPersonalData, withoutPersonalData, type Reply } from '../../src/core/reply.ts';
import { HOSTILE_CORPUS } from '../helpers/hostile-corpus.ts';

/** What looks like numbers but is not personal data: must come through unchanged. */
const HARMLESS: readonly string[] = [
  'Last order 2026-11-16 (7 days ago), $1,234.50',
  '2026-11-16T09:00:00Z',
  'week 2026-11-16 – 2026-11-22',
  '2024-2026',
  '16.11.2026',
  '11/16/2026 08:26',
  '$1,234,567.89',
  'C00007',
  'order 536365',
  'UCI 17850.0',
  'CSAT 4.2 (n 120, 95% CI 3.9–4.4)',
  'no purchase for 142 days, 3.1× this customer’s usual gap',
  'meet at noon',
  '<@U0123ABC> and <@400000000000000004>',
  'ts 1700000001.000100',
  'Top 10 · 12.5% · 09:00–17:00',
];

describe('scrubPersonalData: the hostile corpus', () => {
  it.each(HOSTILE_CORPUS)('GIVEN %j inside a sentence THEN nothing of it is left', (form) => {
    const out = scrubPersonalData(`Call Ann on ${form} today.`);
    expect(out).toContain(HIDDEN);
    expect(out.startsWith('Call Ann on ')).toBe(true);
    expect(out.endsWith(' today.')).toBe(true);
    // No run of four digits and no at-sign survives.
    expect(out).not.toMatch(/\p{Nd}{4}|[@＠]|%40|&#64;/u);
    expect(out).not.toMatch(/acme|例子/);
  });

  it.each(HARMLESS)('GIVEN %j THEN it is left alone', (text) => {
    expect(scrubPersonalData(text)).toBe(text);
  });
});

describe('scrubPersonalData: text cut short for display', () => {
  it.each([
    ['“late again, call me on 555-01…”', '“late again, call me on [hidden]”'],
    ['reach ann.smith+tag…', 'reach [hidden]'],
    ['reach first_last…', 'reach [hidden]'],
    ['mail ann@ac…', 'mail [hidden]'],
    ['write ann at acme d…', 'write [hidden]'],
    ['ring +44 20 79…', 'ring [hidden]'],
  ])('GIVEN %j THEN the fragment before the cut is hidden', (text, out) => {
    expect(scrubPersonalData(text)).toBe(out);
  });

  it.each(['Late again, call…', 'in 2026…', 'score 4.2…', 'hello world…', 'and so on...'])('GIVEN %j THEN it is left alone', (text) => {
    expect(scrubPersonalData(text)).toBe(text);
  });
});

describe('withoutPersonalData', () => {
  it('GIVEN a card with PII fields and columns THEN the shared version drops them and its buttons', () => {
    const shared = withoutPersonalData({
      title: 'Ann',
      fields: [
        { label: 'Email', value: 'ann@acme.com', pii: true },
        { label: 'Owner', value: 'Maya' },
      ],
      tables: [{ columns: [{ label: 'Name' }, { label: 'Email', pii: true }], rows: [['Ann', 'ann@acme.com']] }],
      buttons: [{ label: 'Share', action: { kind: 'share', command: '/customer C1' } }],
      visibility: 'private',
    });
    expect(shared.visibility).toBe('channel');
    expect(shared.fields).toEqual([{ label: 'Owner', value: 'Maya' }]);
    expect(shared.tables![0]!.rows).toEqual([['Ann']]);
    expect(shared.buttons).toBeUndefined();
  });

  it('GIVEN personal data in every place a reply has text THEN none of it is left anywhere: title, text, fields, tables, chart, footer', () => {
    const [a, b, c, d, e, f, g, h] = HOSTILE_CORPUS.filter((_, i) => i % 4 === 0);
    const reply: Reply = {
      title: `Ann Lee <${a}>`,
      text: `Reach her at ${b}`,
      fields: [{ label: `Owner ${c}`, value: `Maya (${d})` }],
      tables: [{ title: `Contacts ${e}`, columns: [{ label: 'Who' }, { label: `Phone ${f}` }], rows: [[`Ann ${g}`, 'x']] }],
      chart: {
        kind: 'bar',
        title: `Value by owner ${h}`,
        xLabel: `owner ${a}`,
        yLabel: `$ ${b}`,
        series: [{ name: `series ${c}`, points: [{ x: `maya ${d}`, y: 1 }] }],
      },
      footer: `Questions: ${e}`,
      visibility: 'channel',
    };
    const json = JSON.stringify(withoutPersonalData(reply));
    for (const form of [a, b, c, d, e, f, g, h]) expect(json).not.toContain(form);
    expect(json).not.toMatch(/\p{Nd}{4}|[@＠]|%40/u);
    expect(json).toContain('Value by owner');
  });
});
