// Text helpers for Slack's mrkdwn: escaping, the Reply's light markdown → mrkdwn, cutting to a
// length without breaking an escape, and monospace widths (CJK characters take two columns).

/** Slack needs only these three escaped in mrkdwn and code blocks. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `**bold**` → `*bold*`, outside `code` spans; everything escaped. */
export function toMrkdwn(s: string): string {
  return s
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? escapeMrkdwn(part) : escapeMrkdwn(part).replace(/\*\*(.+?)\*\*/g, '*$1*')))
    .join('');
}

/** Removes the Reply's markdown for plain_text objects (headers, buttons, options). */
export function toPlain(s: string): string {
  return s.replace(/\*\*(.+?)\*\*/g, '$1').replace(/`([^`\n]+)`/g, '$1');
}

/** Cuts `s` to at most `max` characters with an ellipsis. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return s.slice(0, Math.max(0, max));
  let end = max - 1;
  // Never split a surrogate pair.
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return s.slice(0, end) + '…';
}

/** Converts with `convert` (which may lengthen the text) after cutting the source just enough to fit `max`. */
export function fitConverted(raw: string, max: number, convert: (s: string) => string): string {
  const whole = convert(raw);
  if (whole.length <= max) return whole;
  let lo = 0;
  let hi = raw.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (convert(cut(raw, mid)).length <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? convert(cut(raw, lo)) : whole.slice(0, max);
}

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Columns a string takes in a monospace font. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

/** Cuts to `width` columns, with an ellipsis when something was removed. */
export function clipWidth(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = WIDE.test(ch) ? 2 : 1;
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

export function padWidth(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const gap = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return align === 'right' ? gap + s : s + gap;
}

/** One line of a code block: no fence of its own, no line breaks (escape after padding). */
export function codeCell(s: string): string {
  return s.replace(/```/g, "'''").replace(/[\r\n\t]+/g, ' ');
}
