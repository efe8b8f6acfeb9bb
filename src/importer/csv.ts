// A streaming RFC 4180 reader that keeps physical line numbers: a record is named by the line it
// starts on (blank lines counted), quoted fields may hold delimiters, quotes and newlines, CRLF, LF
// or CR. The delimiter is given or found from the header line. A record longer than
// `maxRecordChars` is rejected with its line and skipped without being held, so time stays linear
// and memory bounded whatever the file holds (one 1 GB line, or a quote that never closes).
import { skipRecord, type SkipState } from './csv-skip.ts';

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line on which the record starts. */
  line: number;
  /** The record's text as in the file, when the reader keeps it (for the errors file). */
  raw?: string;
  /** A field holds U+FFFD: bytes that did not decode. */
  badText?: boolean;
}

export type CsvProblemCode = 'record-too-long' | 'unclosed-quote';

export interface CsvProblem {
  line: number;
  code: CsvProblemCode;
  reason: string;
  raw?: string;
}

export interface CsvReaderOptions {
  /** `,` `;` tab or `|`; found from the header line when not given. */
  delimiter?: string;
  maxRecordChars?: number;
  keepRaw?: boolean;
}

export const MAX_RECORD_CHARS = 1 << 20;
const DELIMITERS = [',', ';', '\t', '|'];
const QUOTE = 34; // "
const CR = 13;
const LF = 10;

type OnRecord = (r: CsvRecord) => void;
type OnProblem = (p: CsvProblem) => void;

export class CsvReader {
  #delimiter: number | undefined;
  #rest = '';
  #restSuspect = false;
  #pending: string[] = [];
  #pendingLength = 0;
  #pendingSuspect = false;
  #line = 1;
  #started = false;
  #skip: SkipState | undefined;
  /** The skipped record ended on a CR at the end of a chunk: an LF that follows belongs to it. */
  #dropLeadingLf = false;
  readonly #max: number;
  readonly #keepRaw: boolean;

  constructor(options: CsvReaderOptions = {}) {
    if (options.delimiter !== undefined) this.#delimiter = options.delimiter.charCodeAt(0);
    this.#max = options.maxRecordChars ?? MAX_RECORD_CHARS;
    this.#keepRaw = options.keepRaw ?? false;
  }

