import type { StockChange } from '@shop/api';
import type { RouterOutputs } from '../trpc.ts';

// Pure updates of cached API answers with a live stock change: the product keeps everything but
// its stock, status and price, which the change replaces.

export type { StockChange };
type Product = RouterOutputs['catalog']['product'];
type ProductPage = RouterOutputs['catalog']['products'];

function patch<T extends Pick<Product, 'id' | 'stock' | 'status' | 'price'>>(product: T, change: StockChange): T {
  if (product.id !== change.productId) return product;
  if (product.stock === change.stock && product.price === change.price) return product;
  return { ...product, stock: change.stock, status: change.status, price: change.price };
}

export function patchProduct(product: Product | undefined, change: StockChange): Product | undefined {
  return product && patch(product, change);
}

export function patchProductPage<TPage extends Pick<ProductPage, 'items'>>(page: TPage | undefined, change: StockChange): TPage | undefined {
  if (!page?.items.some((item) => item.id === change.productId)) return page;
  return { ...page, items: page.items.map((item) => patch(item, change)) };
}
