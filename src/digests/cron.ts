// Cron expressions read as wall-clock time in an IANA zone. node-cron parses and validates (so a
// schedule it accepts is one we understand); the search for the previous and next slot is ours,
// because node-cron only fires forward and keeps nothing across restarts (no catch-up).
//
// Semantics, mirroring node-cron's matcher: five fields (minute hour day-of-month month weekday);
// day-of-month AND weekday must both match (node-cron, unlike Vixie cron, does not OR them); `L`,
// `15W`, `LW`, `L-3`, `1#2` (second Monday) and `5L` (last Friday) work as in node-cron.
// Daylight-saving changes: a slot in the spring-forward gap (02:30 on the change night in Berlin)
// fires once at the same offset after the gap (03:30); a slot in the autumn overlap fires once, at
// its second (winter-time) occurrence. Either way each local slot fires exactly once.
import cron from 'node-cron';
import { isValidTimeZone } from '../core/config.ts';
import { MS_PER_DAY, wallTimeToInstant, zoneOffsetMs } from '../core/time.ts';

export interface CronSchedule {
  expression: string;
  minutes: number[];
  hours: number[];
  months: Set<number>;
  daysOfMonth: (number | string)[];
  weekdays: (number | string)[];
}

export type ScheduleCheck = { ok: true; schedule: CronSchedule } | { ok: false; reason: string };

