// Which period of a subscription is due at an instant. Pure: the scheduler, `pulse digest tick` and
// the tests ask the same question with their own `now`.
import { previousSlot, scheduleOrThrow } from './cron.ts';

export interface DueRun {
  /** The scheduled instant as an ISO string in UTC: the outbox key of the period. */
  periodKey: string;
  scheduledFor: Date;
  /** Delivered noticeably after its slot (the bot was down or busy): said in the post and in history. */
  late: boolean;
}

export interface SchedulableSubscription {
  schedule: string;
  time_zone: string;
  /** ISO instant; slots before it never run (subscribing on Tuesday does not post last Monday's). */
  created_at: string;
}

/** A slot picked up within this long is on time; the minute scheduler is a few ms late at most. */
export const LATE_AFTER_MS = 5 * 60_000;

/** The ISO key of a slot instant (`2026-03-30T07:00:00.000Z`): sorts as text in time order. */
export const periodKeyOf = (ms: number): string => new Date(ms).toISOString();

/**
 * The runs due at `now`: the most recent slot at or before `now` when it is newer than the last
 * period already in the outbox, else nothing. Never more than one: after downtime only the latest
 * missed period is caught up (a manager wants this Monday's digest, not five old ones), marked late.
 */
export function dueRuns(subscription: SchedulableSubscription, lastPeriodKey: string | null, now: Date, lateAfterMs = LATE_AFTER_MS): DueRun[] {
  const schedule = scheduleOrThrow(subscription.schedule);
  const notBefore = Date.parse(subscription.created_at);
  const slot = previousSlot(schedule, subscription.time_zone, now.getTime(), Number.isNaN(notBefore) ? -Infinity : notBefore);
  if (slot === undefined) return [];
  const periodKey = periodKeyOf(slot);
  if (lastPeriodKey !== null && periodKey <= lastPeriodKey) return [];
  return [{ periodKey, scheduledFor: new Date(slot), late: now.getTime() - slot > lateAfterMs }];
}
