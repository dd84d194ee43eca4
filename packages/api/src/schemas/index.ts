// Input schemas, importable by the web app for its forms without pulling in server code:
// `import { registerInput } from '@shop/api/schemas'`.
export * from './common.ts';
export * from './auth.ts';
export * from './catalog.ts';
export * from './orders.ts';
export * from './cart.ts';
export * from './checkout.ts';
export * from './admin.ts';
export * from './catalog-csv.ts';
export * from './address.ts';
export * from './countries.ts';
export * from './pricing.ts';
export * from './dashboard.ts';
export * from './events.ts';
export * from './webhooks.ts';
export * from './api-keys.ts';
