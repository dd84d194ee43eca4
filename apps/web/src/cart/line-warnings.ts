import { formatMoney } from '../format.ts';
import type { CartLine } from './use-cart.ts';

export interface LineWarning {
  /** `blocking`: checkout cannot go ahead until it is fixed. */
  tone: 'info' | 'blocking';
  text: string;
  /** A one-click way forward: set the quantity to this (0 removes the line). */
  fix?: { label: string; quantity: number };
}

/** What the shopper should know about a cart line before paying for it. */
export function lineWarnings(line: CartLine, currency: string): LineWarning[] {
  const warnings: LineWarning[] = [];
  switch (line.issue) {
    case 'unavailable':
      warnings.push({ tone: 'blocking', text: 'This product is no longer sold.', fix: { label: 'Remove', quantity: 0 } });
      break;
    case 'sold_out':
      warnings.push({ tone: 'blocking', text: 'Sold out since you added it.', fix: { label: 'Remove', quantity: 0 } });
      break;
    case 'insufficient_stock':
      warnings.push({
        tone: 'blocking',
        text: `Only ${line.stock} left: you have ${line.quantity}.`,
        fix: { label: `Change to ${line.stock}`, quantity: line.stock },
      });
      break;
    case null:
      break;
  }
  if (line.priceChanged && line.issue !== 'unavailable') {
    const direction = line.unitPrice < line.priceAtAdd ? 'dropped' : 'went up';
    warnings.push({
      tone: 'info',
      text: `The price ${direction} from ${formatMoney(line.priceAtAdd, currency)} to ${formatMoney(line.unitPrice, currency)} since you added it.`,
    });
  }
  return warnings;
}
