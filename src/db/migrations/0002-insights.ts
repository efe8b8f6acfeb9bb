// What the refresh pipeline writes: one insights row per customer, a record per model run, every
// lifecycle transition with its reason, and the basket rules. Commands only read these.
import type { Kysely, Migration } from 'kysely';

const DOUBLE = 'double precision' as const;

export const insightTables: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('model_runs')
      .addColumn('run_id', 'integer', (c) => c.primaryKey())
      .addColumn('as_of_day', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('customers', 'integer', (c) => c.notNull().defaultTo(0))
      /** The model card: parameters, fit quality, backtest, timings, as JSON. */
      .addColumn('card', 'text')
      .execute();

    await db.schema
      .createTable('insights')
      // Derived data rewritten whole by every refresh: no foreign key (a check per row would cost
      // seconds on a million customers, and the refresh only writes customers it just read).
      .addColumn('customer_id', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'integer', (c) => c.notNull())
      .addColumn('as_of_day', 'integer', (c) => c.notNull())
      .addColumn('orders', 'integer', (c) => c.notNull())
      .addColumn('purchase_days', 'integer', (c) => c.notNull())
      .addColumn('revenue', DOUBLE, (c) => c.notNull())
      .addColumn('first_day', 'integer')
      .addColumn('last_day', 'integer')
      .addColumn('usual_gap_days', DOUBLE)
      .addColumn('days_overdue', DOUBLE)
      .addColumn('recency_score', 'integer')
      .addColumn('frequency_score', 'integer')
      .addColumn('monetary_score', 'integer')
      .addColumn('segment', 'text')
      .addColumn('cluster_id', 'integer')
      .addColumn('cluster_name', 'text')
      .addColumn('p_alive', DOUBLE)
      .addColumn('expected_purchases_90d', DOUBLE)
      .addColumn('expected_spend', DOUBLE)
      .addColumn('clv_12m', DOUBLE)
      .addColumn('churn_risk', DOUBLE)
      .addColumn('churn_drivers', 'text')
      .addColumn('value_at_risk', DOUBLE)
      .addColumn('lifecycle_stage', 'text', (c) => c.notNull())
      .addColumn('lifecycle_reason', 'text')
      .addColumn('stage_since_day', 'integer')
      .execute();
    await db.schema.createIndex('insights_segment_clv').on('insights').columns(['segment', 'clv_12m']).execute();
    await db.schema.createIndex('insights_stage').on('insights').columns(['lifecycle_stage']).execute();
    await db.schema.createIndex('insights_value_at_risk').on('insights').columns(['value_at_risk']).execute();
    await db.schema.createIndex('insights_clv').on('insights').columns(['clv_12m']).execute();
    await db.schema.createIndex('insights_cluster').on('insights').columns(['cluster_id']).execute();

    await db.schema
      .createTable('lifecycle_transitions')
      .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.customer_id').onDelete('cascade'))
      .addColumn('run_id', 'integer', (c) => c.notNull())
      .addColumn('as_of_day', 'integer', (c) => c.notNull())
      .addColumn('from_stage', 'text')
      .addColumn('to_stage', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('lifecycle_transitions_day').on('lifecycle_transitions').columns(['as_of_day']).execute();
    await db.schema.createIndex('lifecycle_transitions_customer').on('lifecycle_transitions').columns(['customer_id', 'as_of_day']).execute();

    await db.schema
      .createTable('basket_rules')
      .addColumn('run_id', 'integer', (c) => c.notNull())
      .addColumn('antecedent', 'text', (c) => c.notNull())
      .addColumn('consequent', 'text', (c) => c.notNull())
      .addColumn('support', DOUBLE, (c) => c.notNull())
      .addColumn('confidence', DOUBLE, (c) => c.notNull())
      .addColumn('lift', DOUBLE, (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('basket_rules_antecedent').on('basket_rules').columns(['antecedent']).execute();
  },
};
