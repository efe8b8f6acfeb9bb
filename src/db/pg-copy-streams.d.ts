// The part of pg-copy-streams (no types of its own) that postgres-copy.ts uses: `COPY … FROM STDIN`
// as a Writable and `COPY … TO STDOUT` as a Readable, each a query that pg's client.query accepts.
declare module 'pg-copy-streams' {
  import type { Writable } from 'node:stream';
  import type { Submittable } from 'pg';
  export interface CopyStreamQuery extends Writable, Submittable {
    /** Rows the server stored, once the stream has finished. */
    rowCount: number;
  }
  export function from(text: string): CopyStreamQuery;
  /** `COPY … TO STDOUT` as a Readable of raw text-format bytes (whole rows not guaranteed per chunk). */
  export function to(text: string): import('node:stream').Readable & Submittable;
}
