// The merchant's pricing, under `admin.`: discount codes, shipping zones (with their methods),
// tax rates and the shop's settings. One line per procedure over its service.
import {
  createDiscountInput,
  createShippingZoneInput,
  discountIdInput,
  discountListInput,
  setTaxRateInput,
  shippingZoneIdInput,
  taxRateKeyInput,
  updateDiscountInput,
  updateShippingZoneInput,
  updateShopSettingsInput,
} from '../schemas/pricing.ts';
import { createDiscount, disableDiscount, listDiscounts, updateDiscount } from '../services/discount-codes.ts';
import { createShippingZone, deleteShippingZone, listShippingZones, updateShippingZone } from '../services/shipping-zones.ts';
import { getShopSettings, updateShopSettings } from '../services/shop-settings.ts';
import { deleteTaxRate, listTaxRates, setTaxRate } from '../services/tax-rates.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

/** A change to the shipping zones, tax rates or settings: this process's copy of them is dropped once it is answered (services/pricing-config.ts). */
const configWriteProcedure = adminProcedure.use(async ({ ctx, next }) => {
  try {
    return await next();
  } finally {
    ctx.pricingConfig?.invalidate();
  }
});

export const discountsAdminRouter = createTRPCRouter({
  list: adminProcedure.input(discountListInput).query(({ ctx, input }) => listDiscounts(ctx.db, input)),
  create: adminProcedure.input(createDiscountInput).mutation(({ ctx, input }) => createDiscount(ctx.db, input)),
  update: adminProcedure.input(updateDiscountInput).mutation(({ ctx, input }) => updateDiscount(ctx.db, input)),
  disable: adminProcedure.input(discountIdInput).mutation(({ ctx, input }) => disableDiscount(ctx.db, input.discountId)),
});

export const shippingAdminRouter = createTRPCRouter({
  zones: createTRPCRouter({
    list: adminProcedure.query(({ ctx }) => listShippingZones(ctx.db)),
    create: configWriteProcedure.input(createShippingZoneInput).mutation(({ ctx, input }) => createShippingZone(ctx.db, input)),
    update: configWriteProcedure.input(updateShippingZoneInput).mutation(({ ctx, input }) => updateShippingZone(ctx.db, input)),
    delete: configWriteProcedure.input(shippingZoneIdInput).mutation(({ ctx, input }) => deleteShippingZone(ctx.db, input.zoneId)),
  }),
});

export const taxAdminRouter = createTRPCRouter({
  rates: createTRPCRouter({
    list: adminProcedure.query(({ ctx }) => listTaxRates(ctx.db)),
    set: configWriteProcedure.input(setTaxRateInput).mutation(({ ctx, input }) => setTaxRate(ctx.db, input)),
    delete: configWriteProcedure.input(taxRateKeyInput).mutation(({ ctx, input }) => deleteTaxRate(ctx.db, input)),
  }),
});

export const settingsAdminRouter = createTRPCRouter({
  get: adminProcedure.query(({ ctx }) => getShopSettings(ctx.db)),
  update: configWriteProcedure.input(updateShopSettingsInput).mutation(({ ctx, input }) => updateShopSettings(ctx.db, input)),
});
