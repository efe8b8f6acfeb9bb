// Who did what (the audit log), /feedback's dedupe keys, and the mark a digest delivery gets just
// before it is posted (a takeover of a marked delivery looks for the message before posting again).
import type { Kysely, Migration } from 'kysely';

export const privacyAuditTables: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('audit_log')
      // `at` plus a random suffix: unique without an identity column (portable across dialects).
      .addColumn('audit_id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('channel', 'text')
      /** `customer`, `digest subscribe`, `share /customer`, `digest post`: words, never arguments. */
      .addColumn('command', 'text', (c) => c.notNull())
      /** `ok`, an error code (`FORBIDDEN`, `INVALID_ARGS`, …) or `refused` (another workspace or guild). */
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text')
      /** Only what an admin needs and is no personal data: a role granted (`slack:U1 → manager`), a message id. */
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'at']).execute();

    // Two keys per chat submission (this minute and the next), inserted ignoring conflicts in one
    // transaction: the same feedback twice within a minute finds its key taken, whatever the timing.
    await db.schema
      .createTable('feedback_keys')
      .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
      .addColumn('feedback_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('feedback_keys_feedback').on('feedback_keys').column('feedback_id').execute();

    await db.schema.alterTable('digest_deliveries').addColumn('attempted_at', 'text').execute();
  },
};
