// Feedback: recording a chat submission (stored once even when sent twice) and reading it back.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database, FeedbackRow, NewFeedback } from './schema.ts';

const INTEGER_COLUMNS = new Set(['score', 'day', 'import_id', 'import_line']);

/**
 * Stores the feedback unless the same author sent the same thing for the same customer since
 * `since`. Race-safe: the check and the insert are one statement — atomic on SQLite (a write
 * statement holds the write lock from its start) and, on PostgreSQL, run under a transaction lock
 * on the customer, so two replicas receiving one double-clicked form store it once.
 */
export async function recordFeedback(db: Kysely<Database>, row: NewFeedback, since: string): Promise<{ feedbackId: string; duplicate: boolean }> {
  const same = (q: Kysely<Database>) => {
    let s = q
      .selectFrom('feedback')
      .select('feedback_id')
      .where('customer_id', '=', row.customer_id)
      .where('scale', '=', row.scale)
      .where('score', '=', row.score)
      .where('created_at', '>=', since);
    s = row.author == null ? s.where('author', 'is', null) : s.where('author', '=', row.author);
    return row.comment == null ? s.where('comment', 'is', null) : s.where('comment', '=', row.comment);
  };
  const columns = (Object.keys(row) as (keyof NewFeedback & string)[]).filter((c) => row[c] !== undefined);
  const insertOnce = async (q: Kysely<Database>) => {
    // Typed casts: PostgreSQL reads a bare parameter in a SELECT list as text.
    const values = columns.map((c) => sql`cast(${row[c] ?? null} as ${sql.raw(INTEGER_COLUMNS.has(c) ? 'integer' : 'text')})`);
    const r = await sql`insert into feedback (${sql.join(columns.map((c) => sql.id(c)))}) select ${sql.join(values)}
      where not exists ${same(q).select(sql`1`.as('one'))}`.execute(q);
    return Number(r.numAffectedRows ?? 0) === 1;
  };
  const inserted =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? await db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtext(current_schema()), hashtext(${'feedback:' + row.customer_id}))`.execute(trx);
          return insertOnce(trx);
        })
      : await insertOnce(db);
  if (inserted) return { feedbackId: row.feedback_id, duplicate: false };
  const existing = await same(db).executeTakeFirst();
  return { feedbackId: existing?.feedback_id ?? row.feedback_id, duplicate: true };
}

export async function customerFeedback(db: Kysely<Database>, customerId: string): Promise<FeedbackRow[]> {
  return db.selectFrom('feedback').selectAll().where('customer_id', '=', customerId).orderBy('day').orderBy('created_at').execute();
}

export interface FeedbackFilter {
  fromDay: number;
  toDay: number;
  owner?: string;
  segment?: string;
}

export interface FeedbackWithCustomer {
  customer_id: string;
  scale: 'csat' | 'nps';
  score: number;
  comment: string | null;
  day: number;
  name: string | null;
  company: string | null;
  owner: string | null;
  /** 12-month CLV when a refresh has run, else null. */
  clv_12m: number | null;
  revenue: number | null;
  segment: string | null;
}

/** Feedback in [fromDay, toDay] with the customer's owner, segment and value, for satisfaction reports. */
export async function feedbackBetween(db: Kysely<Database>, f: FeedbackFilter): Promise<FeedbackWithCustomer[]> {
  let q = db
    .selectFrom('feedback as f')
    .innerJoin('customers as c', 'c.customer_id', 'f.customer_id')
    .leftJoin('insights as i', 'i.customer_id', 'f.customer_id')
    .select(['f.customer_id', 'f.scale', 'f.score', 'f.comment', 'f.day', 'c.name', 'c.company', 'c.owner', 'i.clv_12m', 'i.revenue', 'i.segment'])
    .where('f.day', '>=', f.fromDay)
    .where('f.day', '<=', f.toDay);
  if (f.owner) q = q.where(sql`lower(c.owner)`, '=', f.owner.toLowerCase());
  if (f.segment) q = q.where(sql`lower(i.segment)`, '=', f.segment.toLowerCase());
  return (await q.execute()) as FeedbackWithCustomer[];
}
