// A ReplyTable as section texts that read on a phone. Pure.
//
// Narrow tables (every row fits SLACK_LAYOUT.codeTableWidth monospace columns) become an aligned
// code block: columns line up on any screen without wrapping. Wider tables would wrap in a code
// block and lose their columns on a phone, so they become a list instead: an italic line naming
// the columns, then one line per row with the first cell in bold and the rest separated by " · ".
// Either way at most SLACK_LAYOUT.tableRows rows are shown, followed by "showing N of M rows".
import type { ReplyTable } from '../../core/reply.ts';
import { SLACK_LAYOUT, SLACK_LIMITS } from './limits.ts';
import { clipWidth, codeCell, cut, displayWidth, escapeMrkdwn, fitConverted, padWidth, toMrkdwn } from './mrkdwn.ts';

export interface RenderedTable {
  /** Section texts, each within SLACK_LIMITS.sectionText. */
  texts: string[];
  shown: number;
  total: number;
  style: 'code' | 'list';
}

/** Room kept at the end of every section for the "showing N of M rows" line. */
const NOTE_ROOM = 80;

/** At most `room.sections` sections carrying at most `room.chars` characters in all. */
export function renderTable(table: ReplyTable, room: { sections: number; chars: number }): RenderedTable {
  const total = Math.max(table.total ?? table.rows.length, table.rows.length);
  const rows = table.rows.slice(0, SLACK_LAYOUT.tableRows);
  const style = fitsCodeBlock(table, rows) ? 'code' : 'list';
  const none: RenderedTable = { texts: [], shown: 0, total, style };
  if (room.sections < 1 || room.chars < NOTE_ROOM * 2) return none;
  const head = table.title ? `*${fitConverted(table.title.replace(/\*/g, ''), 200, toMrkdwn)}*` : '';
  if (rows.length === 0) return { texts: [`${head ? `${head}\n` : ''}_no rows_`], shown: 0, total, style };
  const { heading, lines } = style === 'code' ? codeLines(table, rows) : listLines(table, rows);

  // Only the first section carries the title and the column heading.
  const wrap = (ls: string[], first: boolean) => {
    const body = style === 'code' ? '```\n' + ls.join('\n') + '\n```' : ls.join('\n');
    return first && head ? `${head}\n${body}` : body;
  };
  const sections: string[][] = [];
  let current = [...heading];
  const length = () => [...sections, current].reduce((n, ls, i) => n + wrap(ls, i === 0).length, 0);
  let shown = 0;
  for (const line of lines) {
    if (wrap([...current, line], sections.length === 0).length + NOTE_ROOM > SLACK_LIMITS.sectionText) {
      if (sections.length + 2 > room.sections) break;
      sections.push(current);
      current = [];
    }
    current.push(line);
    if (length() + NOTE_ROOM > room.chars) {
      current.pop();
      break;
    }
    shown++;
  }
  if (shown === 0) return none;
  if (current.length > 0) sections.push(current);
  const texts = sections.map((ls, i) => wrap(ls, i === 0));
  if (shown < total) texts[texts.length - 1] += `\n_showing ${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows_`;
  return { texts, shown, total, style };
}

function cells(table: ReplyTable, row: readonly string[]): string[] {
  return table.columns.map((_, i) => codeCell(row[i] ?? ''));
}

function fitsCodeBlock(table: ReplyTable, rows: readonly (readonly string[])[]): boolean {
  const widths = columnWidths(table, rows);
  return widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1) <= SLACK_LAYOUT.codeTableWidth;
}

function columnWidths(table: ReplyTable, rows: readonly (readonly string[])[]): number[] {
  return table.columns.map((c, i) => Math.max(displayWidth(codeCell(c.label)), ...rows.map((r) => displayWidth(codeCell(r[i] ?? '')))));
}

interface Lines {
  heading: string[];
  lines: string[];
}

function codeLines(table: ReplyTable, rows: readonly (readonly string[])[]): Lines {
  const widths = columnWidths(table, rows);
  const line = (vals: string[]) =>
    escapeMrkdwn(vals.map((v, i) => padWidth(clipWidth(v, widths[i]!), widths[i]!, table.columns[i]!.align ?? 'left')).join('  ').trimEnd());
  return {
    heading: [line(table.columns.map((c) => codeCell(c.label))), widths.map((w) => '─'.repeat(w)).join('  ')],
    lines: rows.map((r) => line(cells(table, r))),
  };
}

function listLines(table: ReplyTable, rows: readonly (readonly string[])[]): Lines {
  const heading = `_${table.columns.map((c) => escapeMrkdwn(c.label.replace(/_/g, ' '))).join(' · ')}_`;
  // Many columns share one line: keep every line well inside a section.
  const max = Math.min(SLACK_LAYOUT.listCellChars, Math.floor(2000 / Math.max(1, table.columns.length)));
  const cell = (v: string) => (v.trim() === '' ? '—' : toMrkdwn(cut(v.replace(/\s+/g, ' ').trim(), max)));
  return {
    heading: [heading],
    lines: rows.map((r) => {
      const [first, ...rest] = table.columns.map((_, i) => r[i] ?? '');
      const lead = (first ?? '').trim() === '' ? '—' : `*${cell(first!).replace(/\*/g, '')}*`;
      return [lead, ...rest.map(cell)].join(' · ');
    }),
  };
}
