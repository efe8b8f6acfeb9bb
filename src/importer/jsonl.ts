// A streaming JSON Lines reader: one object per line, lines numbered as an editor shows them. A
// line longer than the cap is refused and skipped without being held; a file that is one JSON
// array (what `.json` exports usually are) is refused at once instead of being read whole.

export interface JsonLine {
  text: string;
  line: number;
  badText?: boolean;
}

export interface JsonLineProblem {
  line: number;
  code: 'record-too-long';
  reason: string;
  raw?: string;
}

export class JsonArrayError extends Error {}

export class JsonLinesReader {
  #rest = '';
  #restSuspect = false;
  #line = 0;
  #started = false;
  #bomChecked = false;
  /** Skipping a line too long to keep: its length so far and its first KiB. */
  #skipping: { line: number; chars: number; head: string } | undefined;
  readonly #max: number;

  constructor(maxLineChars: number) {
    this.#max = maxLineChars;
  }

  push(chunk: string, suspect: boolean, onLine: (l: JsonLine) => void, onProblem: (p: JsonLineProblem) => void): void {
    if (!this.#bomChecked && chunk.length > 0) {
      this.#bomChecked = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (!this.#started) {
      const first = chunk.search(/\S/);
      if (first >= 0) {
        this.#started = true;
        if (chunk[first] === '[')
          throw new JsonArrayError('the file is one JSON array, not JSON Lines (one object per line); convert it with `jq -c ".[]" FILE > FILE.jsonl`');
      }
    }
    let start = 0;
    if (this.#skipping) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) {
        this.#skipping.chars += chunk.length;
        return;
      }
      this.#skipping.chars += nl;
      this.#endSkip(onProblem);
      start = nl + 1;
    }
    const data = this.#rest ? this.#rest + chunk.slice(start) : chunk.slice(start);
    const dataSuspect = suspect || this.#restSuspect;
    let from = 0;
    for (let nl = data.indexOf('\n'); nl !== -1; nl = data.indexOf('\n', from)) {
      this.#emit(data.slice(from, nl), dataSuspect, onLine, onProblem);
      from = nl + 1;
    }
    this.#rest = data.slice(from);
    this.#restSuspect = dataSuspect && this.#rest.includes('\uFFFD');
    if (this.#rest.length > this.#max) {
      this.#skipping = { line: this.#line + 1, chars: this.#rest.length, head: this.#rest.slice(0, 1024) };
      this.#line++;
      this.#rest = '';
    }
  }

  end(onLine: (l: JsonLine) => void, onProblem: (p: JsonLineProblem) => void): void {
    if (this.#skipping) this.#endSkip(onProblem);
    else if (this.#rest.trim() !== '') this.#emit(this.#rest, this.#restSuspect, onLine, onProblem);
    this.#rest = '';
  }

  #endSkip(onProblem: (p: JsonLineProblem) => void): void {
    const s = this.#skipping!;
    this.#skipping = undefined;
    onProblem({
      line: s.line,
      code: 'record-too-long',
      reason: `the line is ${(s.chars / (1 << 20)).toFixed(1)} MiB long; lines over ${(this.#max / (1 << 20)).toFixed(0)} MiB are refused`,
      raw: s.head + '…',
    });
  }

  #emit(text: string, suspect: boolean, onLine: (l: JsonLine) => void, onProblem: (p: JsonLineProblem) => void): void {
    this.#line++;
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (text.length > this.#max) {
      onProblem({
        line: this.#line,
        code: 'record-too-long',
        reason: `the line is ${(text.length / (1 << 20)).toFixed(1)} MiB long; lines over ${(this.#max / (1 << 20)).toFixed(0)} MiB are refused`,
        raw: text.slice(0, 1024) + '…',
      });
      return;
    }
    if (text.trim() === '') return;
    const l: JsonLine = { text, line: this.#line };
    if (suspect && text.includes('\uFFFD')) l.badText = true;
    onLine(l);
  }
}
