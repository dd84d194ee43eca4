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
