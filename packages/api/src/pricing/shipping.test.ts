import { describe, expect, it } from 'vitest';
import { shippingMethodsFor, shippingPrice, zoneFor, type ShippingZoneDefinition } from './shipping.ts';

const zones: ShippingZoneDefinition[] = [
  {
    id: 'us',
    name: 'United States',
    countries: ['US'],
    methods: [
      { id: 'express', name: 'Express', rate: { type: 'flat', price: 1500, freeOver: null }, active: true },
      { id: 'standard', name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 }, active: true },
      { id: 'old', name: 'Old method', rate: { type: 'flat', price: 100, freeOver: null }, active: false },
    ],
  },
  {
    id: 'eu',
    name: 'European Union',
    countries: ['DE', 'FR'],
    methods: [{ id: 'parcel', name: 'Parcel by weight', rate: { type: 'weight', bands: [{ upToGrams: 1000, price: 900 }, { upToGrams: 5000, price: 1500 }], freeOver: null }, active: true }],
  },
];
const tee = { unitPrice: 2000, quantity: 1, weightGrams: 180 };

describe('shippingMethodsFor', () => {
  it("lists the active methods of the address's zone with their price, cheapest first", () => {
    const options = shippingMethodsFor(zones, { country: 'US' }, { lines: [tee] });
    expect(options.map((option) => [option.methodId, option.price])).toEqual([
      ['standard', 500],
      ['express', 1500],
    ]);
    expect(options[0]).toMatchObject({ zoneId: 'us', name: 'Standard' });
  });

  it('prices free shipping on the subtotal after the discount', () => {
    const cart = { lines: [{ ...tee, unitPrice: 5500 }] };
    expect(shippingMethodsFor(zones, { country: 'US' }, cart)[0]?.price).toBe(0);
    const tenOff = { discountId: 'd', code: 'TEN', type: 'percentage' as const, percent: 10 };
    expect(shippingMethodsFor(zones, { country: 'US' }, cart, { discount: tenOff })[0]?.price).toBe(500);
  });

  it('offers nothing where the shop does not ship', () => {
    expect(shippingMethodsFor(zones, { country: 'JP' }, { lines: [tee] })).toEqual([]);
    expect(zoneFor(zones, 'JP')).toBeNull();
    expect(zoneFor(zones, 'fr')?.id).toBe('eu');
  });

  it('leaves out a weight method once the cart is heavier than its last band', () => {
    expect(shippingMethodsFor(zones, { country: 'DE' }, { lines: [{ ...tee, quantity: 5 }] }).map((o) => o.price)).toEqual([900]);
    expect(shippingMethodsFor(zones, { country: 'DE' }, { lines: [{ ...tee, quantity: 6 }] }).map((o) => o.price)).toEqual([1500]);
    expect(shippingMethodsFor(zones, { country: 'DE' }, { lines: [{ ...tee, weightGrams: 5001 }] })).toEqual([]);
  });
});

describe('shippingPrice', () => {
  it('makes a weight method free over its threshold too, but never one that cannot take the weight', () => {
    const rate = { type: 'weight' as const, bands: [{ upToGrams: 1000, price: 900 }], freeOver: 10_000 };
    expect(shippingPrice(rate, { weightGrams: 900, amount: 10_000 })).toBe(0);
    expect(shippingPrice(rate, { weightGrams: 1001, amount: 10_000 })).toBeNull();
  });
});
