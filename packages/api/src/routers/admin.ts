import {
  adjustStockInput,
  adminOrderListInput,
  adminProductListInput,
  createProductInput,
  saveVariantsInput,
  updateOrderStatusInput,
  updateProductInput,
} from '../schemas/admin.ts';
import { handledIteration } from '../handled-iteration.ts';
import { importCsvInput } from '../schemas/catalog-csv.ts';
import { orderByIdInput } from '../schemas/orders.ts';
import { adminOrderOutput, adminOrderPageOutput, orderOutput, productOutput, productPageOutput } from '../schemas/responses.ts';
import { adjustStock, createProduct, getAnyOrder, listAllOrders, saveVariants, updateProduct } from '../services/admin.ts';
import { listProducts } from '../services/catalog.ts';
import { exportCatalogCsv, importCatalogCsv } from '../services/catalog-csv.ts';
import { snapshotThenChanges } from '../services/feed-watchers.ts';
import { changeOrderStatus } from '../services/orders.ts';
import { adminProcedure, createTRPCRouter, staffProcedure } from '../trpc.ts';
import { apiKeysAdminRouter } from './api-keys.ts';
import { dashboardAdminRouter } from './dashboard.ts';
import { discountsAdminRouter, settingsAdminRouter, shippingAdminRouter, taxAdminRouter } from './pricing-admin.ts';
import { webhooksAdminRouter } from './webhooks.ts';

// What a service may do with an API key is built on `staffProcedure(scope)` (an admin session
// too); the rest is admin-session only. The catalogue's reads for the admin (the product list,
// the CSV export) come with `catalog:write`: a service that only reads uses the public catalogue.
const tags = ['admin'];

export const adminRouter = createTRPCRouter({
  products: createTRPCRouter({
    list: staffProcedure('catalog:write')
      .meta({ openapi: { method: 'GET', path: '/admin/products', tags, summary: 'Every product, by name (scope catalog:write)' } })
      .input(adminProductListInput)
      .output(productPageOutput)
      .query(({ ctx, input }) => listProducts(ctx, { q: input.q, sort: 'name', page: input.page, limit: input.limit })),
    create: staffProcedure('catalog:write')
      .meta({ openapi: { method: 'POST', path: '/admin/products', tags, summary: 'Creates a product (scope catalog:write)' } })
      .input(createProductInput)
      .output(productOutput)
      .mutation(({ ctx, input }) => createProduct(ctx, input)),
    update: staffProcedure('catalog:write')
      .meta({ openapi: { method: 'PATCH', path: '/admin/products/{productId}', tags, summary: "Changes a product's fields (scope catalog:write)" } })
      .input(updateProductInput)
      .output(productOutput)
      .mutation(({ ctx, input }) => updateProduct(ctx, input)),
    saveVariants: staffProcedure('catalog:write')
      .meta({ openapi: { method: 'PUT', path: '/admin/products/{productId}/variants', tags, summary: "Sets a product's options and variants (scope catalog:write)" } })
      .input(saveVariantsInput)
      .output(productOutput)
      .mutation(({ ctx, input }) => saveVariants(ctx, input, ctx.actor)),
    adjustStock: staffProcedure('stock:write')
      .meta({ openapi: { method: 'POST', path: '/admin/products/{productId}/stock-adjustments', tags, summary: "Adds or removes a variant's stock, with a reason (scope stock:write)" } })
      .input(adjustStockInput)
      .output(productOutput)
      .mutation(({ ctx, input }) => adjustStock(ctx, input, ctx.actor)),
  }),
  catalog: createTRPCRouter({
    exportCsv: staffProcedure('catalog:write').query(({ ctx }) => exportCatalogCsv(ctx.db)),
    // tRPC only: a file of up to 5 MB is larger than a REST body may be.
    importCsv: staffProcedure('catalog:write').input(importCsvInput).mutation(({ ctx, input }) => importCatalogCsv(ctx, input, ctx.actor)),
  }),
  orders: createTRPCRouter({
    list: staffProcedure('orders:read')
      .meta({ openapi: { method: 'GET', path: '/admin/orders', tags, summary: "Every customer's orders, guests' too, newest first (scope orders:read)" } })
      .input(adminOrderListInput)
      .output(adminOrderPageOutput)
      .query(({ ctx, input }) => listAllOrders(ctx.db, { status: input.status }, input)),
    /** "Orders changed" (placed, moved along, refunded), over Server-Sent Events, like `dashboard.changes`: the list reads its page again on each. */
    changes: adminProcedure.subscription(({ ctx, signal }) => {
      if (!ctx.orderFeed) throw new Error('admin.orders.changes: this app was built without an order feed');
      const feed = ctx.orderFeed;
      return handledIteration(snapshotThenChanges((stop) => feed.changes(stop), signal));
    }),
    byId: staffProcedure('orders:read')
      .meta({ openapi: { method: 'GET', path: '/admin/orders/{id}', tags, summary: 'Any order, by id (scope orders:read)' } })
      .input(orderByIdInput)
      .output(adminOrderOutput)
      .query(({ ctx, input }) => getAnyOrder(ctx.db, input.id)),
    updateStatus: staffProcedure('orders:write')
      .meta({ openapi: { method: 'POST', path: '/admin/orders/{id}/status', tags, summary: 'Ships, delivers or cancels an order (scope orders:write)' } })
      .input(updateOrderStatusInput)
      .output(orderOutput)
      .mutation(({ ctx, input }) => changeOrderStatus({ db: ctx.db, payments: ctx.payments }, { id: input.id }, input.status)),
  }),
  apiKeys: apiKeysAdminRouter,
  discounts: discountsAdminRouter,
  shipping: shippingAdminRouter,
  tax: taxAdminRouter,
  settings: settingsAdminRouter,
  dashboard: dashboardAdminRouter,
  webhooks: webhooksAdminRouter,
});
