import { skipToken, useQueryClient } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { useMemo } from 'react';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { patchProduct, patchProductPage, type StockChange } from './apply-stock-change.ts';

/**
 * Keeps the stock and price of these products live while the calling page is on screen: a
 * subscription (Server-Sent Events) pushes each change, made by anyone, and every cached copy of
 * the product is updated in place, so the catalogue, product page and admin list all follow.
 */
export function useLiveStock(productIds: readonly string[]): void {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  // One subscription per set of products, whatever the order or repeats.
  const key = [...new Set(productIds)].sort().join(',');
  const input = useMemo(() => (key ? { productIds: key.split(',') } : skipToken), [key]);

  trpc.stock.changes.useSubscription(input, {
    onData: ({ data }) => {
      applyStockChange(queryClient, data);
      // The cart judges its lines on the server (sold out, short, repriced): ask it again.
      const cart = utils.cart.get.getData();
      if (cart?.lines.some((line) => line.productId === data.productId)) void utils.cart.get.invalidate();
    },
  });
}

function applyStockChange(queryClient: ReturnType<typeof useQueryClient>, change: StockChange): void {
  queryClient.setQueriesData<RouterOutputs['catalog']['product']>({ queryKey: getQueryKey(trpc.catalog.product) }, (product) =>
    patchProduct(product, change),
  );
  queryClient.setQueriesData<RouterOutputs['catalog']['products']>({ queryKey: getQueryKey(trpc.catalog.products) }, (page) =>
    patchProductPage(page, change),
  );
  queryClient.setQueriesData<RouterOutputs['admin']['products']['list']>(
    { queryKey: getQueryKey(trpc.admin.products.list) },
    (page) => patchProductPage(page, change),
  );
}
