import { createTRPCRouter, publicProcedure } from '../trpc.ts';
import { backInStockInput, productByInput, productListInput } from '../schemas/catalog.ts';
import { getProduct, listCategories, listProducts } from '../services/catalog.ts';
import { subscribeBackInStock } from '../services/stock-alerts.ts';

export const catalogRouter = createTRPCRouter({
  categories: publicProcedure.query(({ ctx }) => listCategories(ctx)),
  products: publicProcedure.input(productListInput).query(({ ctx, input }) => listProducts(ctx, input)),
  product: publicProcedure.input(productByInput).query(({ ctx, input }) => getProduct(ctx, input)),
  /** Guests too: emails `email` once when the sold-out variant is back (a mutation: it counts an ask, and the email stays out of URLs). */
  notifyWhenBackInStock: publicProcedure
    .input(backInStockInput)
    .mutation(({ ctx, input }) => subscribeBackInStock(ctx.db, ctx.security.counters, input, ctx.ip)),
});
