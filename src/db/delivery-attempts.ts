// The moment a digest delivery is about to be posted. From then on its message may be on the
// platform even if this process never hears back (it may die right after the platform took it), so
// whoever takes the delivery over afterwards looks for the message before posting again.
import type { Kysely } from 'kysely';
import type { DeliveryKey } from './digests.ts';
import type { Database } from './schema.ts';

/**
 * Renews this process's claim and marks the delivery attempted (the first attempt's time stays).
 * True while the claim is still this process's; false when it was taken over or finished.
 */
export async function renewClaimForPost(db: Kysely<Database>, key: DeliveryKey, claimedBy: string, now: string): Promise<boolean> {
  const res = await db
    .updateTable('digest_deliveries')
    .set((eb) => ({ claimed_at: now, updated_at: now, attempted_at: eb.fn.coalesce('attempted_at', eb.val(now)) }))
    .where('subscription_id', '=', key.subscription_id)
    .where('period_key', '=', key.period_key)
    .where('claimed_by', '=', claimedBy)
    .where('status', '=', 'claimed')
    .where('message_id', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
