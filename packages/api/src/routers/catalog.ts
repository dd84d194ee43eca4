import { createTRPCRouter, publicProcedure } from '../trpc.ts';
import { productByInput, productListInput } from '../schemas/catalog.ts';
import { getProduct, listCategories, listProducts } from '../services/catalog.ts';

export const catalogRouter = createTRPCRouter({
  categories: publicProcedure.query(({ ctx }) => listCategories(ctx.db)),
  products: publicProcedure.input(productListInput).query(({ ctx, input }) => listProducts(ctx.db, input)),
  product: publicProcedure.input(productByInput).query(({ ctx, input }) => getProduct(ctx.db, input)),
});
