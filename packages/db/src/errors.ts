/** MongoDB's duplicate-key error (a unique index refused an insert or update). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}

/**
 * Whether a duplicate-key error is about the index on `field` (its name starts `field_1`).
 * MongoDB also says so in `keyPattern`; the offline server only in the message.
 */
export function isDuplicateKeyOn(error: unknown, field: string): boolean {
  if (!isDuplicateKeyError(error)) return false;
  const keyPattern = typeof error === 'object' && error !== null && 'keyPattern' in error ? error.keyPattern : undefined;
  if (typeof keyPattern === 'object' && keyPattern !== null) return Object.keys(keyPattern)[0] === field;
  return error instanceof Error && error.message.includes(`index: ${field}_1`);
}
