// `COPY … FROM STDIN` for the PostgreSQL write paths (imports' staging tables, the refresh's shadow
// insights): rows travel as PostgreSQL's text format in a few large chunks, parsed by the server
// with no statement per row, no parameters and no array literals — the fastest way in that needs
// no file on the server. pg-copy-streams speaks the protocol; this file encodes the values.
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { LoopSlices } from '../core/loop-slices.ts';

/** The subset of pg.Pool that the COPY paths use: a client of their own for a transaction. */
export interface PostgresHandle {
  connect(): Promise<PoolClient>;
}

/** A value as the text format writes it; anything else (a boolean, a bigint) goes as its string. */
export type CopyValue = string | number | boolean | null | undefined;

/**
 * Runs `work` in one transaction on a client of its own (COPY needs the client itself), committed
 * when it returns and rolled back when it throws. `begin` opens it (a plain BEGIN unless told).
 */
export async function inTransaction<T>(
  pool: PostgresHandle,
  work: (client: PoolClient) => Promise<T>,
  begin: (client: PoolClient) => Promise<unknown> = (client) => client.query('begin'),
): Promise<T> {
  const client = await pool.connect();
  try {
    await begin(client);
    const out = await work(client);
    await client.query('commit');
    client.release();
    return out;
  } catch (err) {
    await discard(client);
    throw err;
  }
}

/** Rolls back whatever `client` has open and returns it to the pool. */
export async function discard(client: PoolClient): Promise<void> {
  let broken: Error | undefined;
  await client.query('rollback').catch((e: Error) => (broken = e));
  // A client whose rollback failed is in no known state: the pool closes it instead of lending it again.
  client.release(broken);
}

/** Characters the text format escapes: backslash, newline, carriage return, tab. */
const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One field of the text format: `\N` is null; a string escapes its specials. A number goes as
 * JavaScript's shortest round-trip form (NaN and ±Infinity as PostgreSQL spells them), so a
 * double arrives exactly. A NUL character cannot be sent at all: callers refuse such rows first.
 */
export function copyField(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return SPECIAL.test(v) ? v.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : v;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}

/** Whether a value cannot travel in PostgreSQL text at all (U+0000). */
export function holdsNul(v: unknown): boolean {
  return typeof v === 'string' && v.includes('\u0000');
}

/** Characters per chunk handed to the stream: large enough to amortise, small enough to stay cheap. */
const CHUNK_CHARS = 1 << 18;

/**
 * Streams `rows` into `table (columns)` on `client` (inside the caller's transaction, if any):
 * `fill(row, out)` puts one row's values in column order. `rows` may be produced as they are sent
 * (a generator): the server parses one chunk while the next is made. `table` is SQL as is (a
 * name, quoted if it needs to be); `options` is the COPY's WITH list (e.g. `freeze`). Returns the
 * rows the server stored.
 */
export async function copyRows<T>(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<T>,
  fill: (row: T, out: CopyValue[]) => void,
  options = '',
): Promise<number> {
  const quoted = columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ');
  const stream = client.query(copyFrom(`COPY ${table} (${quoted}) FROM STDIN${options ? ` WITH (${options})` : ''}`));
  const width = columns.length;
  const values: CopyValue[] = new Array(width).fill(null);
  function* chunks(): Generator<string> {
    let text = '';
    for (const row of rows) {
      values.fill(null);
      fill(row, values);
      let line = copyField(values[0]);
      for (let c = 1; c < width; c++) line += '\t' + copyField(values[c]);
      text += line + '\n';
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
    if (text.length > 0) yield text;
  }
  await pipeline(chunks, stream);
  return stream.rowCount;
}

const UNESCAPES: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };

/** A field of COPY TO's text format as it was stored (COPY TO writes no octal or hex escapes). */
function unescapeField(f: string): string | null {
  if (f === '\\N') return null;
  return f.includes('\\') ? f.replace(/\\(.)/g, (_m, c: string) => UNESCAPES[c] ?? c) : f;
}

/** The longest copyOut handles rows before it lets the event loop run. */
const TURN_EVERY_MS = 8;

/**
 * Streams `COPY (query) TO STDOUT` on `client` (in the caller's transaction and snapshot): each row
 * comes to `onRow` as its fields (null for NULL), in an array reused from row to row. Far cheaper
 * than rows through a cursor when there are millions: no fetch round trips, no object per row.
 * `query` is SQL without parameters (COPY takes none).
 */
export async function copyOut(client: PoolClient, query: string, onRow: (fields: (string | null)[]) => void): Promise<number> {
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT`));
  const fields: (string | null)[] = [];
  let rest: Buffer | undefined;
  let rows = 0;
  const lines = (text: string) => {
    let at = 0;
    while (at < text.length) {
      const end = text.indexOf('\n', at);
      fields.length = 0;
      let from = at;
      for (let tab = text.indexOf('\t', from); tab >= 0 && tab < end; tab = text.indexOf('\t', from)) {
        fields.push(unescapeField(text.slice(from, tab)));
        from = tab + 1;
      }
      fields.push(unescapeField(text.slice(from, end)));
      onRow(fields);
      rows++;
      at = end + 1;
    }
  };
  // Buffered chunks come one after another without the event loop turning: every few milliseconds
  // it is let run (the refresh tallies its answers beside the scoring, which waits on other clients).
  const slices = new LoopSlices(TURN_EVERY_MS);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    const last = data.lastIndexOf(10);
    if (last < 0) {
      rest = data;
      continue;
    }
    // Whole lines only: a UTF-8 character never spans a newline byte.
    lines(data.toString('utf8', 0, last + 1));
    rest = last + 1 < data.length ? data.subarray(last + 1) : undefined;
    if (slices.due) await slices.turn();
  }
  if (rest && rest.length > 0) throw new Error('COPY TO ended inside a row');
  return rows;
}
