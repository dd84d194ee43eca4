export { appRouter, createCaller, restRouter, type AppRouter } from './root.ts';
export { createContextInner, noCookies, type Context, type ResponseCookies } from './context.ts';
export { noObserver, type ProcedureObservation, type ProcedureObserver } from './observer.ts';
export { checkStockInvariant, stockInvariantViolations, type StockInvariantReport } from './services/stock-invariant.ts';
export { DomainError, type DomainErrorData, type DomainErrorDetailsByReason, type DomainReason } from './errors.ts';
export {
  defaultAuthSettings,
  verifyAccessToken,
  signAccessToken,
  type AccessTokenClaims,
  type AuthConfig,
  type SessionUser,
} from './services/auth.ts';
export { createCategoryCache, type CategoryCache, type ProductDto, type CategoryDto, type ProductPage } from './services/catalog.ts';
export { openCatalogReadModel, type CatalogReadModel, type CatalogReadModelOptions } from './services/catalog-read-model.ts';
export { isChecked, markChecked } from './schemas/checked.ts';
export {
  openPricingConfigCache,
  openPricingConfigFeed,
  type PricingConfig,
  type PricingConfigCache,
  type PricingConfigCacheOptions,
  type PricingConfigFeed,
  type PricingConfigFeedOptions,
} from './services/pricing-config.ts';
export type { NextAction, OrderDto } from './services/order-view.ts';
export { createCartMemo, defaultCartMemoEntries, type CartDto, type CartLineDto, type CartMemo, type CartMergeReport } from './services/cart.ts';
export * from './protocol.ts';
export { startSessionFamily } from './services/sessions.ts';
export { recordKeptAnswer, requireAdmin, staffProcedure, type ProcedureMeta } from './trpc.ts';
export { apiKeyScope, apiKeyScopes, createApiKeyInput, type ApiKeyScope } from './schemas/api-keys.ts';
export {
  defaultApiKeySettings,
  hashApiKey,
  isApiKeyText,
  presentedApiKey,
  type ApiKeyCaller,
  type ApiKeyCredential,
  type ApiKeyDto,
  type ApiKeySettings,
} from './services/api-keys.ts';
export type { Actor } from './services/actors.ts';
export { isUploadedImageName, storeUploadedImage, tooLargeImage, unsupportedImageType } from './services/images.ts';
export { createMemoryImageStore, type ImageStore, type StoredImage } from './stores/image-store.ts';
export { createLocalImageStore, type LocalImageStore } from './stores/local-image-store.ts';
export {
  createTestPaymentProvider,
  refundKey,
  testPaymentMethods,
  type Payment,
  type PaymentConfig,
  type PaymentProvider,
  type PaymentStatus,
} from './services/payments.ts';
export { createStripePaymentProvider, localStripeServer, type StripeProviderOptions } from './services/stripe-payments.ts';
export { recoverOrders, startRecoverySweep, type SweepResult } from './services/recovery.ts';
export {
  receiveStripeEvent,
  verifyStripeWebhook,
  type PaymentEventDeps,
  type PaymentEventOutcome,
  type ReceivedEvent,
} from './services/payment-events.ts';
export { defaultCheckoutSettings, type CheckoutSettings } from './services/checkout.ts';
export type { CounterStore, RefreshClaim, RevocationSignal, SecurityStore, SessionStore } from './stores/security-store.ts';
export { openSessionCache, type SessionCache, type SessionCacheOptions } from './services/session-cache.ts';
export { createMongoSecurityStore, type MongoSecurityStore } from './stores/mongo-security-store.ts';
export {
  createRedisSecurityStore,
  defaultRedisKeyPrefix,
  type RedisSecurityStore,
  type RedisSecurityStoreOptions,
} from './stores/redis-security-store.ts';

import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export {
  openStockFeed,
  type StockChange,
  type StockFeed,
  type StockFeedOptions,
  type StockFeedSource,
} from './services/stock-feed.ts';
export { openOrderFeed, type OrderFeed, type OrderFeedOptions, type OrderFeedSource } from './services/order-feed.ts';
export { openCartFeed, type CartFeed, type CartFeedOptions, type CartFeedSource } from './services/cart-feed.ts';
export { defaultMailSettings, escapeHtml, type MailKind, type MailSettings } from './services/mail-templates.ts';
export { createDevMailbox, createSmtpTransport, redactSmtpUrl, type MailTransport, type OutgoingMail, type SmtpTimeouts } from './services/mail-transport.ts';
export {
  defaultOutboxSettings,
  deliverNext,
  DeliveryError,
  drainOutbox,
  enqueueEntry,
  enqueueMessage,
  startOutboxWorker,
  type DeliveryOutcome,
  type DeliveryReport,
  type OutboxChannel,
  type OutboxDeps,
  type OutboxEntry,
  type OutboxSettings,
} from './services/outbox.ts';
export { relayOwedMessages } from './services/outbox-relay.ts';
export {
  createWebhookChannel,
  defaultWebhookTimeoutMs,
  enqueueWebhookDeliveries,
  webhookKind,
  type WebhookChannelOptions,
  type WebhookSettings,
} from './services/webhooks.ts';
export { localTargetPolicy, strictTargetPolicy, systemResolver, type ResolveHost, type WebhookTargetPolicy } from './services/webhook-targets.ts';
export { appendEvent, listEvents, pruneEventLog, readEventLogHead, startEventLogPruning, type EventLogHead, type EventPage } from './services/event-log.ts';
export { createEventChannel, eventMessageKind, type EventChannelOptions } from './services/events.ts';
export { createEventFeed, type EventFeed } from './services/event-feed.ts';
export { eventTypes, shopEventSchema, type EventType, type ShopEvent, type ShopEventOf } from './schemas/events.ts';
export { startBackInStockAlerts, type BackInStockWatcher, type BackInStockWatcherOptions } from './services/stock-alerts.ts';
export { armCrashPoints, crashPoints, type CrashPoint } from './services/crash-points.ts';
