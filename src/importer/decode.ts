// Bytes → text for import files. The encoding is forced (`--encoding`) or read from the bytes: a
// BOM (UTF-8, UTF-16LE/BE), UTF-16 without a BOM (every other byte zero), else UTF-8 unless the
// bytes are not UTF-8, in which case Windows-1252 (what Excel on Windows writes). The choice
// between the last two waits for the first non-ASCII byte: ASCII reads the same in both, so
// nothing decoded before the choice changes. Bytes that fit the chosen encoding nowhere become
// U+FFFD here, and the reader refuses any record holding one, so no U+FFFD is ever stored.
import { isAscii } from 'node:buffer';

export type EncodingName = 'utf8' | 'utf16le' | 'utf16be' | 'cp1252';

const NAMES: Record<EncodingName, string> = { utf8: 'UTF-8', utf16le: 'UTF-16LE', utf16be: 'UTF-16BE', cp1252: 'Windows-1252' };

/** `--encoding` values people type, to ours; undefined when not understood. */
export function parseEncodingOption(text: string): EncodingName | 'utf16' | undefined {
  const s = text.trim().toLowerCase().replace(/[\s_]/g, '-');
  if (['utf8', 'utf-8'].includes(s)) return 'utf8';
  if (['utf16', 'utf-16', 'ucs-2', 'ucs2', 'unicode'].includes(s)) return 'utf16';
  if (['utf16le', 'utf-16le', 'utf-16-le'].includes(s)) return 'utf16le';
  if (['utf16be', 'utf-16be', 'utf-16-be'].includes(s)) return 'utf16be';
  // Latin-1 files are read as Windows-1252, as browsers do: it is the same but for 0x80–0x9F.
  if (['cp1252', 'windows-1252', 'win-1252', 'win1252', 'latin1', 'latin-1', 'iso-8859-1', 'ansi'].includes(s)) return 'cp1252';
  return undefined;
}

// Windows-1252's 0x80–0x9F; the five bytes it leaves undefined map to U+FFFD (refused, not stored).
const CP1252_HIGH = '€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ';
const C1 = /[\x80-\x9f]/g;
const fromC1 = (c: string) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!;

export interface DecodedChunk {
  text: string;
  /** The text may hold U+FFFD from bytes that did not decode (the reader then checks each record). */
  suspect: boolean;
}

/** A streaming decoder for one file: feed it the file's bytes in order. */
export class ImportDecoder {
  #encoding: EncodingName | undefined;
  #forced: boolean;
  /** UTF-16 forced without a byte order: the BOM decides, else little-endian (what Windows writes). */
  #utf16Unordered: boolean;
  #how = '';
  #head: Buffer | undefined = Buffer.alloc(0);
  #text: import('node:util').TextDecoder | undefined;
  /** Undecided between UTF-8 and Windows-1252: bytes held from the first non-ASCII one until the choice. */
  #held: Buffer | undefined;

  constructor(forced?: EncodingName | 'utf16') {
    this.#forced = forced !== undefined;
    this.#utf16Unordered = forced === 'utf16';
    this.#encoding = forced === 'utf16' ? undefined : forced;
  }

  /** The encoding used, and how it was chosen, for the summary: "UTF-8 (BOM)", "Windows-1252 (detected)". */
  get description(): string {
    const name = this.#encoding ? NAMES[this.#encoding] : 'UTF-8';
    return this.#how ? `${name} (${this.#how})` : name;
  }

  get encoding(): EncodingName {
    return this.#encoding ?? 'utf8';
  }

