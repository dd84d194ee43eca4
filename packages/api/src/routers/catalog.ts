import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';
import { productByInput, productListInput } from '../schemas/catalog.ts';
import { categoryOutput, productOutput, productPageOutput } from '../schemas/responses.ts';
import { getProduct, listCategories, listProducts } from '../services/catalog.ts';

export const catalogRouter = createTRPCRouter({
  categories: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/categories', tags: ['catalog'], protect: false, summary: 'The categories, by name' } })
    .output(z.array(categoryOutput))
    .query(({ ctx }) => listCategories(ctx)),
  products: publicProcedure.input(productListInput).output(productPageOutput).query(({ ctx, input }) => listProducts(ctx, input)),
  product: publicProcedure.input(productByInput).output(productOutput).query(({ ctx, input }) => getProduct(ctx, input)),
});
