// Validated rows as a few flat arrays instead of one array per row: the parse worker fills them and
// posts them to the writer, where copying one string and three typed arrays costs a fraction of
// cloning (and later collecting) millions of small arrays. Strings are stored end to end in `text`;
// numbers in `nums` (NaN = null).
import type { RowSource, Value } from '../db/bulk.ts';

export { CONTENT_ID } from '../db/bulk.ts';

/** One letter per column: `s` text, `n` number. */
export type Layout = string;

export interface PackedRows {
  layout: Layout;
  count: number;
  text: string;
  /** Per string cell, where it ends in `text`; a null cell stores ~(its start). */
  ends: Int32Array;
  nums: Float64Array;
  lines: Int32Array;
  /** Per row: bit c = column c is in the file (a partial file updates only those); CONTENT_ID. */
  flags: Int32Array;
  /** The record as the file wrote it, when an errors file was asked for. */
  raw?: string[];
}

const SEGMENT = 512;

export class PackedRowsBuilder {
  readonly #layout: Layout;
  readonly #strings: number;
  readonly #numbers: number;
  #parts: string[] = [];
  /** Strings of the last few rows, joined as they come and flattened every SEGMENT of them. */
  #segment = '';
  #inSegment = 0;
  #pos = 0;
  #ends: Int32Array;
  #nums: Float64Array;
  #lines: Int32Array;
  #flags: Int32Array;
  #raw: string[] | undefined;
  #s = 0;
  #n = 0;
  count = 0;

  constructor(layout: Layout, capacity: number, keepRaw: boolean) {
    this.#layout = layout;
    this.#strings = [...layout].filter((c) => c === 's').length;
    this.#numbers = layout.length - this.#strings;
    this.#ends = new Int32Array(capacity * this.#strings);
    this.#nums = new Float64Array(capacity * this.#numbers);
    this.#lines = new Int32Array(capacity);
    this.#flags = new Int32Array(capacity);
    this.#raw = keepRaw ? [] : undefined;
  }

  get full(): boolean {
    return this.count === this.#lines.length;
  }

  str(v: string | null): void {
    if (v === null) this.#ends[this.#s++] = ~this.#pos;
    else {
      // Keeping every value until the batch is done would keep them (and the text they were cut
      // from) alive long enough to be promoted to the old generation: collecting them then cost
      // more than the rest of parsing. A short joined segment, flattened, lets them die young.
      this.#segment += v;
      if (++this.#inSegment === SEGMENT) {
        this.#segment.charCodeAt(0); // flattens the joined string
        this.#parts.push(this.#segment);
        this.#segment = '';
        this.#inSegment = 0;
      }
      this.#pos += v.length;
      this.#ends[this.#s++] = this.#pos;
    }
  }

  num(v: number | null): void {
    this.#nums[this.#n++] = v === null ? NaN : v;
  }

  endRow(line: number, flags: number, raw?: string): void {
    this.#lines[this.count] = line;
    this.#flags[this.count] = flags;
    this.#raw?.push(raw ?? '');
    this.count++;
  }

  finish(): PackedRows {
    const c = this.count;
    this.#parts.push(this.#segment);
    const p: PackedRows = {
      layout: this.#layout,
      count: c,
      text: this.#parts.join(''),
      ends: this.#ends.slice(0, c * this.#strings),
      nums: this.#nums.slice(0, c * this.#numbers),
      lines: this.#lines.slice(0, c),
      flags: this.#flags.slice(0, c),
    };
    if (this.#raw) p.raw = this.#raw;
    return p;
  }
}

/** Reads packed rows back as values, one row at a time into a reused array. */
export function packedSource(p: PackedRows): RowSource {
  const layout = p.layout;
  const strings = [...layout].filter((c) => c === 's').length;
  const numbers = layout.length - strings;
  const isString = [...layout].map((c) => c === 's');
  const { text, ends, nums } = p;
  return {
    length: p.count,
    read(i: number, out: Value[], at = 0): void {
      let k = i * strings;
      let m = i * numbers;
      let start = k === 0 ? 0 : ends[k - 1]! < 0 ? ~ends[k - 1]! : ends[k - 1]!;
      for (let c = 0; c < isString.length; c++) {
        if (isString[c]) {
          const e = ends[k++]!;
          if (e < 0) out[at + c] = null;
          else {
            out[at + c] = text.slice(start, e);
            start = e;
          }
        } else {
          const v = nums[m++]!;
          out[at + c] = v !== v ? null : v;
        }
      }
    },
    line: (i: number) => p.lines[i]!,
    flags: (i: number) => p.flags[i]!,
  };
}

/** The transferable parts, for postMessage. */
export function transferList(p: PackedRows): ArrayBuffer[] {
  return [p.ends.buffer as ArrayBuffer, p.nums.buffer as ArrayBuffer, p.lines.buffer as ArrayBuffer, p.flags.buffer as ArrayBuffer];
}
