/**
 * Who did an admin action (a stock adjustment, an import): an admin, or a service's API key —
 * never a made-up user for the key. Audit records keep the key's id and its name as it was.
 */
export type Actor = { kind: 'user'; userId: string } | { kind: 'apiKey'; keyId: string; name: string };

/** An actor as an audit record's fields (`StockAdjustment`'s `userId` or `apiKey`). */
export function auditFields(actor: Actor): { userId: string } | { apiKey: { id: string; name: string } } {
  return actor.kind === 'user' ? { userId: actor.userId } : { apiKey: { id: actor.keyId, name: actor.name } };
}
