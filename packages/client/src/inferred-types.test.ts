// Type-level checks: the client's types are inferred from the router, never written by hand.
// `pnpm typecheck` is what enforces them (expectTypeOf does nothing at run time).
import type { DomainErrorDetailsByReason, DomainReason, AppRouter as ServerRouter } from '@shop/api';
import type { TRPCClient, TRPCClientError } from '@trpc/client';
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { describe, expectTypeOf, it } from 'vitest';
import type { AppRouter, RouterInputs, RouterOutputs, ShopClient, ShopClientError } from './index.ts';

type ProductPage = RouterOutputs['catalog']['products'];
type Product = ProductPage['items'][number];

describe('types inferred from AppRouter', () => {
  // The exported AppRouter is the server's, less what only the server knows (context, Mongoose).
  it('gives a client exactly what the server router would', () => {
    expectTypeOf<RouterInputs>().toEqualTypeOf<inferRouterInputs<ServerRouter>>();
    expectTypeOf<RouterOutputs>().toEqualTypeOf<inferRouterOutputs<ServerRouter>>();
    expectTypeOf<inferRouterError<AppRouter>>().toEqualTypeOf<inferRouterError<ServerRouter>>();
    expectTypeOf<ShopClient>().toEqualTypeOf<TRPCClient<ServerRouter>>();
    expectTypeOf<ShopClientError['data']>().toEqualTypeOf<TRPCClientError<ServerRouter>['data']>();
  });

  it('gives catalog.products priced, stock-aware items', () => {
    expectTypeOf<Product['price']>().toEqualTypeOf<number>();
    expectTypeOf<Product['stock']>().toEqualTypeOf<number>();
    expectTypeOf<Product['name']>().toEqualTypeOf<string>();
    expectTypeOf<Product['status']>().toEqualTypeOf<'available' | 'sold_out'>();
    expectTypeOf<Product['category']>().toEqualTypeOf<{ id: string; slug: string; name: string }>();
    expectTypeOf<ProductPage['total']>().toEqualTypeOf<number>();
  });

  it('types each procedure call from its input and output', () => {
    expectTypeOf<ShopClient['catalog']['products']['query']>().returns.resolves.toEqualTypeOf<ProductPage>();
    expectTypeOf<ShopClient['auth']['login']['mutate']>().parameter(0).toEqualTypeOf<RouterInputs['auth']['login']>();
    expectTypeOf<RouterOutputs['auth']['login']['token']>().toEqualTypeOf<string>();
    expectTypeOf<RouterOutputs['orders']['list']['items'][number]['total']>().toEqualTypeOf<number>();
    expectTypeOf<RouterOutputs['orders']['list']['items'][number]['status']>().toEqualTypeOf<
      'pending' | 'placed' | 'failed' | 'cancelled' | 'shipped' | 'delivered'
    >();
  });

  it('rejects inputs the API would reject', () => {
    expectTypeOf<{ sort: 'cheapest' }>().not.toExtend<RouterInputs['catalog']['products']>();
    expectTypeOf<{ email: string }>().not.toExtend<RouterInputs['auth']['login']>();
    expectTypeOf<{ sort: 'price_asc'; limit: 5 }>().toExtend<RouterInputs['catalog']['products']>();
  });

  it('types the domain reason on API errors', () => {
    expectTypeOf<NonNullable<ShopClientError['data']>['reason']>().toEqualTypeOf<DomainReason | null>();
  });

  it('narrows the details of an API error by its reason', () => {
    type Data = NonNullable<ShopClientError['data']>;
    expectTypeOf<Extract<Data, { reason: 'OUT_OF_STOCK' }>['details']>().toEqualTypeOf<DomainErrorDetailsByReason['OUT_OF_STOCK']>();
    expectTypeOf<Extract<Data, { reason: 'PRICE_CHANGED' }>['details']['lines'][number]>().toEqualTypeOf<{
      productId: string;
      variantId: string;
      name: string;
      oldPrice: number;
      newPrice: number;
    }>();
    expectTypeOf<Extract<Data, { reason: 'CART_EMPTY' }>['details']>().toEqualTypeOf<null>();
    expectTypeOf<Extract<Data, { reason: null }>['details']>().toEqualTypeOf<null>();
  });
});
