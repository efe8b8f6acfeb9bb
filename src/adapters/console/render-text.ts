// Reply → plain text for a terminal (and for `pulse ask --format text`). Pure.
import type { Reply, ReplyTable } from '../../core/reply.ts';

const WIDTH = 100;

export function renderText(reply: Reply): string {
  const out: string[] = [];
  if (reply.error) {
    out.push(`✗ ${reply.error.message}`);
    if (reply.error.hint) out.push(...reply.error.hint.split('\n').map((l) => `  ${l}`));
    return stripMarkdown(out.join('\n'));
  }
  if (reply.title) out.push(reply.title, '─'.repeat(Math.min(WIDTH, Math.max(8, reply.title.length))));
  if (reply.text) out.push(reply.text);
  if (reply.fields?.length) {
    const w = Math.min(24, Math.max(...reply.fields.map((f) => f.label.length)));
    for (const f of reply.fields) {
      const [first, ...more] = f.value.split('\n');
      out.push(`${f.label.padEnd(w)}  ${first}`);
      for (const m of more) out.push(`${' '.repeat(w)}  ${m}`);
    }
  }
  for (const t of reply.tables ?? []) out.push('', ...renderTable(t));
  if (reply.chart) {
    out.push('', `${reply.chart.title}:`);
    for (const s of reply.chart.series) out.push(`  ${s.name}: ${s.points.map((p) => `${p.x}=${p.y === null ? '–' : round(p.y)}`).join('  ')}`);
  }
  if (reply.buttons?.length) {
    out.push('', reply.buttons.map((b) => (b.action.kind === 'run' ? `[${b.label}: ${b.action.command}]` : `[${b.label}]`)).join('  '));
  }
  if (reply.footer) out.push('', reply.footer);
  return stripMarkdown(out.join('\n'));
}

function renderTable(t: ReplyTable): string[] {
  const lines: string[] = [];
  if (t.title) lines.push(t.title);
  const widths = t.columns.map((c, i) => Math.min(40, Math.max(c.label.length, ...t.rows.map((r) => (r[i] ?? '').length))));
  const cell = (v: string, i: number) => {
    const w = widths[i]!;
    const s = v.length > w ? v.slice(0, w - 1) + '…' : v;
    return t.columns[i]!.align === 'right' ? s.padStart(w) : s.padEnd(w);
  };
  lines.push(t.columns.map((c, i) => cell(c.label, i)).join('  ').trimEnd());
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of t.rows) lines.push(t.columns.map((_, i) => cell(r[i] ?? '', i)).join('  ').trimEnd());
  if (t.total !== undefined && t.total > t.rows.length) lines.push(`(showing ${t.rows.length} of ${t.total})`);
  return lines;
}

function round(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, '');
}

function stripMarkdown(s: string): string {
  return s.replace(/\*\*(.+?)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1');
}
