// Reply → Discord message (embeds + components). Pure. Everything is cut to Discord's limits with a
// "showing N of M" note: fields beyond 25 or the shared 6,000 characters, table rows beyond what a
// description holds, tables beyond 10 embeds, buttons beyond 5 rows. Tables become code blocks
// (Discord has no table); several "run" buttons (pick one of these customers) become a select menu.
import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIComponentInMessageActionRow, APIEmbed, APIEmbedField, APISelectMenuOption } from 'discord.js';
import type { ButtonAction, Reply, ReplyButton, ReplyChart, ReplyTable } from '../../core/reply.ts';
import { encodeAction, PICK_MENU_ID } from './custom-ids.ts';
import { clip, DISCORD_LIMITS as L, embedChars, nonEmpty, type DiscordMessage } from './limits.ts';

export const COLOR = Object.freeze({ answer: 0x3b82f6, error: 0xe5484d });
/** Widest table cell in a code block; wider cells end in `…` (Discord wraps long lines badly). */
export const TABLE_CELL_WIDTH = 24;
/** Points of a chart series drawn as a sparkline. */
export const SPARKLINE_POINTS = 40;
/** Characters kept back for the footer and the "showing N of M" notes. */
const FOOTER_RESERVE = 240;

const EPHEMERAL = 1 << 6;
const COMPONENT = { actionRow: 1, button: 2, stringSelect: 3 } as const;
const BUTTON_STYLE = { primary: 1, secondary: 2, danger: 4 } as const;

export interface RenderOptions {
  /** The custom_id for an action; by default the action encoded, and a button whose action does not fit is left out. */
  idFor?: (action: ButtonAction) => string | undefined;
  /** File name of a chart image attached to the message (`chart.png`), shown in the chart's embed. */
  chartImage?: string;
}

export function renderDiscord(reply: Reply, options: RenderOptions = {}): DiscordMessage {
  if (reply.error) return { embeds: [errorEmbed(reply.error)], components: [] };
  const notes: string[] = [];
  const components = renderComponents(reply.buttons ?? [], options.idFor ?? encodeAction, notes);
  const footerText = reply.footer ? clip(reply.footer, L.footerText - FOOTER_RESERVE) : '';
  const budget = { left: L.embedsTotal - footerText.length - FOOTER_RESERVE };
  const embeds: APIEmbed[] = [];

  const main: APIEmbed = { color: COLOR.answer };
  if (reply.title) main.title = clip(reply.title, L.embedTitle);
  if (reply.text) main.description = clip(reply.text, Math.min(L.embedDescription, budget.left - (main.title?.length ?? 0)));
  budget.left -= embedChars(main);
  const fields = reply.fields ?? [];
  if (fields.length) {
    const out: APIEmbedField[] = [];
    for (const f of fields) {
      if (out.length === L.fieldsPerEmbed) break;
      const name = nonEmpty(clip(f.label, L.fieldName));
      const value = nonEmpty(clip(f.value, L.fieldValue), '—');
      if (name.length + value.length > budget.left) break;
      budget.left -= name.length + value.length;
      out.push({ name, value, inline: f.inline ?? false });
    }
    main.fields = out;
    if (out.length < fields.length) notes.push(`showing ${out.length} of ${fields.length} fields`);
  }
  embeds.push(main);

  const tables = reply.tables ?? [];
  let tablesShown = 0;
  for (const t of tables) {
    // While the first embed has no fields, whole tables read best right under its text.
    const host = embeds[embeds.length - 1]!;
    if (!host.fields?.length) {
      const whole = tableText(t, Infinity);
      const joined = host.description ? `${host.description}\n\n${whole.text}` : whole.text;
      const grows = joined.length - (host.description?.length ?? 0);
      if (whole.shownAll && joined.length <= L.embedDescription && grows <= budget.left) {
        host.description = joined;
        budget.left -= grows;
        tablesShown++;
        continue;
      }
    }
    if (embeds.length === L.embedsPerMessage) break;
    const embed: APIEmbed = { color: COLOR.answer };
    if (t.title) embed.title = clip(t.title, L.embedTitle);
    const room = Math.min(L.embedDescription, budget.left - (embed.title?.length ?? 0));
    const body = tableText(t, room, false);
    if (body.text === '' || (body.rows === 0 && t.rows.length > 0)) break;
    embed.description = body.text;
    budget.left -= embedChars(embed);
    embeds.push(embed);
    tablesShown++;
  }
  if (tablesShown < tables.length) notes.push(`showing ${tablesShown} of ${tables.length} tables`);

  if (reply.chart) {
    const chartEmbed: APIEmbed = { color: COLOR.answer, title: clip(reply.chart.title, L.embedTitle) };
    const text = chartText(reply.chart);
    const room = Math.min(L.embedDescription, budget.left - chartEmbed.title!.length);
    if (room > 40 && embeds.length < L.embedsPerMessage) {
      chartEmbed.description = clipCodeBlock(text, room);
      if (options.chartImage) chartEmbed.image = { url: `attachment://${options.chartImage}` };
      budget.left -= embedChars(chartEmbed);
      embeds.push(chartEmbed);
    } else notes.push('chart left out');
  }

  if (embeds.length > 1 && !main.title && !main.description && !main.fields?.length) embeds.shift();
  if (!embeds[0]!.title && !embeds[0]!.description && !embeds[0]!.fields?.length) embeds[0]!.description = 'Done.';
  const footer = [footerText, ...notes].filter(Boolean).join(' · ');
  if (footer) embeds[embeds.length - 1]!.footer = { text: clip(footer, L.footerText) };
  return { embeds, components };
}

