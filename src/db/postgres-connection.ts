// One pooled PostgreSQL connection held until released, for work that spans several statements
// and awaits in between (a snapshot that other connections import). kysely lends a connection
// only for the length of a callback; this keeps the callback open until `release`.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface ReservedConnection {
  /** Runs every query on the one connection. */
  conn: Kysely<Database>;
  release(): void;
}

export function reserveConnection(db: Kysely<Database>): Promise<ReservedConnection> {
  return new Promise((resolve, reject) => {
    let lent = false;
    db.connection()
      .execute(
        (conn) =>
          new Promise<void>((release) => {
            lent = true;
            resolve({ conn, release: () => release() });
          }),
      )
      .catch((err: unknown) => {
        if (!lent) reject(err);
      });
  });
}
