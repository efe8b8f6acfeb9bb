// RefreshIO on PostgreSQL (see refresh-io.ts). Reads: one REPEATABLE READ transaction on a reserved
// connection, whose snapshot the basket's connection imports (`SET TRANSACTION SNAPSHOT`), so every
// read of a refresh sees one instant; per-customer lists travel as text, one row per customer.
// Writes: `COPY` into a shadow copy of `insights` (one stream, frozen rows, indexes built after),
// made live by two renames in one short transaction.
import { sql, type Kysely, type Transaction } from 'kysely';
import { BasketBuilder, FeedbackBuilder, type BasketInput, type FeedbackAnswers } from './histories.ts';
import { HistoryBuilder, interner, walker } from './refresh-read-helpers.ts';
import type { InsightValues, PreviousInsights, RawWindowAnswer, RefreshIO, RefreshReads, RefreshSnapshot, RunRowsTable, ShadowWriter } from './refresh-io.ts';
import type { PoolClient } from 'pg';
import { copyOut, copyRows, inTransaction, type CopyValue, type PostgresHandle } from './postgres-copy.ts';
import type { Database } from './schema.ts';

/** Rows per INSERT … SELECT FROM unnest(…) (answers' terms, basket rules). */
const BATCH = 20_000;
/** Indexes of insights_next built at once, and the sort memory each may use (the default 64 MB spills 1M keys to disk). */
const INDEX_BUILDERS = 2;
const INDEX_SORT_MEMORY = '256MB';
/** Sort memory of the snapshot's reads. */
const READ_SORT_MEMORY = '256MB';

const RUN_TABLES = ['report_groups', 'report_lists', 'report_entrants', 'report_satisfaction', 'report_term_windows', 'report_terms', 'report_detractors'] as const;

export function postgresRefreshIO(db: Kysely<Database>, pool: PostgresHandle): RefreshIO {
  return {
    async reads() {
      return snapshotReads(db, pool);
    },
    async saveTerms(updates) {
      for (let i = 0; i < updates.length; i += BATCH) {
        const chunk = updates.slice(i, i + BATCH);
        await sql`update feedback f set terms = u.terms from unnest(${chunk.map((u) => u.seq)}::bigint[], ${chunk.map((u) => u.terms)}::text[]) as u(seq, terms)
          where f.seq = u.seq and f.terms is null`.execute(db);
      }
    },
    async shadowWriter(runId) {
      await sql`drop table if exists insights_next`.execute(db);
      // Columns, defaults and checks now; the indexes once the rows are in (one sorted build each).
      await sql`create table insights_next (like insights including defaults including constraints)`.execute(db);
      return postgresShadowWriter(db, pool, runId);
    },
  };
}

async function snapshotReads(db: Kysely<Database>, pool: PostgresHandle): Promise<RefreshReads> {
  const lead = await pool.connect();
  let snapshotId: string;
  try {
    // Room to sort the answers in memory (the default 4 MB spills 1.6M of them to disk).
    await lead.query(`begin isolation level repeatable read read only; set local work_mem = '${READ_SORT_MEMORY}'`);
    snapshotId = (await lead.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id;
  } catch (err) {
    lead.release(err as Error);
    throw err;
  }
  // The snapshot can be imported only while the lead transaction is open: close waits for imports.
  const imports = new Set<Promise<unknown>>();
  let closed = false;
  const onSnapshot = async <T>(read: (client: PoolClient) => Promise<T>): Promise<T> => {
    if (closed) throw new Error('the refresh snapshot is closed');
    return inTransaction(pool, read, (c) => {
      const imported = c.query(`begin isolation level repeatable read read only; set transaction snapshot '${snapshotId}'`);
      imports.add(imported);
      return imported.finally(() => imports.delete(imported));
    });
  };
  return {
    readSnapshot: (toDay, expectedOrders) => readSnapshot(lead, toDay, expectedOrders),
    readWindowAnswers: (fromDay, toDay, watermark, each) => readWindowAnswers(lead, fromDay, toDay, watermark, each),
    readBasket: (toDay) => onSnapshot((client) => readBasket(client, toDay)),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...imports]);
      let broken: Error | undefined;
      try {
        await lead.query('commit').catch((e: Error) => {
          broken = e;
          throw e;
        });
      } finally {
        lead.release(broken);
      }
    },
  };
}

