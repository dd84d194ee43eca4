// What procedures answer, as zod schemas: tRPC checks each answer against its procedure's
// `.output()` (dropping anything else), and the REST API's OpenAPI document describes its
// responses with them (apps/server/src/rest-api.ts). Each schema `satisfies` the type its service
// returns, and tRPC requires the service's answer to fit the schema: a field added to one but not
// the other does not compile.
import { orderStatuses, userRoles } from '@shop/db/constants';
import type { ProductStatus } from '@shop/db';
import { z } from 'zod';
import type { AddressDto, SavedAddressDto } from '../services/address-book.ts';
import type { AdminOrderDto } from '../services/admin.ts';
import type { SessionUser } from '../services/auth.ts';
import type { CartDto, CartMergeReport } from '../services/cart.ts';
import type { CategoryDto, ProductDto, ProductPage } from '../services/catalog.ts';
import type { OrderDto } from '../services/order-view.ts';
import type { listOrders } from '../services/orders.ts';
import type { PaymentConfig } from '../services/payments.ts';

const productStatus = z.enum(['available', 'sold_out'] satisfies ProductStatus[]);
const optionValues = z.record(z.string(), z.string());

export const categoryOutput = z
  .object({ id: z.string(), name: z.string(), slug: z.string(), description: z.string() })
  .meta({ id: 'Category' }) satisfies z.ZodType<CategoryDto>;

const variantOutput = z
  .object({
    id: z.string(),
    sku: z.string(),
    options: optionValues,
    price: z.int(),
    stock: z.int(),
    status: productStatus,
    images: z.array(z.string()),
    weightGrams: z.int(),
  })
  .meta({ id: 'Variant' });

export const productOutput = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    price: z.int().meta({ description: "The cheapest variant's price, in minor units (cents)" }),
    currency: z.string(),
    category: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    images: z.array(z.string()),
    stock: z.int(),
    status: productStatus,
    options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
    variants: z.array(variantOutput),
  })
  .meta({ id: 'Product' }) satisfies z.ZodType<ProductDto>;

export const productPageOutput = z
  .object({
    items: z.array(productOutput),
    total: z.int(),
    page: z.int(),
    limit: z.int(),
    nextCursor: z.string().nullable().meta({ description: 'Send as `cursor` for the page after this one (fast at any depth); null on the last page' }),
  })
  .meta({ id: 'ProductPage' }) satisfies z.ZodType<ProductPage>;

const cartLineOutput = z.object({
  productId: z.string(),
  variantId: z.string(),
  sku: z.string(),
  options: optionValues,
  slug: z.string(),
  name: z.string(),
  image: z.string().nullable(),
  unitPrice: z.int(),
  priceAtAdd: z.int(),
  priceChanged: z.boolean(),
  quantity: z.int(),
  lineTotal: z.int(),
  weightGrams: z.int(),
  stock: z.int(),
  status: productStatus,
  issue: z.enum(['sold_out', 'insufficient_stock', 'unavailable']).nullable(),
});

export const cartOutput = z
  .object({
    id: z.string().nullable(),
    lines: z.array(cartLineOutput),
    subtotal: z.int(),
    currency: z.string(),
    itemCount: z.int(),
    hasIssues: z.boolean(),
    /**
     * A guest's cart token, for callers that are not browsers: send it back as `x-cart-token` (or
     * the cookie). Null for a signed-in caller, and for browsers, which keep it as an httpOnly cookie.
     */
    cartToken: z.string().nullable(),
  })
  .meta({ id: 'Cart' }) satisfies z.ZodType<CartDto & { cartToken: string | null }>;

const addressOutput = z
  .object({
    name: z.string(),
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    region: z.string().optional(),
    postalCode: z.string(),
    country: z.string(),
    phone: z.string().optional(),
  })
  .meta({ id: 'Address' }) satisfies z.ZodType<AddressDto>;

