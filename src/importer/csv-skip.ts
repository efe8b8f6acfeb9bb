// Skipping a CSV record too long to keep: the same quoting rules as the reader, one character at a
// time, holding nothing but the state, so a gigabyte without a line break costs one pass and no
// memory. The reader hands over the record from its first character.

export interface SkipState {
  recordLine: number;
  /** Line breaks seen so far, the record's own terminator included once it is reached. */
  newlines: number;
  chars: number;
  state: 'field-start' | 'unquoted' | 'quoted' | 'quote-seen';
  /** The previous character was a CR: an LF right after it is the same line break. */
  afterCr: boolean;
  /** The record's first KiB, kept for the errors file (undefined: not wanted). */
  head: string | undefined;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;
const HEAD_CHARS = 1024;

// Runs of characters that change nothing, jumped over by the regular expression engine (a tenth of
// the time of a loop over each character): inside quotes all but quotes and line breaks, outside
// quotes all but those and the delimiter.
const QUOTED_RUN = /[^"\r\n]+/y;
const plainRuns = new Map<number, RegExp>();
function plainRun(delim: number): RegExp {
  let r = plainRuns.get(delim);
  if (!r) plainRuns.set(delim, (r = new RegExp(`[^"\\r\\n${delim === 93 || delim === 92 || delim === 94 ? '\\' : ''}${String.fromCharCode(delim)}]+`, 'y')));
  return r;
}

/** Advances through `text`; returns the index just past the record's line break, or −1 when the record goes on. */
export function skipRecord(s: SkipState, text: string, delim: number): number {
  let st = s.state;
  let newlines = s.newlines;
  let afterCr = s.afterCr;
  const n = text.length;
  const plain = plainRun(delim);
  let end = -1;
  for (let i = 0; i < n; i++) {
    if (!afterCr) {
      const run = st === 'quoted' ? QUOTED_RUN : st === 'unquoted' || st === 'field-start' ? plain : undefined;
      if (run) {
        run.lastIndex = i;
        if (run.test(text)) {
          i = run.lastIndex;
          if (st === 'field-start') st = 'unquoted';
          if (i >= n) break;
        }
      }
    }
    const c = text.charCodeAt(i);
    if (afterCr) {
      afterCr = false;
      if (c === LF) continue;
    }
    if (st === 'quoted') {
      if (c === QUOTE) st = 'quote-seen';
      else if (c === LF) newlines++;
      else if (c === CR) {
        newlines++;
        afterCr = true;
      }
      continue;
    }
    if (st === 'quote-seen') {
      if (c === QUOTE) {
        st = 'quoted'; // an escaped quote
        continue;
      }
      st = 'unquoted'; // the quote closed the field; text after it runs to the delimiter
    } else if (st === 'field-start' && c === QUOTE) {
      st = 'quoted';
      continue;
    }
    if (c === delim) {
      st = 'field-start';
      continue;
    }
    if (c === LF || c === CR) {
      newlines++;
      end = c === CR && i + 1 < n && text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      break;
    }
    st = 'unquoted';
  }
  const used = end < 0 ? n : end;
  if (s.head !== undefined && s.head.length < HEAD_CHARS) s.head += text.slice(0, HEAD_CHARS - s.head.length);
  s.chars += used;
  s.state = st;
  s.newlines = newlines;
  s.afterCr = afterCr;
  return end;
}
