// Turns slash-command text into named arguments: positional words, key:value pairs, quoted strings
// (straight or typographic quotes, which Slack clients like to insert) and bare boolean flags.
import { z } from 'zod';
import { invalidArgs } from './errors.ts';

export interface Token {
  key?: string;
  value: string;
  quoted: boolean;
}

const OPEN_TO_CLOSE: Record<string, string> = { '"': '"', "'": "'", '“': '”', '”': '”', '‘': '’', '’': '’', '«': '»', '「': '」' };

/** Splits on whitespace, honouring quotes; `key:value` and `key:"a b"` become keyed tokens. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    let key: string | undefined;
    const keyMatch = /^([A-Za-z][\w-]*)[:=](?=\S)/.exec(text.slice(i, i + 40));
    if (keyMatch) {
      key = keyMatch[1]!.toLowerCase();
      i += keyMatch[0].length;
    }
    const open = text[i]!;
    const close = OPEN_TO_CLOSE[open];
    if (close !== undefined) {
      const end = text.indexOf(close, i + 1);
      if (end === -1) throw invalidArgs(`A quote opened with ${open} is never closed.`);
      tokens.push({ ...(key ? { key } : {}), value: text.slice(i + 1, end), quoted: true });
      i = end + 1;
      continue;
    }
    const start = i;
    while (i < n && !/\s/.test(text[i]!)) i++;
    tokens.push({ ...(key ? { key } : {}), value: text.slice(start, i), quoted: false });
  }
  return tokens;
}

/** Describes how a command's words map onto its zod object's keys. */
export interface ArgLayout {
  /** Keys filled by positional words, in order. */
  positional?: readonly string[];
  /** The last positional key takes all remaining words (a name, a comment). */
  rest?: boolean;
}

export function unwrap(schema: z.ZodType): z.ZodType {
  let s: any = schema;
  while (s?._zod?.def && (s._zod.def.type === 'optional' || s._zod.def.type === 'default' || s._zod.def.type === 'nullable' || s._zod.def.type === 'pipe' || s._zod.def.type === 'catch')) {
    // A pipe is either preprocess (transform → schema: the schema says the kind) or
    // schema → transform (the input schema says it).
    if (s._zod.def.type === 'pipe') s = s._zod.def.in?._zod?.def?.type === 'transform' ? s._zod.def.out : s._zod.def.in;
    else s = s._zod.def.innerType;
  }
  return s as z.ZodType;
}

export function kindOf(schema: z.ZodType): 'string' | 'number' | 'integer' | 'boolean' | 'enum' {
  const s: any = unwrap(schema);
  const t = s?._zod?.def?.type;
  if (t === 'boolean') return 'boolean';
  if (t === 'enum' || t === 'literal') return 'enum';
  if (t === 'number') {
    const checks: any[] = s._zod.def.checks ?? [];
    const isInt = s._zod.def.format === 'safeint' || checks.some((c) => c?._zod?.def?.format === 'safeint' || c?._zod?.def?.check === 'number_format');
    return isInt ? 'integer' : 'number';
  }
  return 'string';
}

export function enumValues(schema: z.ZodType): string[] {
  const s: any = unwrap(schema);
  if (s?._zod?.def?.type === 'enum') return Object.values(s._zod.def.entries as Record<string, string>);
  if (s?._zod?.def?.type === 'literal') return (s._zod.def.values as unknown[]).map(String);
  return [];
}

/** Maps tokens onto the schema's keys; the result still needs `schema.safeParse`. */
export function assignTokens(tokens: Token[], shape: Record<string, z.ZodType>, layout: ArgLayout): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = new Set(Object.keys(shape));
  const positional = [...(layout.positional ?? [])];
  const words: string[] = [];
  for (const t of tokens) {
    if (t.key !== undefined && keys.has(t.key)) {
      if (out[t.key] !== undefined) throw invalidArgs(`\`${t.key}:\` is given twice.`);
      out[t.key] = kindOf(shape[t.key]!) === 'boolean' ? parseBool(t.key, t.value) : t.value;
      continue;
    }
    const word = t.key !== undefined ? `${t.key}:${t.value}` : t.value;
    const flagKey = word.toLowerCase();
    if (!t.quoted && keys.has(flagKey) && kindOf(shape[flagKey]!) === 'boolean' && !positional.includes(flagKey)) {
      out[flagKey] = true;
      continue;
    }
    words.push(word);
  }
  const free = positional.filter((k) => out[k] === undefined);
  for (let i = 0; i < words.length; i++) {
    const key = free[i];
    if (key === undefined) {
      const last = free[free.length - 1];
      if (layout.rest && last !== undefined) {
        out[last] = `${String(out[last])} ${words.slice(i).join(' ')}`;
        break;
      }
      throw invalidArgs(`I did not expect \`${words.slice(i).join(' ')}\`.`);
    }
    if (layout.rest && i === free.length - 1) {
      out[key] = words.slice(i).join(' ');
      break;
    }
    out[key] = words[i];
  }
  return out;
}

function parseBool(key: string, value: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw invalidArgs(`\`${key}:\` takes yes or no, not \`${value}\`.`);
}

/** One readable sentence per zod issue: "score: must be at most 5". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length ? `\`${i.path.join('.')}\`` : 'input';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}
