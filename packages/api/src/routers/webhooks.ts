import {
  createWebhookEndpointInput,
  redeliverWebhookInput,
  updateWebhookEndpointInput,
  webhookDeliveriesInput,
  webhookEndpointIdInput,
} from '../schemas/webhooks.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  sendTestWebhook,
  updateWebhookEndpoint,
} from '../services/webhooks.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

/** `admin.webhooks`: the endpoints the shop's events are POSTed to, their deliveries, redelivery. */
export const webhooksAdminRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listWebhookEndpoints(ctx.db)),
  create: adminProcedure.input(createWebhookEndpointInput).mutation(({ ctx, input }) => createWebhookEndpoint(ctx, input)),
  update: adminProcedure.input(updateWebhookEndpointInput).mutation(({ ctx, input }) => updateWebhookEndpoint(ctx, input)),
  delete: adminProcedure.input(webhookEndpointIdInput).mutation(({ ctx, input }) => deleteWebhookEndpoint(ctx.db, input.endpointId)),
  rotateSecret: adminProcedure.input(webhookEndpointIdInput).mutation(({ ctx, input }) => rotateWebhookSecret(ctx.db, input.endpointId)),
  deliveries: adminProcedure.input(webhookDeliveriesInput).query(({ ctx, input }) => listWebhookDeliveries(ctx.db, input)),
  redeliver: adminProcedure.input(redeliverWebhookInput).mutation(({ ctx, input }) => redeliverWebhook(ctx.db, input.deliveryId)),
  test: adminProcedure.input(webhookEndpointIdInput).mutation(({ ctx, input }) => sendTestWebhook(ctx.db, input.endpointId)),
});