/**
 * Customers, their orders as day and amount lists, answers and the previous insights, each streamed
 * through COPY TO in customer id order ("C": byte order, as SQLite sorts, so both stores number
 * customers alike): millions of rows with no cursor round trips and no object per row.
 */
async function readSnapshot(client: PoolClient, toDay: number, expectedOrders = 0): Promise<RefreshSnapshot> {
  if (!Number.isFinite(toDay)) throw new Error(`readSnapshot: bad day ${toDay}`);
  const customerIds: string[] = [];
  const owners: (string | null)[] = [];
  const shared = interner();
  await copyOut(client, 'select customer_id, owner from customers order by customer_id collate "C"', (f) => {
    customerIds.push(f[0]!);
    owners.push(shared(f[1]!));
  });
  const n = customerIds.length;

  const orders = new HistoryBuilder(customerIds, owners, 'text', expectedOrders);
  await copyOut(
    client,
    `select customer_id, string_agg(day::text, ','), string_agg(amount::text, ',') from orders where day <= ${Math.floor(toDay)}
      group by customer_id order by customer_id collate "C"`,
    (f) => orders.add(f[0]!, f[1]!, f[2]!),
  );
  const histories = orders.finish();

  // Every answer, in customer order, then by day and arrival, into columns allocated once.
  const wm = await client.query<{ seq: number | null; answers: string }>('select max(seq) as seq, count(*) as answers from feedback');
  const answered = new FeedbackBuilder(Number(wm.rows[0]?.answers ?? 0));
  const findF = walker(customerIds);
  await copyOut(client, 'select customer_id, day, scale, score from feedback order by customer_id collate "C", day, seq', (f) => {
    const i = findF(f[0]!);
    if (i >= 0) answered.push(i, Number(f[1]), f[2] as 'csat' | 'nps', Number(f[3]));
  });
  const feedback: FeedbackAnswers = answered.finish();

  const previous: PreviousInsights = { known: new Uint8Array(n), stage: new Array<string | null>(n).fill(null), sinceDay: new Float64Array(n).fill(NaN), sinceRun: new Float64Array(n).fill(NaN), purchaseDays: new Int32Array(n), churnRisk: new Float64Array(n).fill(NaN), count: 0 };
  const findP = walker(customerIds);
  const numberOr = (v: string | null) => (v === null ? NaN : Number(v));
  const prev = `select customer_id, lifecycle_stage, stage_since_day, stage_since_run, purchase_days, churn_risk
    from insights order by customer_id collate "C"`;
  await copyOut(client, prev, (f) => {
    const i = findP(f[0]!);
    if (i < 0) return;
    previous.known[i] = 1;
    previous.stage[i] = shared(f[1]!);
    previous.sinceDay[i] = numberOr(f[2]!);
    previous.sinceRun[i] = numberOr(f[3]!);
    previous.purchaseDays[i] = Number(f[4]);
    previous.churnRisk[i] = numberOr(f[5]!);
    previous.count++;
  });
  return { histories, feedback, previous, feedbackWatermark: Number(wm.rows[0]?.seq ?? 0) };
}

/**
 * The window answers through COPY, each handed on as its line arrives (a query's result is held
 * whole by the driver: 613k rows at 1M customers). The bounds are whole days and a sequence number,
 * written into the statement as COPY takes no parameters.
 */
