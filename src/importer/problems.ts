// Rejected rows: counted, grouped by reason (a field and a stable code), the first ones listed, and
// every one written to the errors file when asked (line, field, reason, the record as written).
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ImportProblem } from './parse-rows.ts';

export interface ProblemGroup {
  field: string;
  code: string;
  /** What the rows have in common, in words: "customer_id is missing". */
  label: string;
  count: number;
  /** The first line numbers, in file order. */
  lines: number[];
  /** The first row's own reason (with its value). */
  example: string;
}

const LINES_PER_GROUP = 10;
/** More kinds of problem than this are folded into one group: the summary stays readable. */
const MAX_GROUPS = 50;

const LABELS: Record<string, string> = {
  missing: 'is missing',
  'too-long': 'is longer than 200 characters',
  'not-a-number': 'is not a number',
  'not-a-whole-number': 'is not a whole number',
  'not-a-date': 'is not a date',
  'date-order-needed': 'is a slash date that reads either way (use --date-format)',
  'not-an-email': 'is not an email address',
  'not-positive': 'is not more than 0',
  'out-of-scale': 'is outside its scale',
  'bad-scale': 'is not a scale (csat or nps)',
  'bad-encoding': 'holds bytes that do not decode',
  'too-many-fields': 'has more fields than the header',
  'record-too-long': 'is longer than 1 MiB',
  'unclosed-quote': 'opens a quote that never closes',
  'bad-json': 'is not valid JSON',
  'not-an-object': 'is not a JSON object',
  conflict: 'repeats an id with different values (the first stands)',
  'unknown-customer': 'names a customer that is not in the store',
  'unknown-order': 'names an order that is not in the store',
  'order-customer-mismatch': "names another customer than the order's first line",
  refused: 'holds a value the database cannot store',
};

export class ProblemLog {
  rejected = 0;
  /** The first `maxListed` rejected rows, in the order they were found (file order within a batch). */
  readonly listed: ImportProblem[] = [];
  readonly #groups = new Map<string, ProblemGroup>();
  readonly #maxListed: number;
  #fd: number | undefined;

  constructor(maxListed: number, errorsFile?: string) {
    this.#maxListed = maxListed;
    if (errorsFile) {
      this.#fd = openSync(errorsFile, 'w');
      writeSync(this.#fd, 'line,field,reason,record\n');
    }
  }

  /** Takes a batch of problems; they are put in line order first. */
  addAll(problems: ImportProblem[]): void {
    if (problems.length === 0) return;
    problems.sort((a, b) => a.line - b.line);
    let out = '';
    for (const p of problems) {
      this.rejected++;
      if (this.listed.length < this.#maxListed) this.listed.push(withoutRaw(p));
      this.#group(p);
      if (this.#fd !== undefined) out += [p.line, p.field, p.reason, p.raw ?? ''].map(csvCell).join(',') + '\n';
    }
    if (this.#fd !== undefined) writeSync(this.#fd, out);
  }

  groups(): ProblemGroup[] {
    return [...this.#groups.values()].sort((a, b) => b.count - a.count || a.lines[0]! - b.lines[0]!);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #group(p: ImportProblem): void {
    let key = `${p.field}\u0000${p.code}`;
    if (!this.#groups.has(key) && this.#groups.size >= MAX_GROUPS) key = 'other';
    let g = this.#groups.get(key);
    if (!g) {
      const label = key === 'other' ? 'other problems' : `${p.field === 'row' ? 'the row' : p.field} ${LABELS[p.code] ?? p.code}`;
      this.#groups.set(
        key,
        (g = { field: key === 'other' ? '' : p.field, code: key === 'other' ? 'other' : p.code, label, count: 0, lines: [], example: p.reason }),
      );
    }
    g.count++;
    if (g.lines.length < LINES_PER_GROUP) g.lines.push(p.line);
  }
}

function withoutRaw(p: ImportProblem): ImportProblem {
  if (p.raw === undefined) return p;
  const { raw: _raw, ...rest } = p;
  return rest;
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