/** The interaction/message payload as Discord receives it, for `pulse ask --format discord`. */
export function renderDiscordJson(reply: Reply): string {
  const message = renderDiscord(reply);
  const payload = { ...(reply.visibility === 'private' ? { flags: EPHEMERAL } : {}), ...message, allowed_mentions: { parse: [] } };
  return JSON.stringify(payload, null, 2);
}

function errorEmbed(error: NonNullable<Reply['error']>): APIEmbed {
  const text = [`✗ ${error.message}`, ...(error.hint ? ['', error.hint] : [])].join('\n');
  const embed: APIEmbed = { color: COLOR.error, description: clip(text, L.embedDescription) };
  if (error.incidentId) embed.footer = { text: `Incident ${error.incidentId}` };
  return embed;
}

function renderComponents(buttons: readonly ReplyButton[], idFor: (a: ButtonAction) => string | undefined, notes: string[]): DiscordMessage['components'] {
  const seen = new Set<string>();
  const usable: { button: ReplyButton; id: string }[] = [];
  for (const button of buttons) {
    const id = idFor(button.action);
    if (!id || id.length > L.customId || seen.has(id)) continue;
    seen.add(id);
    usable.push({ button, id });
  }
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  const runs = usable.filter((u) => u.button.action.kind === 'run' && !u.button.standalone);
  let rest = usable;
  if (runs.length >= 2) {
    const picks = runs.slice(0, L.selectOptions);
    const options: APISelectMenuOption[] = picks.map(({ button, id }) => {
      const option: APISelectMenuOption = { label: nonEmpty(clip(button.label, L.selectOptionLabel), 'choice'), value: id };
      if (button.action.kind === 'run') option.description = clip(button.action.command, L.selectOptionDescription);
      return option;
    });
    rows.push({ type: COMPONENT.actionRow, components: [{ type: COMPONENT.stringSelect, custom_id: PICK_MENU_ID, placeholder: 'Pick one…', options, min_values: 1, max_values: 1 }] });
    rest = usable.filter((u) => !runs.includes(u));
    if (runs.length > picks.length) notes.push(`showing ${picks.length} of ${runs.length} choices`);
  }
  let placed = 0;
  for (let i = 0; i < rest.length && rows.length < L.actionRows; i += L.buttonsPerRow) {
    const row = rest.slice(i, i + L.buttonsPerRow).map(({ button, id }): APIButtonComponentWithCustomId => ({
      type: COMPONENT.button,
      style: button.style ? BUTTON_STYLE[button.style] : button.action.kind === 'share' ? BUTTON_STYLE.primary : BUTTON_STYLE.secondary,
      label: nonEmpty(clip(button.label, L.buttonLabel), 'Open'),
      custom_id: id,
    }));
    rows.push({ type: COMPONENT.actionRow, components: row });
    placed += row.length;
  }
  if (placed < rest.length) notes.push(`showing ${placed} of ${rest.length} buttons`);
  return rows;
}

