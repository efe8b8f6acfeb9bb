// Quiet hours in the owner's zone: a direct message that falls due at 23:40 in Berlin waits until
// 07:00 Berlin time. Pure.
import { zoneOffsetMs } from '../core/time.ts';
import type { QuietHours } from './settings.ts';

/**
 * When a direct message due at `atMs` may go out: undefined when `atMs` is outside quiet hours in
 * `timeZone`, else the instant quiet hours end there (the next local `to`:00).
 * @example quietUntil(Date.parse('2026-06-01T21:30:00Z'), 'Europe/Berlin', { from: 22, to: 7 }) // 2026-06-02T05:00:00Z
 */
export function quietUntil(atMs: number, timeZone: string, quiet: QuietHours | null): number | undefined {
  if (!quiet) return undefined;
  const localMs = atMs + zoneOffsetMs(atMs, timeZone);
  const minuteOfDay = Math.floor((((localMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
  const hour = minuteOfDay / 60;
  const inside = quiet.from < quiet.to ? hour >= quiet.from && hour < quiet.to : hour >= quiet.from || hour < quiet.to;
  if (!inside) return undefined;
  const minutesLeft = (((quiet.to * 60 - minuteOfDay) % 1440) + 1440) % 1440;
  const wallEnd = localMs - (localMs % 60_000) + minutesLeft * 60_000;
  // The wall-clock end back to an instant; across a DST change the offset at the end differs.
  let end = wallEnd - zoneOffsetMs(wallEnd, timeZone);
  end = wallEnd - zoneOffsetMs(end, timeZone);
  return end > atMs ? end : atMs;
}
