import { z } from 'zod';

/** A MongoDB ObjectId as 24 hex characters: a malformed id never reaches a query. */
export const objectId = z.string().regex(/^[a-f0-9]{24}$/i, 'Must be a 24-character hex id').toLowerCase();

export const slug = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lower-case letters, digits and single dashes');

export const page = z.number().int().min(1).max(10_000).default(1);
export const limit = z.number().int().min(1).max(100).default(20);

/** An integer amount in minor units (cents). */
export const money = z.number().int().min(0).max(100_000_000);
