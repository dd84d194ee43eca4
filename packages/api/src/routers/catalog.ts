import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';
import { backInStockInput, productByInput, productListInput } from '../schemas/catalog.ts';
import { checkedOnce } from '../schemas/checked.ts';
import { categoryOutput, productOutput, productPageOutput } from '../schemas/responses.ts';
import { listCategories, publicProduct, publicProducts } from '../services/catalog.ts';
import { subscribeBackInStock } from '../services/stock-alerts.ts';

export const catalogRouter = createTRPCRouter({
  categories: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/categories', tags: ['catalog'], protect: false, summary: 'The categories, by name' } })
    .output(z.array(categoryOutput))
    .query(({ ctx }) => listCategories(ctx)),
  // Pages and products from the read model were parsed as they entered it (schemas/checked.ts).
  products: publicProcedure.input(productListInput).output(checkedOnce(productPageOutput)).query(({ ctx, input }) => publicProducts(ctx, input)),
  product: publicProcedure.input(productByInput).output(checkedOnce(productOutput)).query(({ ctx, input }) => publicProduct(ctx, input)),
  /** Guests too: emails `email` once when the sold-out variant is back (a mutation: it counts an ask, and the email stays out of URLs). */
  notifyWhenBackInStock: publicProcedure
    .input(backInStockInput)
    .mutation(({ ctx, input }) => subscribeBackInStock(ctx.db, ctx.security.counters, input, ctx.ip)),
});
