// Reply → Slack Block Kit message. Pure: same Reply, same JSON.
//
// Every message stays inside Slack's limits (SLACK_LIMITS): what does not fit is cut and a
// "showing N of M …" note says so. Layout, top to bottom: header (title), the text, fields (two
// columns; a field marked not inline gets a section of its own), tables (see render-table.ts),
// the chart as text bars in a code block (Block Kit has no charts without an image host), a note
// about anything cut, the buttons, and the footer as small print. An error reply is a warning
// line in bold, its hint, and the incident id to quote. The top-level `text` (notifications,
// screen readers) is always set.
import type { types } from '@slack/bolt';
import type { Reply, ReplyButton, ReplyChart, ReplyField } from '../../core/reply.ts';
import { encodeButtonValue, BUTTON_ACTION_PREFIX } from './button-value.ts';
import { SLACK_LAYOUT, SLACK_LIMITS } from './limits.ts';
import { clipWidth, cut, displayWidth, escapeMrkdwn, fitConverted, padWidth, toMrkdwn, toPlain } from './mrkdwn.ts';
import { renderTable } from './render-table.ts';

type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;

export interface SlackMessage {
  /** Notification and fallback text, ≤ SLACK_LIMITS.notificationText. */
  text: string;
  blocks: KnownBlock[];
}

/**
 * Text across all blocks of one message. Slack rejects messages near 12,000 characters of block
 * text with `msg_blocks_too_long` although no single block limit is exceeded (bolt-js #2509, #2867).
 */
export const MESSAGE_TEXT_BUDGET = 10_000;

/** What a later part of the message is guaranteed, so a long text cannot crowd out a table. */
const PART_MIN_BLOCKS = 1;
const PART_MIN_CHARS = 1_200;
const TEXT_MAX_SECTIONS = 4;

export function renderBlocks(reply: Reply): SlackMessage {
  const notes: string[] = [];
  const tail = [...buttonBlocks(reply.buttons ?? [], notes), ...footerBlocks(reply.footer)];
  // One block is kept back for the note about what was cut.
  const body = new Budget(SLACK_LIMITS.blocksPerMessage - tail.length - 1, MESSAGE_TEXT_BUDGET - textLength(tail) - 300);

  if (reply.title) {
    const text = cut(toPlain(reply.title).replace(/\s+/g, ' ').trim(), SLACK_LIMITS.headerText);
    if (text) body.add({ type: 'header', text: { type: 'plain_text', text, emoji: true } });
  }
  if (reply.error) {
    errorBlocks(reply.error, body);
  } else {
    const parts: ((share: Share) => void)[] = [];
    if (reply.text?.trim()) parts.push((s) => textBlocks(reply.text!, body, s, notes));
    if (reply.fields?.length) parts.push((s) => fieldBlocks(reply.fields!, body, s, notes));
    const tables = reply.tables ?? [];
    let tablesShown = 0;
    tables.forEach((t, i) => parts.push((s) => {
      const r = renderTable(t, { sections: s.blocks, chars: s.chars });
      for (const text of r.texts) body.add(section(text));
      if (r.texts.length > 0) tablesShown++;
      if (i === tables.length - 1 && tablesShown < tables.length) notes.push(`showing ${tablesShown} of ${tables.length} tables`);
    }));
    if (reply.chart) parts.push((s) => chartBlocks(reply.chart!, body, s, notes));
    parts.forEach((part, i) => part(body.share(parts.length - i - 1)));
  }
  if (body.blocks.length === 0) body.add(section(fitConverted(fallbackText(reply), SLACK_LIMITS.sectionText, toMrkdwn)));
  const noteBlocks: KnownBlock[] = notes.length
    ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: cut(`_${escapeMrkdwn(notes.join(' · '))}_`, SLACK_LIMITS.sectionText) }] }]
    : [];
  return { text: notificationText(reply), blocks: [...body.blocks, ...noteBlocks, ...tail] };
}

/** `pulse ask --format slack`: the message as JSON. */
export function renderSlackJson(reply: Reply): string {
  return JSON.stringify(renderBlocks(reply), null, 2);
}

export function notificationText(reply: Reply): string {
  const text = reply.error ? `⚠️ ${reply.error.message.trim() || 'Something went wrong.'}` : fallbackText(reply);
  const out = fitConverted(text.replace(/\s+/g, ' ').trim(), SLACK_LIMITS.notificationText, toMrkdwn);
  return out.trim() ? out : 'Pulse';
}

function fallbackText(reply: Reply): string {
  const firstLines = reply.text?.split('\n').filter((l) => l.trim()).slice(0, 3).join(' ');
  const fields = reply.fields?.filter((f) => !f.pii).slice(0, 4).map((f) => `${f.label}: ${f.value}`).join(', ');
  const parts = [reply.title, firstLines || fields || reply.tables?.[0]?.title || reply.chart?.title].filter((p): p is string => Boolean(p && p.trim()));
  return parts.length ? parts.join(' — ') : 'Pulse';
}