async function readWindowAnswers(client: PoolClient, fromDay: number, toDay: number, watermark: number, each: (answer: RawWindowAnswer) => void): Promise<void> {
  for (const v of [fromDay, toDay, watermark]) if (!Number.isSafeInteger(v)) throw new Error(`readWindowAnswers: bad bound ${v}`);
  const query = `select seq, feedback_id, customer_id, day, scale, score, coalesce(comment, '') <> '', terms, case when terms is null then comment end
    from feedback where day >= ${fromDay} and day <= ${toDay} and seq <= ${watermark} order by customer_id collate "C"`;
  await copyOut(client, query, (f) => {
    const [seq, feedbackId, customerId, day, scale, score, has, terms, comment] = f;
    each({ seq: Number(seq), feedbackId: feedbackId!, customerId: customerId!, day: Number(day), scale: scale as 'csat' | 'nps', score: Number(score), hasComment: has === 't', terms: terms ?? null, comment: comment ?? null });
  });
}

/**
 * Items of purchases on or before `toDay`, as product numbers, as SQLite reads them: the orders to
 * leave out (refunds, and orders after the day) are few and collected first; then every item in
 * order id order — the primary key's order, an index-only scan — streams out through COPY, and
 * products are numbered as they come. (Grouping items into lists on the server took two hash
 * aggregates over 15M items: ~2 minutes of a core at 1M customers, against ~10 s this way.)
 */
async function readBasket(client: PoolClient, toDay: number): Promise<BasketInput> {
  if (!Number.isFinite(toDay)) throw new Error(`readBasket: bad day ${toDay}`);
  const excluded = new Set<string>();
  await copyOut(client, `select order_id from orders where day > ${Math.floor(toDay)} or amount < 0`, (f) => void excluded.add(f[0]!));
  const basket = new BasketBuilder(excluded);
  await copyOut(client, 'select order_id, product from order_items order by order_id', (f) => basket.item(f[0]!, f[1]!));
  return basket.build();
}

/** A table's columns and their types, in order (what `unnest` casts each array to). */
async function columnTypes(db: Kysely<Database>, table: string): Promise<{ name: string; type: string }[]> {
  const r = await sql<{ name: string; type: string }>`select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
    where attrelid = ${table}::regclass and attnum > 0 and not attisdropped and attidentity = '' and attgenerated = '' order by attnum`.execute(db);
  return r.rows;
}

/** INSERT … SELECT FROM unnest(one array per column): rows are sent as columns, one round trip a batch. */
async function insertColumns(db: Kysely<Database> | Transaction<Database>, table: string, cols: readonly { name: string; type: string }[], rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const arrays = cols.map((c) => sql`${rows.map((r) => r[c.name] ?? null)}::${sql.raw(c.type)}[]`);
  await sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.id(c.name)))}) select * from unnest(${sql.join(arrays)})`.execute(db);
}

/**
 * Gives insights_next the live table's indexes (its primary key included), named for this run: an
 * index keeps its name when its table is renamed, so each generation needs names of its own. Two
 * are built at a time, on connections of their own (CREATE INDEX takes a lock that others share),
 * each with room to sort in memory; the primary key is attached once all are built.
 */
async function indexLikeInsights(db: Kysely<Database>, pool: PostgresHandle, runId: number): Promise<void> {
  const live = await sql<{ name: string; def: string; pk: boolean }>`
    select i.indexname as name, i.indexdef as def, exists (select 1 from pg_constraint c where c.conindid = ix.oid and c.contype = 'p') as pk
    from pg_indexes i join pg_class ix on ix.relname = i.indexname join pg_namespace ns on ns.oid = ix.relnamespace and ns.nspname = i.schemaname
    where i.schemaname = current_schema() and i.tablename = 'insights'`.execute(db);
  const builds = live.rows.map((ix) => {
    const name = `${ix.name.replace(/_r\d+$/, '')}_r${runId}`;
    const def = ix.def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ /, (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX ${name} ON insights_next `);
    return { name, def, pk: ix.pk };
  });
  let next = 0;
  const builder = async () => {
    const client = await pool.connect();
    try {
      await client.query(`set maintenance_work_mem = '${INDEX_SORT_MEMORY}'`);
      for (let b = builds[next++]; b; b = builds[next++]) await client.query(b.def);
      await client.query('reset maintenance_work_mem');
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: Math.min(INDEX_BUILDERS, builds.length) }, builder));
  for (const b of builds) if (b.pk) await sql`alter table insights_next add constraint ${sql.id(b.name)} primary key using index ${sql.id(b.name)}`.execute(db);
}

