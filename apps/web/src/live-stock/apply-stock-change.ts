import type { StockChange } from '@shop/api';
import type { RouterOutputs } from '../trpc.ts';

// Pure updates of cached API answers with a live stock change: the product keeps everything but
// its stock, status and price and those of its variants, which the change replaces.

export type { StockChange };
type Product = RouterOutputs['catalog']['product'];
type ProductPage = RouterOutputs['catalog']['products'];

function patchVariants(variants: Product['variants'], change: StockChange): Product['variants'] {
  const changed = new Map(change.variants.map((variant) => [variant.variantId, variant]));
  let differs = false;
  const patched = variants.map((variant) => {
    const next = changed.get(variant.id);
    if (!next || (next.stock === variant.stock && next.price === variant.price)) return variant;
    differs = true;
    return { ...variant, stock: next.stock, status: next.status, price: next.price };
  });
  return differs ? patched : variants;
}

function patch<T extends Pick<Product, 'id' | 'stock' | 'status' | 'price' | 'variants'>>(product: T, change: StockChange): T {
  if (product.id !== change.productId) return product;
  const variants = patchVariants(product.variants, change);
  if (product.stock === change.stock && product.price === change.price && variants === product.variants) return product;
  return { ...product, stock: change.stock, status: change.status, price: change.price, variants };
}

export function patchProduct(product: Product | undefined, change: StockChange): Product | undefined {
  return product && patch(product, change);
}

export function patchProductPage<TPage extends Pick<ProductPage, 'items'>>(page: TPage | undefined, change: StockChange): TPage | undefined {
  if (!page?.items.some((item) => item.id === change.productId)) return page;
  return { ...page, items: page.items.map((item) => patch(item, change)) };
}
