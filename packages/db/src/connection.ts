import mongoose, { type Connection } from 'mongoose';

mongoose.set('strictQuery', true);
import { accountTokenSchema } from './models/account-token.ts';
import { apiKeySchema } from './models/api-key.ts';
import { cartSchema } from './models/cart.ts';
import { categorySchema } from './models/category.ts';
import { devMailSchema } from './models/dev-mail.ts';
import { discountSchema } from './models/discount.ts';
import { eventLogHeadSchema, eventSchema } from './models/event.ts';
import { idempotencyKeySchema } from './models/idempotency-key.ts';
import { orderSchema } from './models/order.ts';
import { outboxMessageSchema } from './models/outbox-message.ts';
import { paymentEventSchema } from './models/payment-event.ts';
import { productSchema } from './models/product.ts';
import { rateLimitSchema } from './models/rate-limit.ts';
import { sessionSchema } from './models/session.ts';
import { shippingZoneSchema } from './models/shipping-zone.ts';
import { shopSettingsSchema } from './models/shop-settings.ts';
import { stockAdjustmentSchema } from './models/stock-adjustment.ts';
import { stockAlertSchema } from './models/stock-alert.ts';
import { taxRateSchema } from './models/tax-rate.ts';
import { userSchema } from './models/user.ts';
import { webhookEndpointSchema } from './models/webhook-endpoint.ts';


/** The models registered on a connection, typed from their schemas. */
export type Models = ReturnType<typeof registerModels>;

export interface Database {
  connection: Connection;
  models: Models;
}

export interface ConnectOptions {
  /** Database name; defaults to the one in the URI, else `shop`. */
  dbName?: string;
  /** Build indexes on connect (default true). */
  syncIndexes?: boolean;
  maxPoolSize?: number;
  /** Emit the driver's command events (`connection.getClient().on('commandStarted', …)`), for counting round trips. */
  monitorCommands?: boolean;
}

function registerModels(connection: Connection) {
  return {
    User: connection.model('User', userSchema),
    Category: connection.model('Category', categorySchema),
    Product: connection.model('Product', productSchema),
    Cart: connection.model('Cart', cartSchema),
    Order: connection.model('Order', orderSchema),
    StockAdjustment: connection.model('StockAdjustment', stockAdjustmentSchema),
    Session: connection.model('Session', sessionSchema),
    RateLimit: connection.model('RateLimit', rateLimitSchema),
    PaymentEvent: connection.model('PaymentEvent', paymentEventSchema),
    ShippingZone: connection.model('ShippingZone', shippingZoneSchema),
    TaxRate: connection.model('TaxRate', taxRateSchema),
    ShopSettings: connection.model('ShopSettings', shopSettingsSchema, 'shopsettings'),
    Discount: connection.model('Discount', discountSchema),
    OutboxMessage: connection.model('OutboxMessage', outboxMessageSchema),
    AccountToken: connection.model('AccountToken', accountTokenSchema),
    DevMail: connection.model('DevMail', devMailSchema),
    StockAlert: connection.model('StockAlert', stockAlertSchema),
    IdempotencyKey: connection.model('IdempotencyKey', idempotencyKeySchema, 'idempotency_keys'),
    WebhookEndpoint: connection.model('WebhookEndpoint', webhookEndpointSchema),
    ApiKey: connection.model('ApiKey', apiKeySchema),
    Event: connection.model('Event', eventSchema),
    EventLogHead: connection.model('EventLogHead', eventLogHeadSchema),
  };
}

function databaseNameFrom(uri: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(uri)?.[1];
  return path ? decodeURIComponent(path) : undefined;
}

/** Opens a connection of its own (never the global one) and registers the models on it. */
export async function connect(uri: string, options: ConnectOptions = {}): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    dbName: options.dbName ?? databaseNameFrom(uri) ?? 'shop',
    maxPoolSize: options.maxPoolSize ?? 20,
    monitorCommands: options.monitorCommands ?? false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
    // A write is answered once it is in the on-disk journal of a majority of the replica set, so
    // an order confirmed to a shopper survives a mongod crash or a failover. Stated here rather
    // than left to the deployment, whose default is w: 1 on a primary-secondary-arbiter set or
    // whatever setDefaultRWConcern made it. A standalone mongod counts itself as the majority;
    // mongo-java-server accepts and ignores write concerns (its H2 store commits each write).
    writeConcern: { w: 'majority', journal: true },
    // Second layer against operator injection (input validation is the first): a filter value
    // such as `{ $ne: null }` is matched literally unless the code marks it `trusted(...)`.
    sanitizeFilter: true,
  });
  await connection.asPromise();
  const models = registerModels(connection);
  if (options.syncIndexes !== false) {
    await Promise.all(Object.values(models).map((model: Models[keyof Models]) => model.createIndexes()));
  }
  return { connection, models };
}

export async function disconnect(db: Database): Promise<void> {
  await db.connection.close();
}
