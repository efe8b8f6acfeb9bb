// Owner alerts: one row per (customer, kind, episode) — the unique key that makes raising
// edge-triggered and race-safe (INSERT … ON CONFLICT DO NOTHING: whoever comes second finds the
// episode taken) — their outbox rows (the same claim / mark-attempted / record discipline as digest
// deliveries, keyed by a text key per message), the owners' chat identities (linked by an admin or
// looked up by email, cached), the settings an admin sets, and the matched controls of "does it help?".
import type { Kysely, Migration } from 'kysely';

const DOUBLE = 'double precision' as const;

export const alertTables: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('alerts')
      .addColumn('alert_id', 'integer', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull())
      /** slipping | detractor | silent */
      .addColumn('kind', 'text', (c) => c.notNull())
      /** 1 + the number of this customer's earlier episodes of this kind that ended. */
      .addColumn('episode', 'integer', (c) => c.notNull())
      .addColumn('owner', 'text')
      .addColumn('owner_key', 'text')
      .addColumn('raised_at', 'text', (c) => c.notNull())
      /** `refresh #12`, `feedback`, `import #3`: what found it. */
      .addColumn('raised_by', 'text', (c) => c.notNull())
      .addColumn('run_id', 'integer')
      /** The day the figures below are as of (the refresh's as-of day). */
      .addColumn('as_of_day', 'integer')
      /** The customer's last purchase day when raised: a later one means they bought again. */
      .addColumn('last_purchase_day', 'integer')
      .addColumn('churn_risk', DOUBLE)
      .addColumn('previous_risk', DOUBLE)
      .addColumn('value_at_risk', DOUBLE)
      /** 12-month CLV, else revenue: what the customer is worth. */
      .addColumn('worth', DOUBLE)
      .addColumn('feedback_id', 'text')
      /** JSON: the reason in figures (drivers, silence, the answer's score). No personal data. */
      .addColumn('details', 'text')
      /** open | claimed | snoozed | resolved */
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_at', 'text')
      .addColumn('snoozed_until', 'text')
      .addColumn('snoozed_by', 'text')
      .addColumn('snoozes', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('escalated_at', 'text')
      /** When the owner (or the channel) was last told: the escalation clock starts here. */
      .addColumn('notified_at', 'text')
      .addColumn('resolved_at', 'text')
      /** bought again | risk fell | expired */
      .addColumn('resolution', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('alerts_episode', ['customer_id', 'kind', 'episode'])
      .execute();
    await db.schema.createIndex('alerts_state').on('alerts').columns(['state', 'notified_at']).execute();
    await db.schema.createIndex('alerts_raised').on('alerts').column('raised_at').execute();
    await db.schema.createIndex('alerts_owner').on('alerts').columns(['owner_key', 'raised_at']).execute();

    await db.schema
      .createTable('alert_deliveries')
      /** `12:raise`, `12:escalate`, `12:reraise:1`, `12:recover`, `12:claimed`: one message each. */
      .addColumn('delivery_key', 'text', (c) => c.primaryKey())
      .addColumn('alert_id', 'integer', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      /** Not before (quiet hours move it; a route still missing moves it a few minutes on). */
      .addColumn('due_at', 'text', (c) => c.notNull())
      /** pending | claimed | retrying | posted | failed | skipped */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claimed_at', 'text')
      .addColumn('claimed_by', 'text')
      .addColumn('next_attempt_at', 'text')
      /** Set with the route, just before the first post: the route is fixed from then on (a takeover looks there). */
      .addColumn('attempted_at', 'text')
      .addColumn('platform', 'text')
      .addColumn('channel', 'text')
      /** 1 when the channel is a direct message with the owner. */
      .addColumn('direct', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('thread_of', 'text')
      .addColumn('message_id', 'text')
      .addColumn('posted_at', 'text')
      .addColumn('error', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alert_deliveries_due').on('alert_deliveries').columns(['status', 'due_at']).execute();
    await db.schema.createIndex('alert_deliveries_alert').on('alert_deliveries').column('alert_id').execute();

    await db.schema
      .createTable('alert_owners')
      /** The owner's name (or email) as in the customers file, trimmed and lower-cased. */
      .addColumn('owner_key', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('platform', 'text')
      /** Null: looked up and not found (kept a day, then asked again). */
      .addColumn('user_id', 'text')
      .addColumn('time_zone', 'text')
      /** link (an admin's /pulse link: never overwritten by a lookup) | email | profile | none */
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('linked_by', 'text')
      .addColumn('checked_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alert_owners_user').on('alert_owners').column('user_id').execute();

    await db.schema
      .createTable('alert_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    // One customer like the alerted one (same churn-risk band and value decile, no alert) per alert,
    // chosen when the alert is raised: what would have happened without the alert.
    await db.schema
      .createTable('alert_controls')
      .addColumn('alert_id', 'integer', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'integer', (c) => c.notNull())
      .addColumn('as_of_day', 'integer', (c) => c.notNull())
      .addColumn('last_purchase_day', 'integer')
      .addColumn('churn_risk', DOUBLE)
      .addColumn('value_at_risk', DOUBLE)
      .execute();
  },
};