function postgresShadowWriter(db: Kysely<Database>, pool: PostgresHandle, runId: number): ShadowWriter {
  let longest = 0;
  // What other sessions wait on: the publishing transaction (its renames lock `insights`).
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    longest = Math.max(longest, performance.now() - t);
  };
  const types = new Map<string, Promise<{ name: string; type: string }[]>>();
  const typesOf = (table: string) => {
    let t = types.get(table);
    if (!t) types.set(table, (t = columnTypes(db, table)));
    return t;
  };
  return {
    get longestLockMs() {
      return longest;
    },
    async insights(rows) {
      const cols = await typesOf('insights_next');
      // One COPY, fed as the rows are scored: the server parses a chunk while the next is made.
      await inTransaction(pool, async (client) => {
        // Emptied in this transaction, so the rows can go in frozen: no reader (nor vacuum) has to
        // write the table again to mark them visible.
        await client.query('truncate insights_next');
        const names = cols.map((c) => c.name);
        await copyRows(client, 'insights_next', names, rows, (row, out) => {
          const r = row as unknown as Record<string, CopyValue>;
          for (let c = 0; c < names.length; c++) out[c] = r[names[c]!];
        }, 'freeze');
      });
      await indexLikeInsights(db, pool, runId);
    },
    async append(table: RunRowsTable, rows) {
      if (rows.length === 0) return;
      const names = (await typesOf(table)).filter((c) => c.name in (rows[0] as object)).map((c) => c.name);
      // Rows of their own run: no reader looks at them before publish, and no writer waits on them.
      await inTransaction(pool, (client) =>
        copyRows(client, table, names, rows as readonly Record<string, CopyValue>[], (r, out) => {
          for (let c = 0; c < names.length; c++) out[c] = r[names[c]!];
        }),
      );
    },
    async publish(run) {
      const ruleCols = await typesOf('basket_rules');
      await timed(() =>
        db.transaction().execute(async (trx) => {
          await sql`alter table insights rename to ${sql.id(`insights_old_${run.runId}`)}`.execute(trx);
          await sql`alter table insights_next rename to insights`.execute(trx);
          await trx.updateTable('model_runs').set({ status: 'done', customers: run.customers, card: JSON.stringify(run.card), finished_at: run.finishedAt, feedback_watermark: run.feedbackWatermark }).where('run_id', '=', run.runId).execute();
          await trx.deleteFrom('basket_rules').execute();
          await insertColumns(trx, 'basket_rules', ruleCols, run.basketRules as unknown as Record<string, unknown>[]);
        }),
      );
    },
    async cleanup() {
      const old = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema() and tablename like 'insights\\_old\\_%'`.execute(db);
      for (const r of old.rows) await sql`drop table if exists ${sql.id(r.name)}`.execute(db);
      const prev = await db.selectFrom('model_runs').select((eb) => eb.fn.max('run_id').as('id')).where('status', '=', 'done').where('run_id', '<', runId).executeTakeFirst();
      const keep = Number(prev?.id ?? runId);
      for (const table of RUN_TABLES) await db.deleteFrom(table).where('run_id', '<', keep).execute();
    },
    async abandon(failedRun) {
      await sql`drop table if exists insights_next`.execute(db);
      for (const table of ['lifecycle_transitions', ...RUN_TABLES] as const) await db.deleteFrom(table).where('run_id', '=', failedRun).execute();
    },
  };
}
