// Feedback: recording a chat submission (stored once even when sent twice) and reading it back.
import { sql, type Kysely } from 'kysely';
import type { Database, FeedbackRow, NewFeedback } from './schema.ts';

/** Stores the feedback unless the same author sent the same thing for the same customer since `since`. */
export async function recordFeedback(db: Kysely<Database>, row: NewFeedback, since: string): Promise<{ feedbackId: string; duplicate: boolean }> {
  let q = db
    .selectFrom('feedback')
    .select('feedback_id')
    .where('customer_id', '=', row.customer_id)
    .where('scale', '=', row.scale)
    .where('score', '=', row.score)
    .where('created_at', '>=', since);
  q = row.author == null ? q.where('author', 'is', null) : q.where('author', '=', row.author);
  q = row.comment == null ? q.where('comment', 'is', null) : q.where('comment', '=', row.comment);
  const existing = await q.executeTakeFirst();
  if (existing) return { feedbackId: existing.feedback_id, duplicate: true };
  await db.insertInto('feedback').values(row).execute();
  return { feedbackId: row.feedback_id, duplicate: false };
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
