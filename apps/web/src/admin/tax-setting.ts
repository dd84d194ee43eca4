// What the shop's "prices include tax" setting means, in figures a merchant can check: one
// product priced through the same `priceCart` checkout uses.
import { priceCart } from '@shop/api/pricing';
import { formatMoney } from '../format.ts';

const examplePrice = 1000;
const exampleRate = { name: 'Tax', rate: 2000, shipping: true };

/** The sentence beside the setting, for the state it would be saved in. */
export function taxSettingExplanation(taxInclusive: boolean, currency: string): string {
  const priced = priceCart(
    { currency, lines: [{ productId: 'example', variantId: 'example', sku: 'EXAMPLE', name: 'Example', unitPrice: examplePrice, quantity: 1, weightGrams: 0 }] },
    { taxInclusive, taxRate: exampleRate },
  );
  const price = formatMoney(examplePrice, currency);
  const total = formatMoney(priced.total, currency);
  const tax = formatMoney(priced.tax, currency);
  return taxInclusive
    ? `Prices and shipping rates include tax: shoppers pay what they see, and checkout shows the tax in it. A ${price} product where tax is 20% costs ${total}, of which ${tax} is tax.`
    : `Prices and shipping rates are before tax: checkout adds the tax of the shopper’s address. A ${price} product where tax is 20% costs ${total}: ${price} and ${tax} tax.`;
}