interface TableText {
  text: string;
  rows: number;
  shownAll: boolean;
}

/** A table as a code block of at most `max` characters; `withTitle` puts the title above it in bold. */
function tableText(t: ReplyTable, max: number, withTitle = true): TableText {
  const cells = (r: readonly string[]) => t.columns.map((_, i) => cellText(r[i] ?? ''));
  const body = t.rows.map(cells);
  const widths = t.columns.map((c, i) => Math.min(TABLE_CELL_WIDTH, Math.max(cellText(c.label).length, ...body.map((r) => r[i]!.length))));
  const line = (r: string[]) =>
    r
      .map((v, i) => {
        const s = v.length > widths[i]! ? clip(v, widths[i]!) : v;
        return t.columns[i]!.align === 'right' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  const head = [line(t.columns.map((c) => cellText(c.label))), widths.map((w) => '─'.repeat(w)).join('  ')];
  const title = withTitle && t.title ? `**${clip(t.title, 200)}**\n` : '';
  const total = Math.max(t.total ?? t.rows.length, t.rows.length);
  const note = (shown: number) => (shown < total ? `\n*showing ${shown} of ${total}*` : '');
  const build = (shown: number, lines: string[]) => `${title}\`\`\`\n${[...head, ...lines].join('\n')}\n\`\`\`${note(shown)}`;
  const lines: string[] = [];
  const fixed = build(0, []).length + `\n*showing ${total} of ${total}*`.length;
  if (fixed > max) return { text: '', rows: 0, shownAll: t.rows.length === 0 };
  let used = fixed;
  for (const r of body) {
    const l = line(r);
    if (used + l.length + 1 > max) break;
    used += l.length + 1;
    lines.push(l);
  }
  if (body.length === 0) lines.push('(none)');
  const shown = body.length === 0 ? 0 : lines.length;
  return { text: build(shown, lines), rows: shown, shownAll: shown === total };
}

function cellText(v: string): string {
  return v.replace(/[\r\n\t]+/g, ' ').replace(/`/g, 'ˋ');
}

const BARS = '▁▂▃▄▅▆▇█';

/** A chart as text: one sparkline per series with its first and last values. */
function chartText(chart: ReplyChart): string {
  const lines: string[] = [];
  const xs = chart.series[0]?.points ?? [];
  if (xs.length) lines.push(`${chart.xLabel ?? 'x'}: ${cellText(xs[0]!.x)} … ${cellText(xs[xs.length - 1]!.x)}`);
  const nameWidth = Math.min(16, Math.max(0, ...chart.series.map((s) => cellText(s.name).length)));
  for (const s of chart.series.slice(0, 10)) {
    const pts = s.points.slice(-SPARKLINE_POINTS);
    const ys = pts.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y));
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const spark = pts.map((p) => (p.y === null || !Number.isFinite(p.y) ? ' ' : BARS[hi === lo ? 3 : Math.round(((p.y - lo) / (hi - lo)) * (BARS.length - 1))])).join('');
    const ends = ys.length ? `${round(ys[0]!)} → ${round(ys[ys.length - 1]!)}` : 'no data';
    lines.push(`${clip(cellText(s.name), nameWidth).padEnd(nameWidth)}  ${spark}  ${ends}`);
  }
  if (chart.series.length > 10) lines.push(`(showing 10 of ${chart.series.length} series)`);
  return lines.join('\n');
}

function clipCodeBlock(text: string, max: number): string {
  const inner = max - 8;
  return `\`\`\`\n${text.length > inner ? clip(text, inner) : text}\n\`\`\``;
}

function round(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, '');
}
