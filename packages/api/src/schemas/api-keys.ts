import { apiKeyScopes } from '@shop/db/constants';
import { z } from 'zod';
import { objectId, singleLineText } from './common.ts';

export { apiKeyScopes };
export type { ApiKeyScope } from '@shop/db/constants';
export const apiKeyScope = z.enum(apiKeyScopes);

export const createApiKeyInput = z.strictObject({
  /** What the key is for, as the merchant will recognise it ("Fulfilment service"). */
  name: singleLineText(100).min(1),
  scopes: z.array(apiKeyScope).min(1, 'Choose at least one scope').max(apiKeyScopes.length),
  /** Left out: the key works until it is revoked. */
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((at) => Date.parse(at) > Date.now(), 'An expiry in the future')
    .optional(),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

export const revokeApiKeyInput = z.strictObject({ id: objectId });
