#!/usr/bin/env node
// A service-style report over the Shop API: the first products of the catalogue, then the orders
// of the account in SHOP_EMAIL / SHOP_PASSWORD. Plain Node ESM: no TypeScript tooling needed.
import { createShopClient, isShopClientError } from '@shop/client';

const url = process.env.SHOP_API_URL ?? 'http://localhost:3000';
const email = process.env.SHOP_EMAIL;
const password = process.env.SHOP_PASSWORD;
if (!email || !password) {
  console.error('Set SHOP_EMAIL and SHOP_PASSWORD (and SHOP_API_URL, default http://localhost:3000).');
  process.exit(2);
}

/** Money is an integer of minor units; the currency says how many digits are minor. */
function formatMoney(minorUnits, currency) {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  return format.format(minorUnits / 10 ** format.resolvedOptions().maximumFractionDigits);
}

function stockLabel(product) {
  return product.status === 'sold_out' ? 'sold out' : `in stock (${product.stock})`;
}

// The token is read before every request, so the one client works before and after signing in.
let token;
const shop = createShopClient({ url, token: () => token });

try {
  const products = await shop.catalog.products.query({ limit: 5 });
  console.log(`Products (first ${products.items.length} of ${products.total}):`);
  for (const product of products.items) {
    console.log(`  ${product.name.padEnd(24)} ${formatMoney(product.price, product.currency).padStart(9)}  ${stockLabel(product)}`);
  }

  const session = await shop.auth.login.mutate({ email, password });
  token = session.token;
  console.log(`\nSigned in as ${session.user.name} <${session.user.email}>`);

  const orders = await shop.orders.list.query({ limit: 20 });
  console.log(`${orders.total} ${orders.total === 1 ? 'order' : 'orders'}`);
  for (const order of orders.items) {
    console.log(`  ${order.id}  ${order.status.padEnd(9)}  ${formatMoney(order.total, order.currency)}`);
  }
  if (orders.total > orders.items.length) console.log(`  … and ${orders.total - orders.items.length} more`);
} catch (error) {
  if (!isShopClientError(error)) throw error;
  // `data` is null when the server never answered (wrong URL, server down).
  const reason = error.data?.reason ?? 'no answer from the server';
  console.error(`Shop API request to ${url} failed: ${error.message} (${reason})`);
  process.exitCode = 1;
}
