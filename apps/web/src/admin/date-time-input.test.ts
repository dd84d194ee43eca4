import { createDiscountInput } from '@shop/api/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoToLocalDateTime, localDateTimeToIso, sameInstant, utcOffsetLabel } from './date-time-input.ts';

// Node follows TZ when it changes: Berlin, whose offset differs from UTC's and changes in summer.
const runnerTimeZone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  process.env.TZ = runnerTimeZone;
});

describe('localDateTimeToIso', () => {
  it('reads the wall-clock time typed as an instant in this time zone', () => {
    expect(localDateTimeToIso('2026-07-01T09:30')).toBe('2026-07-01T07:30:00.000Z');
    expect(localDateTimeToIso('2026-01-15T09:30')).toBe('2026-01-15T08:30:00.000Z');
    const iso = localDateTimeToIso('2026-07-01T09:30');
    expect(iso).toBe(new Date(2026, 6, 1, 9, 30).toISOString());
    expect(new Date(iso ?? '').getHours()).toBe(9);
    expect(localDateTimeToIso('2026-07-01T09:30:15')).toBe(new Date(2026, 6, 1, 9, 30, 15).toISOString());
  });

  it('answers null for an empty field and undefined for what is no date', () => {
    expect(localDateTimeToIso('')).toBeNull();
    expect(localDateTimeToIso('  ')).toBeNull();
    for (const text of ['tomorrow', '2026-07-01', '2026-04-31T10:00', '2026-07-01T25:00', '2026-13-01T10:00', '2026-07-01 09:30']) {
      expect(localDateTimeToIso(text)).toBeUndefined();
    }
  });

  it('writes what the API takes as an instant', () => {
    const startsAt = localDateTimeToIso('2026-07-01T00:00');
    const endsAt = localDateTimeToIso('2026-08-31T23:59');
    expect(createDiscountInput.safeParse({ code: 'SUMMER', type: 'percentage', value: 10, startsAt, endsAt }).success).toBe(true);
  });
});

describe('isoToLocalDateTime', () => {
  it('round-trips with localDateTimeToIso, seconds only when there are some', () => {
    for (const local of ['2026-07-01T09:30', '2026-12-24T18:00', '2027-03-28T01:59:30']) expect(isoToLocalDateTime(localDateTimeToIso(local) ?? null)).toBe(local);
    expect(isoToLocalDateTime(null)).toBe('');
  });
});

describe('sameInstant', () => {
  it('compares to the second, whatever the offset written', () => {
    expect(sameInstant('2026-07-01T00:00:00.000Z', '2026-07-01T02:00:00+02:00')).toBe(true);
    expect(sameInstant('2026-07-01T00:00:00.250Z', '2026-07-01T00:00:00Z')).toBe(true);
    expect(sameInstant('2026-07-01T00:00:01Z', '2026-07-01T00:00:00Z')).toBe(false);
    expect(sameInstant(null, null)).toBe(true);
    expect(sameInstant(null, '2026-07-01T00:00:00Z')).toBe(false);
  });
});

describe('utcOffsetLabel', () => {
  it('states the offset of the time zone at that date', () => {
    expect(utcOffsetLabel(new Date('2026-01-15T12:00:00Z'))).toBe('UTC+01:00');
    expect(utcOffsetLabel(new Date('2026-07-15T12:00:00Z'))).toBe('UTC+02:00');
    process.env.TZ = 'America/St_Johns';
    expect(utcOffsetLabel(new Date('2026-01-15T12:00:00Z'))).toBe('UTC−03:30');
    process.env.TZ = 'Europe/Berlin';
  });
});
