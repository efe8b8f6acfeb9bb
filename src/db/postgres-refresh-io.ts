// RefreshIO on PostgreSQL (see refresh-io.ts): reads in one REPEATABLE READ transaction (streamed
// with a cursor), writes as multi-row INSERTs into a shadow copy of `insights`, made live by two
// renames in one transaction. Ids sort with COLLATE "C" so both lists of a merge agree.
import { sql, type Kysely } from 'kysely';
import type { BasketInput, FeedbackPoint, OrderHistories } from './histories.ts';
import type { InsightValues, PreviousInsights, RawWindowAnswer, RefreshIO, RunRowsTable, ShadowWriter } from './refresh-io.ts';
import type { Database } from './schema.ts';

const BATCH = 1_000;
const STREAM = 10_000;

export function postgresRefreshIO(db: Kysely<Database>): RefreshIO {
  return {
    async readSnapshot(toDay) {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const customers = await sql<{ customer_id: string; owner: string | null }>`select customer_id, owner from customers order by customer_id collate "C"`.execute(trx);
          const customerIds = customers.rows.map((r) => r.customer_id);
          const owners = customers.rows.map((r) => r.owner);
          const index = new Map(customerIds.map((id, i) => [id, i]));
          const n = customerIds.length;
          const offsets = new Int32Array(n + 1);
          const days: number[] = [];
          const amounts: number[] = [];
          let last = -1;
          const orders = trx.selectFrom('orders').select(['customer_id', 'day', 'amount']).where('day', '<=', toDay).orderBy(sql`customer_id collate "C"`).orderBy('day').stream(STREAM);
          for await (const r of orders) {
            const i = index.get(r.customer_id);
            if (i === undefined) continue;
            for (let j = last + 1; j <= i; j++) offsets[j] = days.length;
            last = i;
            days.push(Number(r.day));
            amounts.push(Number(r.amount));
          }
          for (let j = last + 1; j <= n; j++) offsets[j] = days.length;
          const histories: OrderHistories = { customerIds, owners, offsets, days: Int32Array.from(days), amounts: Float64Array.from(amounts) };

          const feedback: FeedbackPoint[] = [];
          const answers = trx.selectFrom('feedback').select(['customer_id', 'day', 'scale', 'score']).orderBy(sql`customer_id collate "C"`).orderBy('day').orderBy(sql`seq`).stream(STREAM);
          for await (const r of answers) {
            const i = index.get(r.customer_id);
            if (i !== undefined) feedback.push({ customerIndex: i, day: Number(r.day), scale: r.scale, score: Number(r.score) });
          }
          const wm = await sql<{ seq: number | null }>`select max(seq) as seq from feedback`.execute(trx);

          const previous: PreviousInsights = { known: new Uint8Array(n), stage: new Array<string | null>(n).fill(null), sinceDay: new Float64Array(n).fill(NaN), sinceRun: new Float64Array(n).fill(NaN), purchaseDays: new Int32Array(n), churnRisk: new Float64Array(n).fill(NaN), count: 0 };
          const prev = trx.selectFrom('insights').select(['customer_id', 'lifecycle_stage', 'stage_since_day', 'stage_since_run', 'purchase_days', 'churn_risk']).stream(STREAM);
          for await (const r of prev) {
            const i = index.get(r.customer_id);
            if (i === undefined) continue;
            previous.known[i] = 1;
            previous.stage[i] = r.lifecycle_stage;
            previous.sinceDay[i] = r.stage_since_day === null ? NaN : Number(r.stage_since_day);
            previous.sinceRun[i] = r.stage_since_run === null ? NaN : Number(r.stage_since_run);
            previous.purchaseDays[i] = Number(r.purchase_days);
            previous.churnRisk[i] = r.churn_risk === null ? NaN : Number(r.churn_risk);
            previous.count++;
          }
          return { histories, feedback, previous, feedbackWatermark: Number(wm.rows[0]?.seq ?? 0) };
        });
    },
    async readWindowAnswers(fromDay, toDay, watermark) {
      const rows = await sql<{ seq: number; feedback_id: string; customer_id: string; day: number; scale: 'csat' | 'nps'; score: number; has: boolean; terms: string | null; comment: string | null }>`
        select seq, feedback_id, customer_id, day, scale, score, coalesce(comment, '') <> '' as has, terms, case when terms is null then comment end as comment
        from feedback where day >= ${fromDay} and day <= ${toDay} and seq <= ${watermark}`.execute(db);
      return rows.rows.map((r): RawWindowAnswer => ({ seq: Number(r.seq), feedbackId: r.feedback_id, customerId: r.customer_id, day: Number(r.day), scale: r.scale, score: Number(r.score), hasComment: r.has, terms: r.terms, comment: r.comment }));
    },
    async saveTerms(updates) {
      for (let i = 0; i < updates.length; i += BATCH) {
        const chunk = updates.slice(i, i + BATCH);
        await sql`update feedback f set terms = u.terms from unnest(${chunk.map((u) => u.seq)}::bigint[], ${chunk.map((u) => u.terms)}::text[]) as u(seq, terms)
          where f.seq = u.seq and f.terms is null`.execute(db);
      }
    },
    async readBasket(toDay) {
      const products = new Map<string, number>();
      const productIds: string[] = [];
      const orderIndex: number[] = [];
      const productIndex: number[] = [];
      let lastOrder = '';
      let o = -1;
      const rows = db
        .selectFrom('order_items as oi')
        .innerJoin('orders as o', 'o.order_id', 'oi.order_id')
        .select(['oi.order_id', 'oi.product'])
        .where('o.day', '<=', toDay)
        .where('o.amount', '>=', 0)
        .orderBy('oi.order_id')
        .stream(STREAM);
      for await (const r of rows) {
        if (r.order_id !== lastOrder) {
          o++;
          lastOrder = r.order_id;
        }
        let p = products.get(r.product);
        if (p === undefined) {
          p = productIds.length;
          products.set(r.product, p);
          productIds.push(r.product);
        }
        orderIndex.push(o);
        productIndex.push(p);
      }
      const basket: BasketInput = { orderIndex: Int32Array.from(orderIndex), productIndex: Int32Array.from(productIndex), productIds };
      return basket;
    },
    async shadowWriter(runId) {
      await sql`drop table if exists insights_next`.execute(db);
      await sql`create table insights_next (like insights including all)`.execute(db);
      return postgresShadowWriter(db, runId);
    },
  };
}

