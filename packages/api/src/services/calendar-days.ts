// Calendar days in a time zone, with nothing but Intl: which day an instant falls on there, and
// when a day starts (daylight saving time included: a day may be 23 or 25 hours long, and in a
// few zones midnight itself is skipped once a year).

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time at `instant` in `timeZone`, read as if it were UTC (milliseconds). */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(dayFormat(timeZone).formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The calendar day (`2026-03-14`) `instant` falls on in `timeZone`. */
export function calendarDay(instant: Date, timeZone: string): string {
  return new Date(wallClock(instant.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The day `offset` days after `day` (negative: before), `2026-03-01` − 1 = `2026-02-28`. */
export function addDays(day: string, offset: number): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date + offset)).toISOString().slice(0, 10);
}

/** The first instant of `day` in `timeZone`: its midnight, or the first moment after a skipped one. */
export function startOfDay(day: string, timeZone: string): Date {
  const midnight = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset near that midnight, corrected once for a change of offset in between.
  let start = midnight - (wallClock(midnight, timeZone) - midnight);
  start = midnight - (wallClock(start, timeZone) - start);
  // Midnight skipped (the clocks went from 23:59 to 01:00): the day starts at the jump.
  while (calendarDay(new Date(start), timeZone) < day) start += 15 * 60_000;
  while (calendarDay(new Date(start - 1), timeZone) === day) start -= 15 * 60_000;
  return new Date(start);
}
