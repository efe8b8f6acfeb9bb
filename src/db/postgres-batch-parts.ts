// How a PostgreSQL import batch travels (bulk-postgres.ts says what each transaction does): a large
// batch in parts whose transactions overlap, and a part the database refuses split in halves until
// the refused rows stand alone, each reported with the database's reason while the others land.
import type { PoolClient } from 'pg';
import { CONTENT_ID, type Outcome, type RowSource } from './bulk-rows.ts';
import { discard, type PostgresHandle } from './postgres-copy.ts';

/** SQLSTATE classes of a row's own fault: data exceptions, integrity violations, program limits (an index row too big). */
const ROW_FAULTS = ['22', '23', '54'];
/** Another transaction's locks in a cycle with ours, or a serialization failure: the batch is run again. */
const RETRY = new Set(['40P01', '40001']);
const MAX_RETRIES = 5;

/** Copies `part` into a staging table on `client`; the function returned upserts and decides it. */
export type StagePart = (client: PoolClient, part: RowSource) => Promise<() => Promise<Outcome[]>>;

/** Rows per transaction of a pipelined batch. */
export const PART = 4_096;

export function hasContentIds(src: RowSource): boolean {
  for (let i = 0; i < src.length; i++) if (src.flags(i) & CONTENT_ID) return true;
  return false;
}

interface StagedPart {
  client: PoolClient;
  finish: () => Promise<Outcome[]>;
}

/**
 * A batch in parts of PART rows, each its own transaction, overlapped: while the server upserts
 * one part, this process encodes the next and copies it into the staging table of another
 * connection. Parts are upserted strictly in order, each after the one before has committed, so
 * a batch decides exactly as batches of PART rows written one after another would. (Rows whose id
 * is their content go unpipelined: they pick free ids by reading what earlier rows stored.) A part
 * that the database refuses, or that meets a deadlock, is rolled back and written by `isolate`.
 */
export async function pipelined(
  pool: PostgresHandle,
  stage: StagePart,
  src: RowSource,
  out: Outcome[],
  write: (from: number, to: number) => Promise<Outcome[]>,
): Promise<void> {
  const recoverable = (err: unknown) => RETRY.has(sqlState(err)) || ROW_FAULTS.includes(sqlState(err).slice(0, 2));
  const end = async (client: PoolClient, err: unknown): Promise<undefined> => {
    await discard(client);
    if (!recoverable(err)) throw err;
    return undefined;
  };
  const open = async (from: number, to: number): Promise<StagedPart | undefined> => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      return { client, finish: await stage(client, slice(src, from, to)) };
    } catch (err) {
      return end(client, err);
    }
  };
  const finish = async (part: StagedPart): Promise<Outcome[] | undefined> => {
    try {
      const done = await part.finish();
      await part.client.query('commit');
      part.client.release();
      return done;
    } catch (err) {
      return end(part.client, err);
    }
  };
  let next: Promise<StagedPart | undefined> | undefined = open(0, Math.min(PART, src.length));
  try {
    for (let from = 0; from < src.length; from += PART) {
      const to = Math.min(src.length, from + PART);
      const part = await next;
      next = undefined;
      // The upsert is sent first, then the next part is staged while the server works.
      const finishing = part ? finish(part) : Promise.resolve(undefined);
      if (to < src.length) next = open(to, Math.min(src.length, to + PART));
      const done = await finishing;
      if (done) for (let i = 0; i < done.length; i++) out[from + i] = done[i]!;
      else await isolate(from, to, out, write);
    }
  } finally {
    // Failed midway: the part staged meanwhile is abandoned (rolled back, its connection returned).
    const left = await next?.catch(() => undefined);
    if (left) await discard(left.client);
  }
}

/**
 * Writes rows [from, to) in one transaction; when PostgreSQL refuses one of them, the two halves
 * are written apart, down to the refused rows alone.
 */
export async function isolate(
  from: number,
  to: number,
  out: Outcome[],
  write: (from: number, to: number) => Promise<Outcome[]>,
): Promise<void> {
  if (from >= to) return;
  for (let attempt = 0; ; attempt++) {
    try {
      const done = await write(from, to);
      for (let i = 0; i < done.length; i++) out[from + i] = done[i]!;
      return;
    } catch (err) {
      const code = sqlState(err);
      if (RETRY.has(code) && attempt < MAX_RETRIES) continue;
      if (!ROW_FAULTS.includes(code.slice(0, 2))) throw err;
      if (to - from === 1) {
        out[from] = refused(err as Error);
        return;
      }
      const mid = from + Math.ceil((to - from) / 2);
      await isolate(from, mid, out, write);
      await isolate(mid, to, out, write);
      return;
    }
  }
}

export function sqlState(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function refused(err: Error): Outcome {
  const column = (err as { column?: unknown }).column;
  return { kind: 'refused', column: typeof column === 'string' ? column : null, reason: `the database refused it: ${err.message}` };
}

export function slice(src: RowSource, from: number, to: number): RowSource {
  if (from === 0 && to === src.length) return src;
  return { length: to - from, read: (i, o, at) => src.read(from + i, o, at), line: (i) => src.line(from + i), flags: (i) => src.flags(from + i) };
}