/** Parses a five-field cron expression; the reason is a sentence for a person when it is not one. */
export function parseSchedule(expression: string): ScheduleCheck {
  const text = expression.trim();
  let detailed: ReturnType<typeof cron.validateDetailed>;
  try {
    detailed = cron.validateDetailed(text);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (!detailed.valid || !detailed.fields) {
    return { ok: false, reason: detailed.errors.map((e) => e.message).join('; ') || 'not a cron expression' };
  }
  const fieldCount = text.startsWith('@') ? 5 : text.split(/\s+/).length;
  if (fieldCount !== 5) return { ok: false, reason: 'digests take five fields (minute hour day-of-month month weekday); a seconds field is not supported' };
  // validate() is stricter than validateDetailed() on some inputs; a schedule must pass both.
  if (!cron.validate(text)) return { ok: false, reason: 'node-cron does not accept it' };
  const f = detailed.fields;
  return {
    ok: true,
    schedule: {
      expression: text,
      minutes: [...f.minute].sort((a, b) => a - b),
      hours: [...f.hour].sort((a, b) => a - b),
      months: new Set(f.month),
      daysOfMonth: f.dayOfMonth,
      weekdays: f.dayOfWeek.map((d) => (d === 7 ? 0 : d)),
    },
  };
}

/** Throws with the reason; for code paths where the expression was validated when stored. */
export function scheduleOrThrow(expression: string): CronSchedule {
  const parsed = parseSchedule(expression);
  if (!parsed.ok) throw new Error(`Invalid cron expression "${expression}": ${parsed.reason}`);
  return parsed.schedule;
}

/** The canonical IANA name (`europe/berlin` → `Europe/Berlin`), or undefined when Intl does not know it. */
export function canonicalTimeZone(zone: string): string | undefined {
  if (!isValidTimeZone(zone.trim())) return undefined;
  return new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
}

// Looking further than this for a slot means the expression (almost) never fires: `0 9 29 2 1` is a
// Monday 29 February, seven times a century.
const MAX_SCAN_DAYS = 366 * 30;
// DST moves a zone's offset by at most two hours (Antarctica/Troll); three is safely beyond it.
const MAX_SHIFT_MS = 3 * 3_600_000;

/** The latest slot at or before `atMs` (and not before `notBeforeMs`), as an instant in ms. */
export function previousSlot(schedule: CronSchedule, timeZone: string, atMs: number, notBeforeMs = -Infinity): number | undefined {
  const firstDay = Math.floor((atMs + zoneOffsetMs(atMs, timeZone)) / MS_PER_DAY) + 1;
  const lastDay = Math.max(firstDay - MAX_SCAN_DAYS, Math.floor((notBeforeMs - 14 * 3_600_000) / MS_PER_DAY) - 1);
  let best: number | undefined;
  let bestWall = 0;
  for (let day = firstDay; day >= lastDay; day--) {
    if (best !== undefined && day * MS_PER_DAY + MS_PER_DAY <= bestWall - MAX_SHIFT_MS) break;
    if (!dayMatches(schedule, day)) continue;
    for (let h = schedule.hours.length - 1; h >= 0; h--) {
      for (let m = schedule.minutes.length - 1; m >= 0; m--) {
        const wall = day * MS_PER_DAY + schedule.hours[h]! * 3_600_000 + schedule.minutes[m]! * 60_000;
        if (best !== undefined && wall < bestWall - MAX_SHIFT_MS) break;
        const at = wallTimeToInstant(wall, timeZone);
        if (at <= atMs && at >= notBeforeMs && (best === undefined || at > best)) {
          if (best === undefined) bestWall = wall;
          best = at;
        }
      }
    }
  }
  return best;
}

/** The earliest slot strictly after `afterMs`, as an instant in ms (undefined: none within 30 years). */
export function nextSlot(schedule: CronSchedule, timeZone: string, afterMs: number): number | undefined {
  const firstDay = Math.floor((afterMs + zoneOffsetMs(afterMs, timeZone)) / MS_PER_DAY) - 1;
  let best: number | undefined;
  let bestWall = 0;
  for (let day = firstDay; day <= firstDay + MAX_SCAN_DAYS; day++) {
    if (best !== undefined && day * MS_PER_DAY >= bestWall + MAX_SHIFT_MS) break;
    if (!dayMatches(schedule, day)) continue;
    for (const h of schedule.hours) {
      for (const m of schedule.minutes) {
        const wall = day * MS_PER_DAY + h * 3_600_000 + m * 60_000;
        if (best !== undefined && wall > bestWall + MAX_SHIFT_MS) break;
        const at = wallTimeToInstant(wall, timeZone);
        if (at > afterMs && (best === undefined || at < best)) {
          if (best === undefined) bestWall = wall;
          best = at;
        }
      }
    }
  }
  return best;
}

/** The next `count` slots after `afterMs`. */
export function nextSlots(schedule: CronSchedule, timeZone: string, afterMs: number, count: number): number[] {
  const out: number[] = [];
  let from = afterMs;
  while (out.length < count) {
    const next = nextSlot(schedule, timeZone, from);
    if (next === undefined) break;
    out.push(next);
    from = next;
  }
  return out;
}

function dayMatches(s: CronSchedule, day: number): boolean {
  const date = new Date(day * MS_PER_DAY);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const dom = date.getUTCDate();
  if (!s.months.has(month)) return false;
  const weekday = date.getUTCDay();
  return s.daysOfMonth.some((v) => domMatches(v, year, month, dom)) && s.weekdays.some((v) => weekdayMatches(v, year, month, dom, weekday));
}

const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function nearestWeekday(year: number, month: number, target: number): number {
  const last = lastDayOfMonth(year, month);
  if (target < 1 || target > last) return -1; // `31W` in a 30-day month never fires (as in node-cron)
  const day = target;
  const wd = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (wd === 6) return day === 1 ? 3 : day - 1; // Saturday → Friday, or Monday when the 1st
  if (wd === 0) return day === last ? day - 2 : day + 1; // Sunday → Monday, or Friday when the last
  return day;
}

function domMatches(v: number | string, year: number, month: number, dom: number): boolean {
  if (typeof v === 'number') return v === dom;
  const last = lastDayOfMonth(year, month);
  if (v === 'L') return dom === last;
  const w = /^(\d{1,2}|L)W$/i.exec(v);
  if (w) return nearestWeekday(year, month, w[1]!.toUpperCase() === 'L' ? last : Number(w[1])) === dom;
  const off = /^L-(\d{1,2})$/i.exec(v);
  if (off) return last - Number(off[1]) === dom;
  return false;
}

function weekdayMatches(v: number | string, year: number, month: number, dom: number, weekday: number): boolean {
  if (typeof v === 'number') return v === weekday;
  const nth = /^([0-7])#([1-5])$/.exec(v);
  if (nth) return Number(nth[1]) % 7 === weekday && Math.floor((dom - 1) / 7) + 1 === Number(nth[2]);
  const lastOf = /^([0-7])L$/i.exec(v);
  if (lastOf) return Number(lastOf[1]) % 7 === weekday && dom + 7 > lastDayOfMonth(year, month);
  return false;
}

const localFormats = new Map<string, Intl.DateTimeFormat>();

/** `Mon 30 Mar 2026, 09:00 CEST`: an instant as people in `timeZone` read it. */
export function formatLocal(ms: number, timeZone: string): string {
  let f = localFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
    localFormats.set(timeZone, f);
  }
  return f.format(new Date(ms)).replace(' at ', ', ');
}
