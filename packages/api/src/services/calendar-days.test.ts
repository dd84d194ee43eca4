import { describe, expect, it } from 'vitest';
import { addDays, calendarDay, startOfDay } from './calendar-days.ts';

describe('calendar days in a time zone', () => {
  it('say which day an instant falls on there', () => {
    const instant = new Date('2026-03-15T03:30:00Z');
    expect(calendarDay(instant, 'UTC')).toBe('2026-03-15');
    expect(calendarDay(instant, 'America/New_York')).toBe('2026-03-14');
    expect(calendarDay(new Date('2026-03-14T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-15');
  });

  it('start at midnight, whatever the offset, on either side of a change to daylight saving time', () => {
    expect(startOfDay('2026-03-15', 'UTC').toISOString()).toBe('2026-03-15T00:00:00.000Z');
    expect(startOfDay('2026-03-15', 'Asia/Kolkata').toISOString()).toBe('2026-03-14T18:30:00.000Z');
    // New York moves to summer time at 02:00 on 8 March 2026: that day starts in winter time.
    expect(startOfDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(startOfDay('2026-11-01', 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(startOfDay('2026-11-02', 'America/New_York').toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });

  it('start at 01:00 where midnight is skipped', () => {
    // Chile went from 24:00 on Saturday 6 September 2025 straight to 01:00 on Sunday.
    expect(startOfDay('2025-09-07', 'America/Santiago').toISOString()).toBe('2025-09-07T04:00:00.000Z');
    expect(calendarDay(new Date('2025-09-07T03:59:59Z'), 'America/Santiago')).toBe('2025-09-06');
  });

  it('count across months and leap days', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
