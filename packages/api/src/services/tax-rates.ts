// Tax rates per country, and per region where it has its own: the merchant's admin, and the rate
// an address pays.
import { trusted, type Database, type TaxRateRecord } from '@shop/db';
import { notFound, retryOnDuplicateKey } from '../errors.ts';
import type { AppliedTaxRate } from '../pricing/index.ts';
import type { SetTaxRateInput } from '../schemas/pricing.ts';

export interface TaxRateDto extends AppliedTaxRate {
  id: string;
  country: string;
  /** '' for the whole country. */
  region: string;
}

function toTaxRateDto(rate: TaxRateRecord): TaxRateDto {
  return { id: rate._id.toString(), country: rate.country, region: rate.region ?? '', name: rate.name, rate: rate.rate, shipping: rate.shipping };
}

export async function listTaxRates(db: Database): Promise<TaxRateDto[]> {
  const rates = await db.models.TaxRate.find({}).sort({ country: 1, region: 1 }).lean<TaxRateRecord[]>();
  return rates.map(toTaxRateDto);
}

/** Sets the rate of a country (region '') or of one of its regions: one upsert on the unique (country, region). */
export async function setTaxRate(db: Database, input: SetTaxRateInput): Promise<TaxRateDto> {
  const rate = await retryOnDuplicateKey(() =>
    db.models.TaxRate.findOneAndUpdate(
      { country: input.country, region: input.region },
      { $set: { name: input.name, rate: input.rate, shipping: input.shipping } },
      { upsert: true, returnDocument: 'after', runValidators: true },
    ).lean<TaxRateRecord>(),
  );
  if (!rate) throw new Error('tax rate upsert returned no document');
  return toTaxRateDto(rate);
}

export async function deleteTaxRate(db: Database, key: { country: string; region: string }): Promise<{ country: string; region: string }> {
  const deleted = await db.models.TaxRate.deleteOne({ country: key.country, region: key.region });
  if (deleted.deletedCount !== 1) throw notFound('Tax rate');
  return key;
}

/** The key of a rate in a table of them (`PricingConfig.taxRates`): region '' for the whole country. */
export function taxRateKey(country: string, region: string): string {
  return `${country}|${region}`;
}

/** An address as rates are keyed: the country and region (an ISO 3166-2 code without the country) upper-cased. */
function taxAddress(address: { country: string; region?: string | undefined }): { country: string; region: string } {
  return { country: address.country.trim().toUpperCase(), region: (address.region ?? '').trim().toUpperCase() };
}

/**
 * The rate an address pays: its region's when the region has one (compared upper-cased: `ca` is
 * California's `CA`), else its country's, else none.
 */
export async function taxRateFor(db: Database, address: { country: string; region?: string | undefined }): Promise<TaxRateDto | null> {
  const { country, region } = taxAddress(address);
  const rates = await db.models.TaxRate.find({ country, region: trusted({ $in: region ? [region, ''] : [''] }) }).lean<TaxRateRecord[]>();
  const chosen = rates.find((rate) => rate.region === region && region !== '') ?? rates.find((rate) => rate.region === '');
  return chosen ? toTaxRateDto(chosen) : null;
}

/** `taxRateFor` over a table of every rate (the process's copy, services/pricing-config.ts). */
export function taxRateIn(rates: ReadonlyMap<string, TaxRateDto>, address: { country: string; region?: string | undefined }): TaxRateDto | null {
  const { country, region } = taxAddress(address);
  return (region ? rates.get(taxRateKey(country, region)) : undefined) ?? rates.get(taxRateKey(country, '')) ?? null;
}
