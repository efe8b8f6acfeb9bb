// Feedback: recording a chat submission (stored once even when sent twice) and reading it back.
import { sql, type Kysely } from 'kysely';
import type { Database, FeedbackRow, NewFeedback } from './schema.ts';

/**
 * Stores the feedback unless the same submission (`dedupeKey`, derived from who sent what about whom)
 * was stored after `since`. Decided by one statement, so two copies arriving at once (a double
 * click, a retried request, two replicas) cannot both pass a check: the key's row is inserted, or —
 * when it exists — taken over only if its submission is older than `since`; when neither happens the
 * insert is ignored and this is a duplicate.
 */
export async function recordFeedback(
  db: Kysely<Database>,
  row: NewFeedback,
  dedupe: { key: string; since: string },
): Promise<{ feedbackId: string; duplicate: boolean }> {
  return db.transaction().execute(async (trx) => {
    const claim = await trx
      .insertInto('feedback_keys')
      .values({ dedupe_key: dedupe.key, feedback_id: row.feedback_id, created_at: row.created_at })
      .onConflict((oc) =>
        oc.column('dedupe_key').doUpdateSet({ feedback_id: row.feedback_id, created_at: row.created_at }).where('feedback_keys.created_at', '<', dedupe.since),
      )
      .executeTakeFirst();
    if (Number(claim.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const existing = await trx.selectFrom('feedback_keys').select('feedback_id').where('dedupe_key', '=', dedupe.key).executeTakeFirst();
      return { feedbackId: existing?.feedback_id ?? row.feedback_id, duplicate: true };
    }
    await trx.insertInto('feedback').values(row).execute();
    return { feedbackId: row.feedback_id, duplicate: false };
  });
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
