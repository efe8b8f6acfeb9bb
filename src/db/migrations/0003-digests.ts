// Digest subscriptions and their outbox. A delivery row is keyed by (subscription, period): the
// INSERT that creates it is the claim, so two processes (or a restart) can never both own a period.
import type { Kysely, Migration } from 'kysely';

export const digestTables: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('digest_subscriptions')
      .addColumn('subscription_id', 'integer', (c) => c.primaryKey())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('schedule', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('owner', 'text')
      .addColumn('segment', 'text')
      // Booleans as 0/1 integers: the same on SQLite and PostgreSQL.
      .addColumn('skip_if_empty', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('ended_by', 'text')
      .addColumn('ended_at', 'text')
      .execute();
    await db.schema.createIndex('digest_subscriptions_active').on('digest_subscriptions').columns(['active']).execute();

    await db.schema
      .createTable('digest_deliveries')
      .addColumn('subscription_id', 'integer', (c) => c.notNull().references('digest_subscriptions.subscription_id'))
      /** The scheduled instant as an ISO string in UTC: unique per slot, sorts in time order. */
      .addColumn('period_key', 'text', (c) => c.notNull())
      .addColumn('scheduled_for', 'text', (c) => c.notNull())
      /** claimed | retrying | posted | failed | skipped */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claimed_at', 'text', (c) => c.notNull())
      .addColumn('claimed_by', 'text', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text')
      .addColumn('message_id', 'text')
      .addColumn('posted_at', 'text')
      .addColumn('error', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('digest_deliveries_pk', ['subscription_id', 'period_key'])
      .execute();
    await db.schema.createIndex('digest_deliveries_status').on('digest_deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('digest_deliveries_updated').on('digest_deliveries').columns(['updated_at']).execute();
  },
};