function postgresShadowWriter(db: Kysely<Database>, runId: number): ShadowWriter {
  let longest = 0;
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    longest = Math.max(longest, performance.now() - t);
  };
  return {
    get longestLockMs() {
      return longest;
    },
    async insights(rows) {
      let batch: InsightValues[] = [];
      const d = db as unknown as Kysely<Database & { insights_next: Database['insights'] }>;
      for (const row of rows) {
        batch.push(row);
        if (batch.length === BATCH) {
          const b = batch;
          await timed(() => d.insertInto('insights_next').values(b).execute());
          batch = [];
        }
      }
      if (batch.length) await timed(() => d.insertInto('insights_next').values(batch).execute());
    },
    async append(table: RunRowsTable, rows) {
      for (let i = 0; i < rows.length; i += BATCH) {
        const chunk = rows.slice(i, i + BATCH);
        await timed(() => (db as Kysely<any>).insertInto(table).values(chunk as Record<string, unknown>[]).execute());
      }
    },
    async publish(run) {
      await timed(() =>
        db.transaction().execute(async (trx) => {
          await sql`alter table insights rename to ${sql.id(`insights_old_${run.runId}`)}`.execute(trx);
          await sql`alter table insights_next rename to insights`.execute(trx);
          await trx.updateTable('model_runs').set({ status: 'done', customers: run.customers, card: JSON.stringify(run.card), finished_at: run.finishedAt, feedback_watermark: run.feedbackWatermark }).where('run_id', '=', run.runId).execute();
          await trx.deleteFrom('basket_rules').execute();
          for (let i = 0; i < run.basketRules.length; i += BATCH) await trx.insertInto('basket_rules').values(run.basketRules.slice(i, i + BATCH)).execute();
        }),
      );
    },
    async cleanup() {
      const old = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema() and tablename like 'insights\\_old\\_%'`.execute(db);
      for (const r of old.rows) await timed(() => sql`drop table if exists ${sql.id(r.name)}`.execute(db));
      const prev = await db.selectFrom('model_runs').select((eb) => eb.fn.max('run_id').as('id')).where('status', '=', 'done').where('run_id', '<', runId).executeTakeFirst();
      const keep = Number(prev?.id ?? runId);
      for (const table of ['report_groups', 'report_lists', 'report_entrants', 'report_satisfaction', 'report_term_windows', 'report_terms', 'report_detractors'] as const) {
        await timed(() => db.deleteFrom(table).where('run_id', '<', keep).execute());
      }
    },
    async abandon(failedRun) {
      await sql`drop table if exists insights_next`.execute(db);
      for (const table of ['lifecycle_transitions', 'report_groups', 'report_lists', 'report_entrants', 'report_satisfaction', 'report_term_windows', 'report_terms', 'report_detractors'] as const) {
        await db.deleteFrom(table).where('run_id', '=', failedRun).execute();
      }
    },
  };
}