  /** The delimiter in use (`,` until the header line has been seen). */
  get delimiter(): string {
    return String.fromCharCode(this.#delimiter ?? 44);
  }

  /** Feeds a chunk of text; `suspect` says it may hold U+FFFD from bytes that did not decode. */
  push(chunk: string, suspect: boolean, onRecord: OnRecord, onProblem: OnProblem): void {
    if (this.#dropLeadingLf && chunk.length > 0) {
      this.#dropLeadingLf = false;
      if (chunk.charCodeAt(0) === LF) chunk = chunk.slice(1);
    }
    if (this.#skip) {
      const at = this.#skipThrough(chunk, false, onProblem);
      if (at < 0) return;
      chunk = chunk.slice(at);
    }
    if (chunk.length === 0) return;
    this.#pending.push(chunk);
    this.#pendingLength += chunk.length;
    this.#pendingSuspect ||= suspect;
    // Re-reading a long unfinished record for every small chunk would cost time quadratic in its
    // length: wait until the new text is as long as the held one (or the record is too long).
    const held = this.#rest.length;
    if (held > 0 && this.#pendingLength < held && held + this.#pendingLength <= this.#max) return;
    this.#run(false, onRecord, onProblem);
  }

  /** Reads what is left; a quote left open is reported on the line it opened. */
  end(onRecord: OnRecord, onProblem: OnProblem): void {
    if (this.#skip) {
      this.#skipThrough('', true, onProblem);
      return;
    }
    this.#run(true, onRecord, onProblem);
  }

  #run(final: boolean, onRecord: OnRecord, onProblem: OnProblem): void {
    let data = this.#pending.length === 1 && this.#rest === '' ? this.#pending[0]! : this.#rest + this.#pending.join('');
    const suspect = this.#restSuspect || this.#pendingSuspect;
    this.#pending = [];
    this.#pendingLength = 0;
    this.#pendingSuspect = false;
    this.#rest = '';
    this.#restSuspect = false;
    if (!this.#started && data.length > 0) {
      this.#started = true;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    while (data.length > 0) {
      let rest: string;
      if (this.#delimiter === undefined) {
        const found = this.#findDelimiter(data, final);
        rest = found === undefined ? data : this.#parse(found, final, suspect, onRecord, onProblem);
      } else rest = this.#parse(data, final, suspect, onRecord, onProblem);
      if (rest.length <= this.#max) {
        this.#rest = rest;
        this.#restSuspect = suspect && rest.includes('\uFFFD');
        return;
      }
      // An unfinished record already too long: skip it; whatever follows its end is read on.
      this.#skip = { recordLine: this.#line, newlines: 0, chars: 0, state: 'field-start', afterCr: false, head: this.#keepRaw ? '' : undefined };
      const at = this.#skipThrough(rest, final, onProblem);
      data = at < 0 ? '' : rest.slice(at);
    }
  }

  /**
   * The header line decides: the candidate seen most often outside quotes (ties: `,` `;` tab `|`).
   * Excel's `sep=;` first line names it and is dropped. Returns the text to parse, or undefined
   * to wait for the end of the first line.
   */
  #findDelimiter(data: string, final: boolean): string | undefined {
    const eol = firstLineEnd(data);
    // Wait for the end of the first line (and for the LF of a CRLF cut after its CR).
    if ((eol < 0 || (data.charCodeAt(eol) === CR && eol + 1 === data.length)) && !final) return undefined;
    const header = eol < 0 ? data : data.slice(0, eol);
    const sep = /^"?sep=(.)"?\s*$/i.exec(header);
    if (sep) {
      this.#delimiter = sep[1]!.charCodeAt(0);
      const next = data.charCodeAt(eol) === CR && data.charCodeAt(eol + 1) === LF ? eol + 2 : eol + 1;
      this.#line++;
      return eol < 0 ? '' : data.slice(next);
    }
    const counts = DELIMITERS.map((d) => countOutsideQuotes(header, d.charCodeAt(0)));
    let best = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! > counts[best]!) best = i;
    this.#delimiter = DELIMITERS[best]!.charCodeAt(0);
    return data;
  }

  /** Scans a record too long to keep; returns where the text after it starts, or −1 while it goes on. */
  #skipThrough(text: string, final: boolean, onProblem: OnProblem): number {
    const s = this.#skip!;
    const at = skipRecord(s, text, this.#delimiter ?? 44);
    if (at < 0 && !final) return -1;
    this.#skip = undefined;
    this.#line = s.recordLine + s.newlines;
    const mib = (s.chars / (1 << 20)).toFixed(1);
    const limit = `${(this.#max / (1 << 20)).toFixed(0)} MiB`;
    const problem: CsvProblem =
      at < 0 && s.state === 'quoted'
        ? {
            line: s.recordLine,
            code: 'unclosed-quote',
            reason: `a quoted field opened here is never closed (missing "), so the rest of the file (${mib} MiB) reads as one record`,
          }
        : {
            line: s.recordLine,
            code: 'record-too-long',
            reason: `the record is ${mib} MiB long; records over ${limit} are refused (a missing quote or line break?)`,
          };
    if (s.head !== undefined) problem.raw = s.head + '…';
    onProblem(problem);
    // A CR that ended the record at the very end of the text may be half of a CRLF.
    if (at === text.length && text.charCodeAt(at - 1) === CR) this.#dropLeadingLf = true;
    return at;
  }

  #parse(data: string, final: boolean, suspect: boolean, onRecord: OnRecord, onProblem: OnProblem): string {
    const n = data.length;
    const delim = this.#delimiter!;
    const max = this.#max;
    const delimChar = String.fromCharCode(delim);
    // Where the next quote, LF and CR are (−1 → n: none); most lines hold no quote, and those are
    // split with indexOf, which scans far faster than a loop over their characters.
    let nextQuote = -2;
    let nextLf = -2;
    let nextCr = -2;
    let i = 0;
    while (i < n) {
      const recordStart = i;
      const recordLine = this.#line;
      if (nextQuote < i && nextQuote !== n) nextQuote = at(data.indexOf('"', i), n);
      if (nextLf < i && nextLf !== n) nextLf = at(data.indexOf('\n', i), n);
      if (nextCr < i && nextCr !== n) nextCr = at(data.indexOf('\r', i), n);
      if (nextLf < n && nextQuote > nextLf && (nextCr >= nextLf || nextCr === nextLf - 1)) {
        const end = nextCr === nextLf - 1 ? nextCr : nextLf;
        i = nextLf + 1;
        this.#line = recordLine + 1;
        if (end === recordStart) continue; // a blank line
        const fields: string[] = [];
        let from = recordStart;
        for (let d = data.indexOf(delimChar, from); d !== -1 && d < end; d = data.indexOf(delimChar, from)) {
          fields.push(data.slice(from, d));
          from = d + 1;
        }
        fields.push(data.slice(from, end));
        if (end - recordStart > max) {
          const p: CsvProblem = {
            line: recordLine,
            code: 'record-too-long',
            reason: `the record is ${((end - recordStart) / (1 << 20)).toFixed(1)} MiB long; records over ${(max / (1 << 20)).toFixed(0)} MiB are refused`,
          };
          if (this.#keepRaw) p.raw = data.slice(recordStart, recordStart + 1024) + '…';
          onProblem(p);
          continue;
        }
        const record: CsvRecord = { fields, line: recordLine };
        if (this.#keepRaw) record.raw = data.slice(recordStart, end);
        if (suspect && fields.some((f) => f.includes('\uFFFD'))) record.badText = true;
        onRecord(record);
        continue;
      }
      let line = recordLine;
      const fields: string[] = [];
      for (;;) {
        // One field starting at i.
        if (i < n && data.charCodeAt(i) === QUOTE) {
          let j = i + 1;
          let value = '';
          let closed = false;
          for (;;) {
            const q = data.indexOf('"', j);
            if (q === -1) break;
            if (q + 1 < n && data.charCodeAt(q + 1) === QUOTE) {
              value += data.slice(j, q + 1);
              j = q + 2;
              continue;
            }
            if (q + 1 >= n && !final) break; // might be an escaped quote split across chunks
            value += data.slice(j, q);
            j = q + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (!final) return this.#keep(data, recordStart, recordLine);
            if (n - recordStart > max) return this.#keep(data, recordStart, recordLine);
            const p: CsvProblem = { line: recordLine, code: 'unclosed-quote', reason: 'a quoted field opened here is never closed (missing ")' };
            if (this.#keepRaw) p.raw = data.slice(recordStart);
            onProblem(p);
            this.#line = line + countNewlines(data, i, n);
            return '';
          }
          line += countNewlines(value, 0, value.length);
          // Text after the closing quote up to the delimiter is kept as-is (lenient, like most readers).
          let k = j;
          while (k < n) {
            const c = data.charCodeAt(k);
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          if (k > j) value += data.slice(j, k);
          fields.push(value);
          i = k;
        } else {
          let k = i;
          while (k < n) {
            const c = data.charCodeAt(k);
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          fields.push(data.slice(i, k));
          i = k;
        }
        if (i >= n) {
          if (!final) return this.#keep(data, recordStart, recordLine);
          break;
        }
        const c = data.charCodeAt(i);
        if (c === delim) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 >= n && !final) return this.#keep(data, recordStart, recordLine);
          i += i + 1 < n && data.charCodeAt(i + 1) === LF ? 2 : 1;
        } else i++; // LF
        line++;
        break;
      }
      this.#line = line;
      if (fields.length === 1 && fields[0] === '') continue;
      const end = i;
      if (end - recordStart > max) {
        const p: CsvProblem = {
          line: recordLine,
          code: 'record-too-long',
          reason: `the record is ${((end - recordStart) / (1 << 20)).toFixed(1)} MiB long; records over ${(max / (1 << 20)).toFixed(0)} MiB are refused`,
        };
        if (this.#keepRaw) p.raw = data.slice(recordStart, recordStart + 1024) + '…';
        onProblem(p);
        continue;
      }
      const record: CsvRecord = { fields, line: recordLine };
      if (this.#keepRaw) record.raw = trimEol(data.slice(recordStart, end));
      if (suspect && fields.some((f) => f.includes('\uFFFD'))) record.badText = true;
      onRecord(record);
    }
    return '';
  }

  #keep(data: string, from: number, line: number): string {
    this.#line = line;
    return data.slice(from);
  }
}

const at = (index: number, n: number) => (index < 0 ? n : index);

function trimEol(s: string): string {
  let e = s.length;
  while (e > 0 && (s.charCodeAt(e - 1) === LF || s.charCodeAt(e - 1) === CR)) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** Where the first line ends (outside quotes), or −1. */
function firstLineEnd(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) return i;
  }
  return -1;
}

function countOutsideQuotes(s: string, d: number): number {
  let quoted = false;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && c === d) count++;
  }
  return count;
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR) {
      count++;
      if (i + 1 < to && s.charCodeAt(i + 1) === LF) i++;
    }
  }
  return count;
}
