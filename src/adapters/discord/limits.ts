// Discord's message, component and command limits as named constants, the clipping helpers that
// respect them, and a checker that lists every limit a payload breaks (tests and debug logs use it).
// Lengths are counted in UTF-16 units, which never undercounts Discord's own (code point) count.
import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord.js';

export const DISCORD_LIMITS = Object.freeze({
  content: 2000,
  embedsPerMessage: 10,
  fieldsPerEmbed: 25,
  embedTitle: 256,
  embedDescription: 4096,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  /** Title + description + field names and values + footer + author, over all embeds of a message. */
  embedsTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  selectOptions: 25,
  selectOptionLabel: 100,
  selectOptionValue: 100,
  selectOptionDescription: 100,
  selectPlaceholder: 150,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
  commandName: 32,
  commandDescription: 100,
  optionsPerCommand: 25,
  choicesPerOption: 25,
  /** Name, description, option names, descriptions and choice names/values of one command. */
  commandTotal: 4000,
  modalTitle: 45,
  textInputLabel: 45,
  textInputValue: 4000,
  modalRows: 5,
});

/** Discord's rule for command and option names (lower-case where a letter has a case). */
export const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Cuts `text` to at most `max` units, ending with `…` when cut, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, Math.max(0, end)) + '…';
}

/** Discord rejects empty embed field names and values; a zero-width space is its usual stand-in. */
export function nonEmpty(text: string, fallback = '\u200b'): string {
  return text.trim() === '' ? fallback : text;
}

export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/** The characters Discord counts towards the 6,000 shared by all embeds of one message. */
export function embedChars(embed: APIEmbed): number {
  let n = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const f of embed.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

/** Every Discord limit `message` breaks, in words; empty when it fits. */
export function limitProblems(message: DiscordMessage): string[] {
  const L = DISCORD_LIMITS;
  const problems: string[] = [];
  const over = (what: string, n: number, max: number) => {
    if (n > max) problems.push(`${what}: ${n} > ${max}`);
  };
  if (message.content !== undefined) over('content', message.content.length, L.content);
  over('embeds', message.embeds.length, L.embedsPerMessage);
  let total = 0;
  message.embeds.forEach((e, i) => {
    total += embedChars(e);
    if (e.title !== undefined) over(`embed ${i} title`, e.title.length, L.embedTitle);
    if (e.description !== undefined) over(`embed ${i} description`, e.description.length, L.embedDescription);
    if (e.footer) over(`embed ${i} footer`, e.footer.text.length, L.footerText);
    over(`embed ${i} fields`, e.fields?.length ?? 0, L.fieldsPerEmbed);
    e.fields?.forEach((f, j) => {
      over(`embed ${i} field ${j} name`, f.name.length, L.fieldName);
      over(`embed ${i} field ${j} value`, f.value.length, L.fieldValue);
      if (f.name.trim() === '' || f.value.trim() === '') problems.push(`embed ${i} field ${j} is empty`);
    });
    if (!e.title && !e.description && !e.fields?.length && !e.footer && !e.image) problems.push(`embed ${i} is empty`);
  });
  over('characters in all embeds', total, L.embedsTotal);
  if (message.content === undefined && message.embeds.length === 0) problems.push('the message has neither content nor embeds');
  over('action rows', message.components.length, L.actionRows);
  const ids = new Set<string>();
  message.components.forEach((row, i) => {
    over(`row ${i} components`, row.components.length, L.buttonsPerRow);
    if (row.components.length === 0) problems.push(`row ${i} is empty`);
    for (const c of row.components) {
      if ('custom_id' in c) {
        over(`custom_id ${c.custom_id}`, c.custom_id.length, L.customId);
        if (ids.has(c.custom_id)) problems.push(`custom_id ${c.custom_id} is used twice`);
        ids.add(c.custom_id);
      }
      if (c.type === 2 && 'label' in c && c.label !== undefined) over(`button label ${c.label}`, c.label.length, L.buttonLabel);
      if (c.type === 3) {
        if (row.components.length !== 1) problems.push(`row ${i}: a select menu must be alone in its row`);
        over(`select ${c.custom_id} options`, c.options.length, L.selectOptions);
        const values = new Set<string>();
        for (const o of c.options) {
          over(`option label ${o.label}`, o.label.length, L.selectOptionLabel);
          over(`option value ${o.value}`, o.value.length, L.selectOptionValue);
          if (o.description !== undefined) over(`option description`, o.description.length, L.selectOptionDescription);
          if (values.has(o.value)) problems.push(`option value ${o.value} is used twice`);
          values.add(o.value);
        }
      }
    }
  });
  return problems;
}
