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
import { adjustStock, createProduct, listAllOrders, saveVariants, updateProduct } from '../services/admin.ts';
import { listProducts } from '../services/catalog.ts';
import { exportCatalogCsv, importCatalogCsv } from '../services/catalog-csv.ts';
import { snapshotThenChanges } from '../services/feed-watchers.ts';
import { changeOrderStatus } from '../services/orders.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';
import { dashboardAdminRouter } from './dashboard.ts';
import { discountsAdminRouter, settingsAdminRouter, shippingAdminRouter, taxAdminRouter } from './pricing-admin.ts';
import { webhooksAdminRouter } from './webhooks.ts';

export const adminRouter = createTRPCRouter({
  products: createTRPCRouter({
    list: adminProcedure
      .input(adminProductListInput)
      .query(({ ctx, input }) => listProducts(ctx, { q: input.q, sort: 'name', page: input.page, limit: input.limit })),
    create: adminProcedure.input(createProductInput).mutation(({ ctx, input }) => createProduct(ctx, input)),
    update: adminProcedure.input(updateProductInput).mutation(({ ctx, input }) => updateProduct(ctx, input)),
    saveVariants: adminProcedure.input(saveVariantsInput).mutation(({ ctx, input }) => saveVariants(ctx, input, ctx.user.id)),
    adjustStock: adminProcedure
      .input(adjustStockInput)
      .mutation(({ ctx, input }) => adjustStock(ctx, input, ctx.user.id)),
  }),
  catalog: createTRPCRouter({
    exportCsv: adminProcedure.query(({ ctx }) => exportCatalogCsv(ctx.db)),
    importCsv: adminProcedure.input(importCsvInput).mutation(({ ctx, input }) => importCatalogCsv(ctx, input, ctx.user.id)),
  }),
  orders: createTRPCRouter({
    list: adminProcedure
      .input(adminOrderListInput)
      .query(({ ctx, input }) => listAllOrders(ctx.db, { status: input.status }, input)),
    /** "Orders changed" (placed, moved along, refunded), over Server-Sent Events, like `dashboard.changes`: the list reads its page again on each. */
    changes: adminProcedure.subscription(({ ctx, signal }) => {
      if (!ctx.orderFeed) throw new Error('admin.orders.changes: this app was built without an order feed');
      const feed = ctx.orderFeed;
      return handledIteration(snapshotThenChanges((stop) => feed.changes(stop), signal));
    }),
    updateStatus: adminProcedure
      .input(updateOrderStatusInput)
      .mutation(({ ctx, input }) => changeOrderStatus({ db: ctx.db, payments: ctx.payments }, { id: input.id }, input.status)),
  }),
  discounts: discountsAdminRouter,
  shipping: shippingAdminRouter,
  tax: taxAdminRouter,
  settings: settingsAdminRouter,
  dashboard: dashboardAdminRouter,
  webhooks: webhooksAdminRouter,
});
