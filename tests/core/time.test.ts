import { describe, expect, it } from 'vitest';
import { dayNumber, formatDay, localDay, parseDate } from '../../src/core/time.ts';

describe('parseDate', () => {
  it('GIVEN ISO dates, YYYYMMDD and date-times with and without a zone THEN the local day is right', () => {
    expect(parseDate('2024-03-05', 'UTC')!.day).toBe(dayNumber(2024, 3, 5));
    expect(parseDate('20240305', 'UTC')!.iso).toBe('2024-03-05');
    // 23:30 in New York on the 5th is the 6th in UTC, and the 5th in New York.
    expect(parseDate('2024-03-05T23:30:00-05:00', 'UTC')!.day).toBe(dayNumber(2024, 3, 6));
    expect(parseDate('2024-03-05T23:30:00-05:00', 'America/New_York')!.day).toBe(dayNumber(2024, 3, 5));
    // Without a zone, wall-clock time in the configured zone.
    const berlin = parseDate('2024-07-01 08:00', 'Europe/Berlin')!;
    expect(berlin.iso).toBe('2024-07-01T06:00:00.000Z');
    expect(parseDate('2024-03-05T10:00:00Z', 'UTC')!.iso).toBe('2024-03-05T10:00:00.000Z');
    expect(parseDate('2024-03-05T10:00:00.123+0530', 'UTC')!.iso).toBe('2024-03-05T04:30:00.123Z');
  });

  it('GIVEN impossible or foreign formats THEN it returns undefined', () => {
    for (const s of ['2024-02-30', '2024-13-01', '05/03/2024', 'yesterday', '', '2024-03-05T25:00']) expect(parseDate(s, 'UTC')).toBeUndefined();
  });

  it('GIVEN the Berlin spring-forward night THEN local days still follow the wall clock', () => {
    const ms = Date.parse('2025-03-30T00:30:00Z'); // 01:30 CET
    expect(formatDay(localDay(ms, 'Europe/Berlin'))).toBe('2025-03-30');
    expect(formatDay(localDay(Date.parse('2025-03-29T23:30:00Z'), 'Europe/Berlin'))).toBe('2025-03-30');
    expect(formatDay(localDay(Date.parse('2025-03-29T22:30:00Z'), 'Europe/Berlin'))).toBe('2025-03-29');
  });
});
