// A streaming RFC 4180 reader that keeps physical line numbers: a record is named by the line it
// starts on (blank lines counted), quoted fields may hold commas, quotes and newlines, CRLF or LF.

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line on which the record starts. */
  line: number;
}

export interface CsvProblem {
  line: number;
  reason: string;
}

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

export class CsvReader {
  #rest = '';
  #line = 1;
  #started = false;
  readonly #delimiter: number;

  constructor(delimiter = ',') {
    this.#delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds a chunk; returns every record completed by it. */
  push(chunk: string, onRecord: (r: CsvRecord) => void): void {
    let data = this.#rest + chunk;
    if (!this.#started && data.length > 0) {
      this.#started = true;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    this.#rest = this.#parse(data, false, onRecord, () => {});
  }

  /** Flushes the last record; a quote left open is reported as a problem on the line it opened. */
  end(onRecord: (r: CsvRecord) => void, onProblem: (p: CsvProblem) => void): void {
    const data = this.#rest;
    this.#rest = '';
    this.#parse(data, true, onRecord, onProblem);
  }

  #parse(data: string, final: boolean, onRecord: (r: CsvRecord) => void, onProblem: (p: CsvProblem) => void): string {
    const n = data.length;
    const delim = this.#delimiter;
    let i = 0;
    while (i < n) {
      const recordStart = i;
      const recordLine = this.#line;
      let line = recordLine;
      const fields: string[] = [];
      let complete = false;
      let broken = false;
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
            onProblem({ line: recordLine, reason: 'a quoted field is never closed (missing ")' });
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
          complete = true;
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
        complete = true;
        break;
      }
      this.#line = line;
      if (complete && !broken && !(fields.length === 1 && fields[0] === '')) onRecord({ fields, line: recordLine });
      if (broken) break;
    }
    return '';
  }

  #keep(data: string, from: number, line: number): string {
    this.#line = line;
    return data.slice(from);
  }
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
