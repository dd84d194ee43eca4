import { describe, expect, it } from 'vitest';
import { matchRoute, orderHref, orderLookupHref, orderPlacedHref, productHref, registerHref, resetPasswordHref, signInHref, verifyEmailHref } from './routes.ts';

const orderId = '64b0000000000000000000a1';

describe('matchRoute', () => {
  it('names every page of the storefront', () => {
    expect(matchRoute('/')).toEqual({ name: 'catalog' });
    expect(matchRoute('/products/plain-white-tee')).toEqual({ name: 'product', slug: 'plain-white-tee' });
    expect(matchRoute('/cart')).toEqual({ name: 'cart' });
    expect(matchRoute('/checkout')).toEqual({ name: 'checkout' });
    expect(matchRoute(`/checkout/placed/${orderId}`)).toEqual({ name: 'order-placed', orderId });
    expect(matchRoute('/sign-in')).toEqual({ name: 'sign-in' });
    expect(matchRoute('/register')).toEqual({ name: 'register' });
    expect(matchRoute('/forgot-password')).toEqual({ name: 'forgot-password' });
    expect(matchRoute('/reset-password')).toEqual({ name: 'reset-password' });
    expect(matchRoute('/verify-email')).toEqual({ name: 'verify-email' });
    expect(matchRoute('/account')).toEqual({ name: 'account' });
    expect(matchRoute(`/account/orders/${orderId}`)).toEqual({ name: 'order', orderId });
    expect(matchRoute('/admin')).toEqual({ name: 'admin-dashboard' });
    expect(matchRoute('/admin/products')).toEqual({ name: 'admin-products' });
    expect(matchRoute('/admin/products/new')).toEqual({ name: 'admin-new-product' });
    expect(matchRoute('/admin/orders')).toEqual({ name: 'admin-orders' });
    expect(matchRoute('/admin/products/0123456789abcdef01234567/variants')).toEqual({ name: 'admin-product-variants', productId: '0123456789abcdef01234567' });
    expect(matchRoute('/admin/products/not-an-id/variants')).toEqual({ name: 'not-found' });
    expect(matchRoute('/admin/import-export')).toEqual({ name: 'admin-catalog-csv' });
    expect(matchRoute(orderLookupHref)).toEqual({ name: 'order-lookup' });
    expect(matchRoute('/admin/discounts')).toEqual({ name: 'admin-discounts' });
    expect(matchRoute('/admin/shipping')).toEqual({ name: 'admin-shipping' });
    expect(matchRoute('/admin/tax')).toEqual({ name: 'admin-tax' });
    expect(matchRoute('/admin/webhooks')).toEqual({ name: 'admin-webhooks' });
    expect(matchRoute('/admin/api-keys')).toEqual({ name: 'admin-api-keys' });
  });

  it('ignores a trailing slash', () => {
    expect(matchRoute('/cart/')).toEqual({ name: 'cart' });
  });

  it('does not match what the API would refuse', () => {
    for (const path of ['/products/Not_A_Slug', '/products/', '/account/orders/123', '/checkout/placed/xyz', '/nope']) {
      expect(matchRoute(path)).toEqual({ name: 'not-found' });
    }
  });

  it('matches what the href builders write', () => {
    expect(matchRoute(new URL(resetPasswordHref('a-b_c'), 'http://shop').pathname)).toEqual({ name: 'reset-password' });
    expect(matchRoute(new URL(verifyEmailHref('a-b_c'), 'http://shop').pathname)).toEqual({ name: 'verify-email' });
    expect(matchRoute(productHref('canvas-tote'))).toEqual({ name: 'product', slug: 'canvas-tote' });
    expect(matchRoute(orderHref(orderId))).toEqual({ name: 'order', orderId });
    expect(matchRoute(orderPlacedHref(orderId))).toEqual({ name: 'order-placed', orderId });
  });
});

describe('signInHref and registerHref', () => {
  it('come back to where the shopper was', () => {
    expect(signInHref('/checkout')).toBe('/sign-in?next=%2Fcheckout');
    expect(registerHref('/checkout')).toBe('/register?next=%2Fcheckout');
    expect(signInHref('/')).toBe('/sign-in');
    expect(signInHref()).toBe('/sign-in');
  });
});
