// The demo shop's pricing: where it ships and for how much, the tax it charges, and a welcome
// code. Every amount is in the catalogue's one currency (USD minor units), also for the EU.
import { Types } from 'mongoose';
import type { Database } from '../connection.ts';
import { shopSettingsId } from '../models/shop-settings.ts';
import { trusted } from '../trusted.ts';

/** The 27 member states of the European Union (ISO 3166-1 alpha-2). */
export const euCountries = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU',
  'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
] as const;

type SeedRate = { type: 'flat'; price: number; freeOver: number | null } | { type: 'weight'; bands: { upToGrams: number; price: number }[]; freeOver: number | null };

export const seedShippingZones: { name: string; countries: readonly string[]; methods: { name: string; rate: SeedRate }[] }[] = [
  {
    name: 'United States',
    countries: ['US'],
    methods: [
      { name: 'Standard', rate: { type: 'flat', price: 500, freeOver: 5000 } },
      { name: 'Express', rate: { type: 'flat', price: 1500, freeOver: null } },
    ],
  },
  {
    name: 'European Union',
    countries: euCountries,
    methods: [
      { name: 'Standard', rate: { type: 'flat', price: 1200, freeOver: 7500 } },
      { name: 'Express', rate: { type: 'flat', price: 2500, freeOver: null } },
      {
        name: 'Parcel by weight',
        rate: {
          type: 'weight',
          bands: [
            { upToGrams: 500, price: 800 },
            { upToGrams: 2000, price: 1400 },
            { upToGrams: 10_000, price: 2500 },
          ],
          freeOver: null,
        },
      },
    ],
  },
];

/**
 * The EU members' standard VAT rates (basis points) as of 2025, shipping taxed with the goods;
 * a real shop checks them before going live.
 */
const euVat: Record<(typeof euCountries)[number], number> = {
  AT: 2000, BE: 2100, BG: 2000, CY: 1900, CZ: 2100, DE: 1900, DK: 2500, EE: 2400, ES: 2100,
  FI: 2550, FR: 2000, GR: 2400, HR: 2500, HU: 2700, IE: 2300, IT: 2200, LT: 2100, LU: 1700,
  LV: 2100, MT: 1800, NL: 2100, PL: 2300, PT: 2300, RO: 2100, SE: 2500, SI: 2200, SK: 2300,
};

/** US sales tax: none country-wide, and a few states' base rates (California does not tax separately stated shipping; New York does). */
export const seedTaxRates: { country: string; region: string; name: string; rate: number; shipping: boolean }[] = [
  { country: 'US', region: '', name: 'No sales tax', rate: 0, shipping: false },
  { country: 'US', region: 'CA', name: 'California sales tax', rate: 725, shipping: false },
  { country: 'US', region: 'NY', name: 'New York sales tax', rate: 400, shipping: true },
  ...euCountries.map((country) => ({ country, region: '', name: 'VAT', rate: euVat[country], shipping: true })),
];

export const seedDiscounts = [{ code: 'WELCOME10', type: 'percentage' as const, value: 10 }];

export interface PricingSeedResult {
  zones: number;
  taxRates: number;
  discounts: number;
}

/**
 * Writes the demo pricing: each zone, rate, code and the settings only where nothing of the kind
 * is there (a zone is skipped when its name or any of its countries is taken), so a second run
 * creates nothing and never undoes a merchant's change. Answers what it created.
 */
export async function seedPricing(db: Database): Promise<PricingSeedResult> {
  const { ShippingZone, TaxRate, Discount, ShopSettings } = db.models;
  let zones = 0;
  for (const zone of seedShippingZones) {
    const written = await ShippingZone.updateOne(
      { $or: [{ name: zone.name }, { countries: trusted({ $in: [...zone.countries] }) }] },
      {
        $setOnInsert: {
          name: zone.name,
          countries: [...zone.countries],
          methods: zone.methods.map((method) => ({ _id: new Types.ObjectId(), ...method, active: true })),
        },
      },
      { upsert: true },
    );
    zones += written.upsertedCount;
  }
  const rates = await TaxRate.bulkWrite(
    seedTaxRates.map((rate) => ({
      updateOne: { filter: { country: rate.country, region: rate.region }, update: { $setOnInsert: rate }, upsert: true },
    })),
  );
  const discounts = await Discount.bulkWrite(
    seedDiscounts.map((discount) => ({
      updateOne: { filter: { codeKey: discount.code.toLowerCase() }, update: { $setOnInsert: { ...discount, codeKey: discount.code.toLowerCase() } }, upsert: true },
    })),
  );
  await ShopSettings.updateOne({ _id: shopSettingsId }, { $setOnInsert: { taxInclusive: false } }, { upsert: true });
  return { zones, taxRates: rates.upsertedCount, discounts: discounts.upsertedCount };
}