export const savedAddressOutput = z
  .object({ id: z.string(), label: z.string().nullable(), ...addressOutput.shape, isDefault: z.boolean() })
  .meta({ id: 'SavedAddress' }) satisfies z.ZodType<SavedAddressDto>;

/** The address book, the default first. */
export const addressBookOutput = z.array(savedAddressOutput);

export const orderOutput = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    email: z.string().nullable(),
    status: z.enum(orderStatuses),
    lines: z.array(
      z.object({
        productId: z.string(),
        variantId: z.string(),
        sku: z.string(),
        options: optionValues,
        slug: z.string(),
        name: z.string(),
        unitPrice: z.int(),
        quantity: z.int(),
        lineTotal: z.int(),
        discount: z.int(),
        tax: z.int(),
      }),
    ),
    subtotal: z.int(),
    discount: z.object({ code: z.string(), amount: z.int() }).nullable(),
    shipping: z.object({ methodId: z.string(), name: z.string(), price: z.int() }).nullable(),
    tax: z.int(),
    shippingTax: z.int(),
    taxInclusive: z.boolean(),
    taxRate: z.object({ name: z.string(), rate: z.number() }).nullable(),
    total: z.int(),
    currency: z.string(),
    shippingAddress: addressOutput.nullable(),
    billingAddress: addressOutput.nullable(),
    createdAt: z.iso.datetime(),
    failure: z.object({ reason: z.string(), message: z.string() }).nullable(),
    refund: z.object({ amount: z.int(), at: z.iso.datetime() }).nullable(),
    /** What the shopper must do before the order can be placed (3-D Secure): only in placeOrder's answer to the order's own shopper, else null. */
    nextAction: z.object({ type: z.literal('authenticate'), clientSecret: z.string() }).nullable(),
  })
  .meta({ id: 'Order' }) satisfies z.ZodType<OrderDto>;

export const orderPageOutput = z
  .object({ items: z.array(orderOutput), total: z.int(), page: z.int(), limit: z.int() })
  .meta({ id: 'OrderPage' }) satisfies z.ZodType<Awaited<ReturnType<typeof listOrders>>>;

/** An order as the admin (or a service with `orders:read`) sees it: with its customer. */
export const adminOrderOutput = orderOutput
  .extend({
    customer: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
    guest: z.boolean(),
  })
  .meta({ id: 'AdminOrder' }) satisfies z.ZodType<AdminOrderDto>;

export const adminOrderPageOutput = z
  .object({ items: z.array(adminOrderOutput), total: z.int(), page: z.int(), limit: z.int() })
  .meta({ id: 'AdminOrderPage' });

export const userOutput = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(userRoles), emailVerified: z.boolean() })
  .meta({ id: 'User' }) satisfies z.ZodType<SessionUser & { emailVerified: boolean }>;

/** `auth.refresh`: the user as the session has them, and a new access token. */
export const refreshedSessionOutput = z.object({
  user: userOutput.omit({ emailVerified: true }),
  token: z.string(),
}) satisfies z.ZodType<{ user: SessionUser; token: string }>;

const cartMergeOutput = z.object({
  merged: z.boolean(),
  lines: z.array(
    z.object({ productId: z.string(), variantId: z.string(), name: z.string(), requested: z.int(), quantity: z.int(), capped: z.boolean() }),
  ),
}) satisfies z.ZodType<CartMergeReport>;

/** A sign-in (login, registration, password reset): the user, their access token, and what became of a guest cart. */
export const sessionOutput = z
  .object({
    user: userOutput,
    token: z.string().meta({ description: 'The access token (a JWT, 15 minutes): send it as `Authorization: Bearer <token>`' }),
    cartMerge: cartMergeOutput,
  })
  .meta({ id: 'Session' });

export const paymentConfigOutput = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('test') }),
  z.object({ provider: z.literal('stripe'), publishableKey: z.string() }),
]) satisfies z.ZodType<PaymentConfig>;
