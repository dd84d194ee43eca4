// The admin's webhook endpoints: what the procedures take, and the web form reuses.
import { z } from 'zod';
import { objectId, singleLineText } from './common.ts';
import { eventTypes, eventTypeSchema } from './events.ts';

/** A webhook URL as typed: http(s), absolute; whether its host may be a target is the service's to check (it resolves it). */
export const webhookUrl = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, error: 'An http:// or https:// URL' }));

/** Every event type (also those added later), or some of them. */
export const webhookEventTypes = z.union([
  z.literal('all'),
  z
    .array(eventTypeSchema)
    .min(1, 'At least one event type (or all)')
    .max(eventTypes.length)
    .refine((types) => new Set(types).size === types.length, 'Each event type once'),
]);

export const createWebhookEndpointInput = z.strictObject({
  url: webhookUrl,
  description: singleLineText(200).default(''),
  eventTypes: webhookEventTypes,
  enabled: z.boolean().default(true),
});
export type CreateWebhookEndpointInput = z.infer<typeof createWebhookEndpointInput>;

export const updateWebhookEndpointInput = z
  .strictObject({
    endpointId: objectId,
    url: webhookUrl.optional(),
    description: singleLineText(200).optional(),
    eventTypes: webhookEventTypes.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((input) => Object.keys(input).length > 1, 'Nothing to change');
export type UpdateWebhookEndpointInput = z.infer<typeof updateWebhookEndpointInput>;

export const webhookEndpointIdInput = z.strictObject({ endpointId: objectId });

export const webhookDeliveryStatuses = ['pending', 'sending', 'sent', 'failed'] as const;

export const webhookDeliveriesInput = z.strictObject({
  endpointId: objectId,
  status: z.enum(webhookDeliveryStatuses).optional(),
  /** `nextCursor` of the page before. */
  cursor: z
    .string()
    .regex(/^\d{1,15}_[0-9a-f-]{36}$/, 'A cursor from the page before')
    .optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export type WebhookDeliveriesInput = z.infer<typeof webhookDeliveriesInput>;

export const redeliverWebhookInput = z.strictObject({ deliveryId: z.uuid() });
