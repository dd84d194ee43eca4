import { z } from 'zod';

/** A MongoDB ObjectId as 24 hex characters: a malformed id never reaches a query. */
export const objectId = z.string().regex(/^[a-f0-9]{24}$/i, 'Must be a 24-character hex id').toLowerCase();

export const slug = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lower-case letters, digits and single dashes');

/**
 * Text a person types into a one-line field (a search, a name): trimmed, and refused if it holds
 * a C0 control character or DEL — tab and line breaks included. None has a use there; a NUL makes
 * MongoDB refuse a regex built from the text (a 500), and the others would reach pages and logs.
 */
export function singleLineText(max: number) {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return z.string().trim().max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'No control characters (tabs, line breaks, NUL…)');
}

/** Like `singleLineText`, for several lines (a description): line breaks and tabs are allowed. */
export function multiLineText(max: number) {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return z.string().trim().max(max).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'No control characters other than tabs and line breaks');
}

export const page = z.number().int().min(1).max(10_000).default(1);
export const limit = z.number().int().min(1).max(100).default(20);

/** An integer amount in minor units (cents). */
export const money = z.number().int().min(0).max(100_000_000);

/** Most options a product may have (e.g. Size, Colour, Material), and most values per option. */
export const maxOptions = 3;
export const maxOptionValues = 30;

/**
 * An option's name ("Size"): letters, digits, spaces, dashes and underscores. It is a key of
 * each variant's option values, so it can never hold `.` or start with `$`.
 */
export const optionName = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, 'Letters, digits, spaces, dashes and underscores');

/** One value of an option ("M", "Navy blue"). */
export const optionValue = singleLineText(40).min(1);

/** Option name → value, at most one entry per option. */
export const optionValues = z
  .record(optionName, optionValue)
  .refine((values) => Object.keys(values).length <= maxOptions, `At most ${maxOptions} options`);
