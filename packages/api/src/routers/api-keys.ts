import { createApiKeyInput, revokeApiKeyInput } from '../schemas/api-keys.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

/** Admin sessions only: a key never makes, sees or revokes keys. */
export const apiKeysAdminRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listApiKeys(ctx.db)),
  /** The only answer that ever carries the key's secret. */
  create: adminProcedure.input(createApiKeyInput).mutation(({ ctx, input }) => createApiKey(ctx.db, input, ctx.user.id)),
  revoke: adminProcedure.input(revokeApiKeyInput).mutation(({ ctx, input }) => revokeApiKey(ctx.db, input.id, ctx.user.id)),
});