interface Share {
  blocks: number;
  chars: number;
}

class Budget {
  readonly blocks: KnownBlock[] = [];
  constructor(
    private blocksLeft: number,
    private charsLeft: number,
  ) {}

  fits(blocks: number, chars: number): boolean {
    return this.blocksLeft >= blocks && this.charsLeft >= chars;
  }

  add(block: KnownBlock): void {
    this.blocks.push(block);
    this.blocksLeft -= 1;
    this.charsLeft -= textLength([block]);
  }

  /** What the next part may use, keeping a minimum back for each of the `later` parts. */
  share(later: number): Share {
    return {
      blocks: Math.max(0, this.blocksLeft - Math.min(later * PART_MIN_BLOCKS, Math.floor(this.blocksLeft / 2))),
      chars: Math.max(0, this.charsLeft - Math.min(later * PART_MIN_CHARS, Math.floor(this.charsLeft / 2))),
    };
  }
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function errorBlocks(error: NonNullable<Reply['error']>, body: Budget): void {
  const message = fitConverted(error.message.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim() || 'Something went wrong.', 1_000, toMrkdwn);
  const hint = error.hint?.trim() ? `\n${fitConverted(error.hint.trim(), 1_900, toMrkdwn)}` : '';
  body.add(section(`:warning: *${message}*${hint}`));
  if (error.incidentId) {
    body.add({ type: 'context', elements: [{ type: 'mrkdwn', text: `Incident \`${escapeMrkdwn(cut(error.incidentId, 100))}\` — quote it when you ask for help.` }] });
  }
}

/** Splits the text at line ends into sections; a line longer than a section is cut into pieces. */
function textBlocks(text: string, body: Budget, share: Share, notes: string[]): void {
  const chunks = chunkLines(text, SLACK_LIMITS.sectionText);
  let used = 0;
  let shownChars = 0;
  let complete = true;
  for (const [i, chunk] of chunks.entries()) {
    const room = Math.min(share.chars - used, SLACK_LIMITS.sectionText);
    if (i >= Math.min(TEXT_MAX_SECTIONS, share.blocks) || room < 200 || !body.fits(1, 200)) {
      complete = false;
      break;
    }
    const whole = chunk.converted.length <= room;
    const out = whole ? chunk.converted : fitConverted(chunk.raw, room, toMrkdwn);
    body.add(section(out));
    used += out.length;
    shownChars += whole ? chunk.raw.length + 1 : Math.round(chunk.raw.length * (out.length / chunk.converted.length));
    if (!whole) {
      complete = false;
      break;
    }
  }
  if (!complete) notes.push(`showing ${fmt(Math.min(shownChars, text.length - 1))} of ${fmt(text.length)} characters of text`);
}

function chunkLines(text: string, max: number): { raw: string; converted: string }[] {
  const out: { raw: string; converted: string }[] = [];
  let raw: string[] = [];
  let conv: string[] = [];
  let size = 0;
  const flush = () => {
    if (raw.length) out.push({ raw: raw.join('\n'), converted: conv.join('\n') });
    raw = [];
    conv = [];
    size = 0;
  };
  for (let line of text.split('\n')) {
    let c = toMrkdwn(line);
    while (c.length > max) {
      flush();
      const n = longestPrefix(line, max);
      out.push({ raw: line.slice(0, n), converted: toMrkdwn(line.slice(0, n)) });
      line = line.slice(n);
      c = toMrkdwn(line);
    }
    if (size + c.length + 1 > max) flush();
    raw.push(line);
    conv.push(c);
    size += c.length + 1;
  }
  flush();
  return out.filter((c) => c.converted.trim() !== '');
}

/** The longest prefix of `line` whose mrkdwn fits `max` (at least one character). */
function longestPrefix(line: string, max: number): number {
  let lo = 1;
  let hi = line.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (toMrkdwn(line.slice(0, mid)).length <= max) lo = mid;
    else hi = mid - 1;
  }
  const code = line.charCodeAt(lo - 1);
  return code >= 0xd800 && code <= 0xdbff && lo > 1 ? lo - 1 : lo;
}

function fieldText(f: ReplyField, max: number): string {
  const label = `*${escapeMrkdwn(toPlain(f.label).replace(/\*/g, ''))}*`;
  const value = f.value.trim() === '' ? '—' : f.value;
  return `${label}\n${fitConverted(value, Math.max(1, max - label.length - 1), toMrkdwn)}`;
}

