import { describe, expect, it } from 'vitest';
import type { RouterOutputs } from '../trpc.ts';
import { patchProduct, patchProductPage, type StockChange } from './apply-stock-change.ts';

type Product = RouterOutputs['catalog']['product'];

const tee: Product = {
  id: '64b000000000000000000001',
  slug: 'plain-white-tee',
  name: 'Plain White Tee',
  description: '',
  price: 1999,
  currency: 'USD',
  category: { id: '64b0000000000000000000c1', slug: 'tshirts', name: 'T-Shirts' },
  images: [],
  stock: 1,
  status: 'available',
  options: [],
  variants: [{ id: '64b000000000000000000001', sku: 'PLAIN-WHITE-TEE', options: {}, price: 1999, stock: 1, status: 'available', images: [], weightGrams: 180 }],
};
const tote: Product = { ...tee, id: '64b000000000000000000002', slug: 'canvas-tote', name: 'Canvas Tote', stock: 25 };
const soldOut: StockChange = {
  productId: tee.id,
  stock: 0,
  status: 'sold_out',
  price: 1999,
  variants: [{ variantId: tee.id, stock: 0, status: 'sold_out', price: 1999 }],
};

describe('patchProduct', () => {
  it('takes the stock, status and price of a change to this product', () => {
    expect(patchProduct(tee, soldOut)).toEqual({ ...tee, stock: 0, status: 'sold_out', variants: [{ ...tee.variants[0], stock: 0, status: 'sold_out' }] });
    expect(patchProduct(tee, { ...soldOut, stock: 1, status: 'available', price: 2499, variants: [] })?.price).toBe(2499);
  });

  it('leaves other products, equal states and missing data alone (same object)', () => {
    expect(patchProduct(tote, soldOut)).toBe(tote);
    expect(patchProduct(tee, { productId: tee.id, stock: 1, status: 'available', price: 1999, variants: [{ variantId: tee.id, stock: 1, status: 'available', price: 1999 }] })).toBe(tee);
    expect(patchProduct(undefined, soldOut)).toBeUndefined();
  });
});

describe('patchProductPage', () => {
  it('changes only the product concerned', () => {
    const page = { items: [tee, tote], total: 2, page: 1, limit: 12 };
    const patched = patchProductPage(page, soldOut);
    expect(patched?.items[0]).toMatchObject({ stock: 0, status: 'sold_out' });
    expect(patched?.items[1]).toBe(tote);
    expect(patched?.total).toBe(2);
  });

  it('returns a page without the product as it was', () => {
    const page = { items: [tote], total: 1, page: 1, limit: 12 };
    expect(patchProductPage(page, soldOut)).toBe(page);
  });
});
