// Dates a merchant picks in a `datetime-local` field ("2026-07-01T09:30", a wall-clock time in
// the browser's time zone) and the instants the API takes and answers (ISO 8601 with an offset).

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * "2026-07-01T09:30", in this browser's time zone → "2026-07-01T07:30:00.000Z" (in Berlin's
 * summer); '' → null (an open end); undefined when the text is no date and time.
 */
export function localDateTimeToIso(value: string): string | null | undefined {
  if (value.trim() === '') return null;
  const match = localPattern.exec(value.trim());
  if (!match) return undefined;
  const [year = 0, month = 0, day = 0, hours = 0, minutes = 0, seconds = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(year, month - 1, day, hours, minutes, seconds);
  // A 31 April or a 25:00 rolls over into another day: not what was typed.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day || date.getMinutes() !== minutes) return undefined;
  return date.toISOString();
}

/** An API instant → the `datetime-local` value showing it in this browser's time zone ('' for none). */
export function isoToLocalDateTime(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const seconds = date.getSeconds() === 0 ? '' : `:${pad(date.getSeconds())}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}${seconds}`;
}

/** The same instant to the second (a `datetime-local` field keeps no milliseconds). */
export function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);
}

/** "UTC+02:00" for a date in Berlin's summer, "UTC−05:00" in New York's winter. */
export function utcOffsetLabel(at: Date): string {
  const offset = -at.getTimezoneOffset();
  const sign = offset < 0 ? '−' : '+';
  const minutes = Math.abs(offset);
  return `UTC${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** The browser's time zone as a merchant reads it: "Europe/Berlin (UTC+02:00 now)". */
export function timeZoneLabel(at = new Date()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${zone} (${utcOffsetLabel(at)} now)`;
}