/** Inline fields share sections (ten at most); a field that is not inline gets its own section. */
function fieldBlocks(fields: ReplyField[], body: Budget, share: Share, notes: string[]): void {
  let shown = 0;
  let used = 0;
  let blocks = 0;
  let i = 0;
  while (i < fields.length) {
    if (blocks >= share.blocks) break;
    const f = fields[i]!;
    if (f.inline === false) {
      const text = fieldText(f, Math.min(SLACK_LIMITS.sectionText, share.chars - used));
      if (used + text.length > share.chars || !body.fits(1, text.length)) break;
      body.add(section(text));
      used += text.length;
      blocks++;
      shown++;
      i++;
      continue;
    }
    const group: string[] = [];
    let groupChars = 0;
    while (i < fields.length && fields[i]!.inline !== false && group.length < SLACK_LIMITS.fieldsPerSection) {
      const text = fieldText(fields[i]!, SLACK_LIMITS.fieldText);
      if (used + groupChars + text.length > share.chars) break;
      group.push(text);
      groupChars += text.length;
      i++;
    }
    if (group.length === 0 || !body.fits(1, groupChars)) break;
    body.add({ type: 'section', fields: group.map((text) => ({ type: 'mrkdwn', text })) });
    used += groupChars;
    blocks++;
    shown += group.length;
  }
  if (shown < fields.length) notes.push(`showing ${shown} of ${fields.length} fields`);
}

/** A chart as horizontal text bars: one line per point, the most recent points. */
function chartBlocks(chart: ReplyChart, body: Budget, share: Share, notes: string[]): void {
  const lines: string[] = [];
  const series = chart.series.slice(0, 4);
  let cutPoints = '';
  for (const s of series) {
    const points = s.points.slice(-SLACK_LAYOUT.chartPoints);
    if (points.length < s.points.length) cutPoints = `showing the last ${points.length} of ${s.points.length} points`;
    // Bars start at zero, or at the lowest value when some are negative (NPS): longer is better.
    const ys = points.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y));
    const lo = Math.min(0, ...ys);
    const span = Math.max(0, ...ys) - lo;
    const xw = Math.min(10, Math.max(1, ...points.map((p) => displayWidth(p.x))));
    const values = points.map((p) => (p.y === null || !Number.isFinite(p.y) ? '–' : round(p.y)));
    const vw = Math.max(...values.map((v) => v.length), 1);
    if (series.length > 1) lines.push(s.name);
    points.forEach((p, k) => {
      const len = p.y === null || !Number.isFinite(p.y) || span === 0 ? 0 : ((p.y - lo) / span) * SLACK_LAYOUT.chartBarWidth;
      const bar = '█'.repeat(Math.floor(len)) + (len > 0 && len < 1 ? '▏' : '');
      lines.push(`${padWidth(clipWidth(p.x.replace(/\s+/g, ' '), xw), xw)}  ${padWidth(values[k]!, vw, 'right')} ${bar}`.trimEnd());
    });
  }
  const axis = [chart.yLabel, chart.xLabel ? `by ${chart.xLabel}` : ''].filter(Boolean).join(' ');
  const head = `*${escapeMrkdwn(toPlain(chart.title).replace(/\*/g, ''))}*${axis ? ` _(${escapeMrkdwn(axis)})_` : ''}`;
  const code = lines.map((l) => escapeMrkdwn(l.replace(/```/g, "'''"))).join('\n');
  const text = `${cut(head, 300)}\n\`\`\`\n${code || '(no data)'}\n\`\`\`${cutPoints ? `\n_${cutPoints}_` : ''}`;
  if (share.blocks < 1 || text.length > Math.min(share.chars, SLACK_LIMITS.sectionText) || !body.fits(1, text.length)) {
    notes.push(`the chart “${chart.title}” did not fit`);
    return;
  }
  body.add(section(text));
  if (chart.series.length > series.length) notes.push(`showing ${series.length} of ${chart.series.length} chart series`);
}

function buttonBlocks(buttons: ReplyButton[], notes: string[]): KnownBlock[] {
  const elements: types.Button[] = [];
  const max = SLACK_LAYOUT.actionsBlocks * SLACK_LIMITS.elementsPerActions;
  buttons.forEach((b, i) => {
    const value = encodeButtonValue(b.action);
    const text = cut(toPlain(b.label).replace(/\s+/g, ' ').trim(), SLACK_LIMITS.buttonText);
    if (value === undefined || !text || elements.length >= max) return;
    const button: types.Button = { type: 'button', action_id: `${BUTTON_ACTION_PREFIX}${i}`, text: { type: 'plain_text', text, emoji: true }, value };
    if (b.style) button.style = b.style;
    elements.push(button);
  });
  if (elements.length < buttons.length) notes.push(`showing ${elements.length} of ${buttons.length} buttons`);
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < elements.length; i += SLACK_LIMITS.elementsPerActions) {
    blocks.push({ type: 'actions', elements: elements.slice(i, i + SLACK_LIMITS.elementsPerActions) });
  }
  return blocks;
}

function footerBlocks(footer: string | undefined): KnownBlock[] {
  if (!footer?.trim()) return [];
  return [{ type: 'context', elements: [{ type: 'mrkdwn', text: fitConverted(footer, 1000, toMrkdwn) }] }];
}

/** Characters of text a list of blocks carries (what Slack's cumulative limit counts). */
export function textLength(blocks: readonly KnownBlock[]): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (typeof v === 'string') return;
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') n += x.length;
        else walk(x);
      }
    }
  };
  walk(blocks);
  return n;
}

function round(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, '');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
