// The procedures only the REST API has (apps/server/src/rest-api.ts), where a URL or a header
// carries what tRPC's input does: the same services and schemas, reshaped. Not part of
// `AppRouter`: tRPC clients have `catalog.products`, `catalog.product` and `checkout.placeOrder`.
import { z } from 'zod';
import { DomainError } from '../errors.ts';
import { productListInput } from '../schemas/catalog.ts';
import { placeOrderInput } from '../schemas/checkout.ts';
import { objectId } from '../schemas/common.ts';
import { orderOutput, productOutput, productPageOutput } from '../schemas/responses.ts';
import { publicProduct, publicProducts } from '../services/catalog.ts';
import { claimIdempotencyKey, orderKeyFor } from '../services/idempotency-keys.ts';
import { createTRPCRouter, guestOrUserProcedure, publicProcedure } from '../trpc.ts';
import { currentCartOwner } from './cart.ts';
import { placeCallersOrder } from './checkout.ts';

/** `catalog.products`' filters that fit a query string: all but the variant options (an object). */
export const restProductListInput = productListInput.unwrap().omit({ options: true });

/** The IETF draft's header, as the REST checkout documents it; apps/server reads and checks it. */
const idempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .meta({
      description:
        'Names this purchase attempt: send the same key (and body) again to retry safely, and get the same answer. Left out, the server makes one and answers it in the `Idempotency-Key` response header.',
      example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
    }),
});

export const restOnlyRouter = createTRPCRouter({
  rest: createTRPCRouter({
    products: publicProcedure
      .meta({
        openapi: { method: 'GET', path: '/products', tags: ['catalog'], protect: false, operationId: 'catalog-products', summary: 'A page of products' },
      })
      .input(restProductListInput)
      .output(productPageOutput)
      .query(({ ctx, input }) => publicProducts(ctx, input)),

    product: publicProcedure
      .meta({ openapi: { method: 'GET', path: '/products/{id}', tags: ['catalog'], protect: false, operationId: 'catalog-product', summary: 'One product, by id' } })
      .input(z.strictObject({ id: objectId }))
      .output(productOutput)
      .query(({ ctx, input }) => publicProduct(ctx, input)),

    /**
     * `checkout.placeOrder` with its key in the `Idempotency-Key` header: the same key with the
     * same body answers the same order (or failure), with another body IDEMPOTENCY_KEY_REUSED
     * (422); while the first request still runs, CHECKOUT_IN_PROGRESS (409).
     */
    placeOrder: guestOrUserProcedure
      .meta({
        openapi: {
          method: 'POST',
          path: '/checkout',
          tags: ['checkout'],
          protect: false,
          operationId: 'checkout-placeOrder',
          summary: "Places the caller's cart as an order and pays for it",
          description:
            'Signed in (Bearer token; without an address, to the default address of the book) or a guest (the cart cookie; `email` and `shippingAddress` required). `paymentMethod` `dummy` is approved by the test provider.',
          requestHeaders: idempotencyKeyHeader,
          responseHeaders: z.object({ 'idempotency-key': z.string().meta({ description: 'The key this request was placed under' }) }),
        },
      })
      .input(placeOrderInput.omit({ idempotencyKey: true }))
      .output(orderOutput)
      .mutation(async ({ ctx, input }) => {
        const key = ctx.idempotencyKey;
        if (key === null) throw new DomainError('INVALID_INPUT', 'Send the purchase attempt\'s key in an Idempotency-Key header');
        const owner = currentCartOwner(ctx);
        // A caller without a cart (a guest who never added anything) has nothing to claim a key for.
        if (owner) await claimIdempotencyKey(ctx.db, owner, key, input);
        return placeCallersOrder(ctx, { ...input, idempotencyKey: orderKeyFor(key) });
      }),
  }),
});
