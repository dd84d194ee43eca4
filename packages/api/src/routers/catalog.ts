import { createTRPCRouter, publicProcedure } from '../trpc.ts';
import { productByInput, productListInput } from '../schemas/catalog.ts';
import { getProduct, listCategories, listProducts } from '../services/catalog.ts';

export const catalogRouter = createTRPCRouter({
  categories: publicProcedure.query(({ ctx }) => listCategories(ctx)),
  products: publicProcedure.input(productListInput).query(({ ctx, input }) => listProducts(ctx, input)),
  product: publicProcedure.input(productByInput).query(({ ctx, input }) => getProduct(ctx, input)),
});
