// What a digest says: `buildDigest` picks the kind; the wording lives in at-risk-digest.ts and
// satisfaction-digest.ts. The digest scheduler and `/digest preview` both call this.
import type { Context } from '../core/context.ts';
import { OffLoopRequired } from '../core/off-loop.ts';
import type { Reply } from '../core/reply.ts';
import { MS_PER_DAY } from '../core/time.ts';
import type { DigestKind, DigestPlatform } from '../db/schema.ts';
import { buildAtRiskDigest } from './at-risk-digest.ts';
import { buildSatisfactionDigest } from './satisfaction-digest.ts';

export interface DigestRequest {
  kind: DigestKind;
  owner?: string | null;
  segment?: string | null;
  /** Where it will be posted: decides which chat users owners map to. */
  platform: DigestPlatform;
  /** The slot the digest is for (now, for a preview). */
  scheduledFor: Date;
  /** at-risk: the slot of the previous digest of this subscription; null → the 7 days before. */
  since?: Date | null;
  /** Delivered after its slot: the digest says so. */
  late?: boolean;
  /** The subscription's zone, for the times it shows. */
  timeZone: string;
}

export interface BuiltDigest {
  reply: Reply;
  /** Nothing new to say (skip-if-empty subscriptions skip it). */
  empty: boolean;
  /** Why it is empty, in words, for history. */
  emptyReason?: string;
}

export async function buildDigest(ctx: Context, req: DigestRequest): Promise<BuiltDigest> {
  try {
    if (req.kind === 'alerts') return await (await import('../alerts/alerts-digest.ts')).buildAlertsDigest(ctx, req);
    return await (req.kind === 'satisfaction' ? buildSatisfactionDigest(ctx, req) : buildAtRiskDigest(ctx, req));
  } catch (err) {
    // A digest no rollup covers (a segment's, a week the refresh did not store) is built off the loop.
    if (err instanceof OffLoopRequired && ctx.offLoop) return (await ctx.offLoop.digest(req, ctx.clock.now())) as BuiltDigest;
    throw err;
  }
}

// Days are written `16 Nov 2026`, never `2026-11-16`: posting into a channel scrubs personal data,
// and the phone-number pattern of withoutPersonalData takes an ISO date for a phone number.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function humanDay(day: number): string {
  const d = new Date(day * MS_PER_DAY);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

const weekdayOf = (day: number) => (day + 3) % 7; // Monday = 0 (day 0 was a Thursday)

/** The last complete Monday–Sunday week before `day`: its Monday and its Sunday. */
export function lastCompleteWeek(day: number): { monday: number; sunday: number } {
  const sunday = day - weekdayOf(day) - 1;
  return { monday: sunday - 6, sunday };
}
