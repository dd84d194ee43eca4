// Shipping rates and which methods can ship a cart to an address. Browser-safe (pure).
import { discountAmounts, type UsableDiscount } from './discount.ts';
import { assertMinorUnits } from './money.ts';

/** One weight band: carts weighing up to `upToGrams` (inclusive) ship for `price`. */
export interface WeightBand {
  upToGrams: number;
  price: number;
}

/**
 * How a method is priced (minor units of the shop's currency). `freeOver`: free when the goods,
 * after their discount, come to at least this much; null for never.
 */
export type ShippingRate =
  | { type: 'flat'; price: number; freeOver: number | null }
  /** `bands` ascending by `upToGrams`; a cart heavier than the last band cannot use the method. */
  | { type: 'weight'; bands: readonly WeightBand[]; freeOver: number | null };

export interface ShippingMethodDefinition {
  id: string;
  name: string;
  rate: ShippingRate;
  active: boolean;
}

/** A zone: the countries (ISO 3166-1 alpha-2) it ships to, each in at most one zone, and its methods. */
export interface ShippingZoneDefinition {
  id: string;
  name: string;
  countries: readonly string[];
  methods: readonly ShippingMethodDefinition[];
}

/** A method chosen for an address (what `priceCart` prices the shipping with). */
export interface ShippingChoice {
  zoneId: string;
  methodId: string;
  name: string;
  rate: ShippingRate;
}

/** A method that can ship the cart, with what it costs for it. */
export interface ShippingOption extends ShippingChoice {
  price: number;
}

/** What shipping is priced on: the cart's weight, and its goods after the discount. */
export interface ShippedGoods {
  weightGrams: number;
  /** The lines' subtotal less the discount (gross in a tax-inclusive shop, net otherwise). */
  amount: number;
}

/** What the rate charges for these goods; null when it cannot ship them (heavier than its last band). */
export function shippingPrice(rate: ShippingRate, goods: ShippedGoods): number | null {
  let price: number;
  if (rate.type === 'flat') {
    price = rate.price;
  } else {
    const band = rate.bands.find((candidate) => goods.weightGrams <= candidate.upToGrams);
    if (!band) return null;
    price = band.price;
  }
  if (rate.freeOver !== null && goods.amount >= rate.freeOver) return 0;
  return price;
}

/** A cart line as shipping sees it. */
export interface ShippedLine {
  unitPrice: number;
  quantity: number;
  weightGrams: number;
}

/** The lines' total weight and subtotal, after `discount` (the same amounts `priceCart` uses). */
export function shippedGoods(lines: readonly ShippedLine[], discount: UsableDiscount | null = null): ShippedGoods {
  const subtotals = lines.map((line) => {
    assertMinorUnits(line.unitPrice, 'unitPrice');
    assertMinorUnits(line.quantity, 'quantity');
    assertMinorUnits(line.weightGrams, 'weightGrams');
    return line.unitPrice * line.quantity;
  });
  const discounted = discountAmounts(discount, subtotals).reduce((sum, amount) => sum + amount, 0);
  return {
    weightGrams: lines.reduce((sum, line) => sum + line.weightGrams * line.quantity, 0),
    amount: subtotals.reduce((sum, amount) => sum + amount, 0) - discounted,
  };
}

/** The zone that ships to `country` (each country is in at most one), or null: the shop does not ship there. */
export function zoneFor<Z extends ShippingZoneDefinition>(zones: readonly Z[], country: string): Z | null {
  const code = country.trim().toUpperCase();
  return zones.find((zone) => zone.countries.includes(code)) ?? null;
}

/**
 * The methods that can ship `cart` to `address`, cheapest first, each with its price: the active
 * methods of the address's zone, less those whose weight bands end below the cart's weight. Empty
 * when the shop does not ship to the country (see `zoneFor`) or no method can take the cart.
 */
export function shippingMethodsFor(
  zones: readonly ShippingZoneDefinition[],
  address: { country: string },
  cart: { lines: readonly ShippedLine[] },
  options: { discount?: UsableDiscount | null } = {},
): ShippingOption[] {
  const zone = zoneFor(zones, address.country);
  if (!zone) return [];
  const goods = shippedGoods(cart.lines, options.discount ?? null);
  const available: ShippingOption[] = [];
  for (const method of zone.methods) {
    if (!method.active) continue;
    const price = shippingPrice(method.rate, goods);
    if (price === null) continue;
    available.push({ zoneId: zone.id, methodId: method.id, name: method.name, rate: method.rate, price });
  }
  // A stable sort: methods of equal price keep the merchant's order.
  return available.sort((a, b) => a.price - b.price);
}
