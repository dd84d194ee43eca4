// The demo shop's pricing as the seed sets it, priced the way the storefront will: with the cart
// lines `cart.get` answers, passed to priceCart as they are.
import { defaultAdminPassword, seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceCart } from '../pricing/index.ts';
import { callerFor, createTestUser } from '../testing.ts';
import { checkoutPricingContext } from './pricing-context.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('pricing_seed');
  await seed(db, { adminPassword: defaultAdminPassword });
});
afterAll(() => db.drop());

describe('the seeded pricing', () => {
  it('prices three Plain White Tees with WELCOME10 to California and to Germany', async () => {
    const shopper = callerFor(db, { user: await createTestUser(db, 'seeded-pricing@example.com') });
    const tee = await callerFor(db).catalog.product({ slug: 'plain-white-tee' });
    await shopper.cart.addItem({ productId: tee.id, quantity: 3 });
    const cart = await shopper.cart.get();

    const california = await checkoutPricingContext(db, { cart, address: { country: 'US', region: 'CA' }, discountCode: 'welcome10' });
    expect(california.shippingMethods.map((option) => [option.name, option.price])).toEqual([
      ['Standard', 0],
      ['Express', 1500],
    ]);
    const standard = california.shippingMethods[0];
    // 5997 less 10% (599.7 → 600) is 5397: free Standard shipping; 7.25% of 5397 is 391.
    expect(priceCart(cart, { ...california.pricing, shippingMethod: standard })).toMatchObject({
      subtotal: 5997,
      discount: 600,
      shipping: 0,
      tax: 391,
      total: 5788,
      lines: [{ productId: tee.id, sku: 'PLAIN-WHITE-TEE', weightGrams: 180, subtotal: 5997, discount: 600, tax: 391, total: 5788 }],
    });

    const germany = await checkoutPricingContext(db, { cart, address: { country: 'DE' }, discountCode: 'WELCOME10' });
    const parcel = germany.shippingMethods.find((option) => option.name === 'Parcel by weight');
    // 540 g: the 2 kg band, 14.00; 19% VAT on the goods (1025) and on shipping (266).
    expect(parcel?.price).toBe(1400);
    expect(priceCart(cart, { ...germany.pricing, shippingMethod: parcel })).toMatchObject({ shipping: 1400, tax: 1025 + 266, shippingTax: 266, total: 5397 + 1400 + 1291 });
  });
});
