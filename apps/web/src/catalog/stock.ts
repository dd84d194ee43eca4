import type { RouterOutputs } from '../trpc.ts';

type Product = RouterOutputs['catalog']['product'];

/** At or below this many left, the badge says how many. */
export const lowStockThreshold = 5;

export interface StockBadge {
  tone: 'in-stock' | 'low' | 'sold-out';
  label: string;
}

export function stockBadge({ status, stock }: Pick<Product, 'status' | 'stock'>): StockBadge {
  if (status === 'sold_out' || stock <= 0) return { tone: 'sold-out', label: 'Sold out' };
  if (stock <= lowStockThreshold) return { tone: 'low', label: `Only ${stock} left` };
  return { tone: 'in-stock', label: 'In stock' };
}