  write(bytes: Buffer): DecodedChunk {
    if (this.#head) {
      // The first bytes decide about a BOM and UTF-16: wait for four of them (or the end).
      this.#head = this.#head.length ? Buffer.concat([this.#head, bytes]) : bytes;
      if (this.#head.length < 4) return { text: '', suspect: false };
      const head = this.#head;
      this.#head = undefined;
      return this.#body(this.#start(head));
    }
    return this.#body(bytes);
  }

  end(): DecodedChunk {
    let out: DecodedChunk = { text: '', suspect: false };
    if (this.#head) {
      const head = this.#head;
      this.#head = undefined;
      out = this.#body(this.#start(head));
    }
    if (this.#held) {
      const held = this.#held;
      this.#held = undefined;
      this.#choose(held, true);
      const rest = this.#decode(held, true);
      out = { text: out.text + rest.text, suspect: out.suspect || rest.suspect };
    } else if (this.#text) {
      const tail = this.#text.decode();
      if (tail) out = { text: out.text + tail, suspect: true };
    }
    return out;
  }

  /** Reads a BOM or the UTF-16 pattern from the first bytes; returns the bytes after any BOM. */
  #start(head: Buffer): Buffer {
    const utf8Bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    const le = head[0] === 0xff && head[1] === 0xfe;
    const be = head[0] === 0xfe && head[1] === 0xff;
    if (this.#forced && !this.#utf16Unordered) {
      // A forced encoding still drops its own BOM.
      if (this.#encoding === 'utf8' && utf8Bom) return head.subarray(3);
      if ((this.#encoding === 'utf16le' && le) || (this.#encoding === 'utf16be' && be)) return head.subarray(2);
      this.#setup();
      return head;
    }
    if (this.#utf16Unordered) {
      this.#encoding = be ? 'utf16be' : 'utf16le';
      this.#setup();
      return le || be ? head.subarray(2) : head;
    }
    if (utf8Bom) return this.#decided('utf8', 'BOM', head.subarray(3));
    if (le) return this.#decided('utf16le', 'BOM', head.subarray(2));
    if (be) return this.#decided('utf16be', 'BOM', head.subarray(2));
    const unordered = utf16Pattern(head);
    if (unordered) return this.#decided(unordered, 'no BOM, detected', head);
    return head;
  }

  #decided(encoding: EncodingName, how: string, rest: Buffer): Buffer {
    this.#encoding = encoding;
    this.#how = how;
    this.#setup();
    return rest;
  }

  #setup(): void {
    const e = this.#encoding;
    if (e === 'utf8' || e === 'utf16le' || e === 'utf16be')
      this.#text = new TextDecoder(e === 'utf8' ? 'utf-8' : e === 'utf16le' ? 'utf-16le' : 'utf-16be', { ignoreBOM: true });
  }

  #body(bytes: Buffer): DecodedChunk {
    if (this.#encoding) return this.#decode(bytes, false);
    // Undecided: ASCII passes straight through; the first non-ASCII bytes make the choice.
    if (!this.#held) {
      if (isAscii(bytes)) return { text: bytes.toString('latin1', 0, bytes.length), suspect: false };
      const at = firstNonAscii(bytes);
      const ascii = bytes.toString('latin1', 0, at);
      const rest = bytes.subarray(at);
      if (!this.#choose(rest, false)) {
        this.#held = Buffer.from(rest);
        return { text: ascii, suspect: false };
      }
      const decoded = this.#decode(rest, false);
      return { text: ascii + decoded.text, suspect: decoded.suspect };
    }
    const held = Buffer.concat([this.#held, bytes]);
    if (!this.#choose(held, false)) {
      this.#held = held;
      return { text: '', suspect: false };
    }
    this.#held = undefined;
    return this.#decode(held, false);
  }

  /**
   * UTF-8 or Windows-1252, from bytes that start at a non-ASCII byte: text in Windows-1252 almost
   * never forms valid UTF-8 sequences, so valid ones at least as many as invalid ones mean UTF-8.
   * Returns false to wait for more bytes (at most 64 KiB are held).
   */
  #choose(bytes: Buffer, final: boolean): boolean {
    const window = bytes.subarray(0, 64 << 10);
    const more = !final && bytes.length < 64 << 10;
    const { valid, invalid } = countUtf8(window, more);
    // Thin evidence while more bytes can still come into the window: wait.
    if (more && valid + invalid < 8) return false;
    const utf8 = valid > 0 && valid >= invalid;
    this.#encoding = utf8 ? 'utf8' : 'cp1252';
    this.#how = utf8 ? '' : 'detected: the bytes are not UTF-8';
    this.#setup();
    return true;
  }

  #decode(bytes: Buffer, final: boolean): DecodedChunk {
    if (this.#encoding === 'cp1252') {
      let text = bytes.toString('latin1', 0, bytes.length);
      if (isAscii(bytes)) return { text, suspect: false };
      text = text.replace(C1, fromC1);
      return { text, suspect: text.includes('\uFFFD') };
    }
    // ASCII is its own UTF-8, and a one-byte string is the cheapest to make and to parse; unless the
    // decoder still holds the start of a sequence that the previous chunk cut.
    if (this.#encoding === 'utf8' && !this.#cut && isAscii(bytes)) return { text: bytes.toString('latin1', 0, bytes.length), suspect: false };
    const text = this.#text!.decode(bytes, { stream: !final });
    if (this.#encoding === 'utf8') this.#cut = !final && endsInsideSequence(bytes);
    return { text, suspect: text.includes('\uFFFD') };
  }

  #cut = false;
}

/** Whether the bytes end with the first bytes of a longer UTF-8 sequence. */
function endsInsideSequence(b: Buffer): boolean {
  for (let back = 1; back <= 3 && back <= b.length; back++) {
    const c = b[b.length - back]!;
    if (c < 0x80) return false;
    if (c >= 0xc0) return (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) > back;
  }
  return false;
}

function firstNonAscii(b: Buffer): number {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return i;
  return b.length;
}

/** UTF-16 without a BOM: text in it has a zero byte beside most ASCII characters. */
function utf16Pattern(head: Buffer): EncodingName | undefined {
  const n = Math.min(head.length, 1024) & ~1;
  if (n < 4) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) zeroEven++;
    if (head[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd >= pairs * 0.4 && zeroEven <= pairs * 0.05) return 'utf16le';
  if (zeroEven >= pairs * 0.4 && zeroOdd <= pairs * 0.05) return 'utf16be';
  return undefined;
}

/** Counts well-formed and ill-formed UTF-8 sequences; `cut` = the bytes end inside a sequence that may go on. */
export function countUtf8(b: Buffer, mayContinue: boolean): { valid: number; invalid: number; cut: boolean } {
  let valid = 0;
  let invalid = 0;
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) {
      invalid++;
      i++;
      continue;
    }
    if (i + need >= n && mayContinue) {
      let ok = true;
      for (let k = i + 1; k < n; k++) if ((b[k]! & 0xc0) !== 0x80) ok = false;
      if (ok) return { valid, invalid, cut: true };
    }
    let k = 1;
    while (k <= need && i + k < n && (b[i + k]! & 0xc0) === 0x80) k++;
    if (k > need) valid++;
    else invalid++;
    i += k;
  }
  return { valid, invalid, cut: false };
}
