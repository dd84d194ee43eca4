// Shipping zones and their methods: the merchant's admin, and the definitions pricing reads.
// A country is in at most one zone: checked before writing (to name the zone it is in), and kept
// by the unique index over the zones' countries when two admins race.
import { Types, trusted, type Database, type ShippingMethodRecord, type ShippingZoneRecord } from '@shop/db';
import { DomainError, isDuplicateKey, notFound } from '../errors.ts';
import type { ShippingRate, ShippingZoneDefinition } from '../pricing/index.ts';
import type { CreateShippingZoneInput, ShippingRateInput, UpdateShippingZoneInput } from '../schemas/pricing.ts';

export interface ShippingMethodDto {
  id: string;
  name: string;
  rate: ShippingRate;
  active: boolean;
}

export interface ShippingZoneDto {
  id: string;
  name: string;
  countries: string[];
  methods: ShippingMethodDto[];
}

/** A stored rate as pricing takes it (a weight rate without bands, which validation never lets in, ships nothing). */
function toRate(rate: ShippingMethodRecord['rate']): ShippingRate {
  const freeOver = rate.freeOver ?? null;
  if (rate.type === 'weight') return { type: 'weight', bands: (rate.bands ?? []).map((band) => ({ upToGrams: band.upToGrams, price: band.price })), freeOver };
  return { type: 'flat', price: rate.price ?? 0, freeOver };
}

export function toShippingZoneDto(zone: ShippingZoneRecord): ShippingZoneDto & ShippingZoneDefinition {
  return {
    id: zone._id.toString(),
    name: zone.name,
    countries: [...zone.countries],
    methods: zone.methods.map((method) => ({ id: method._id.toString(), name: method.name, rate: toRate(method.rate), active: method.active })),
  };
}

/** Every zone, by name (what pricing needs: few documents, read whole). */
export async function listShippingZones(db: Database): Promise<ShippingZoneDto[]> {
  const zones = await db.models.ShippingZone.find({}).sort({ name: 1, _id: 1 }).lean<ShippingZoneRecord[]>();
  return zones.map(toShippingZoneDto);
}

/** The zone that ships to `country`, if any. */
export async function findShippingZone(db: Database, country: string): Promise<ShippingZoneDto | null> {
  const zone = await db.models.ShippingZone.findOne({ countries: country }).lean<ShippingZoneRecord>();
  return zone ? toShippingZoneDto(zone) : null;
}

function storedRate(rate: ShippingRateInput) {
  return rate.type === 'flat'
    ? { type: 'flat' as const, price: rate.price, freeOver: rate.freeOver }
    : { type: 'weight' as const, bands: rate.bands, freeOver: rate.freeOver };
}

/** Refuses countries another zone has, naming the first such zone and which of them it has. */
async function checkCountriesFree(db: Database, countries: string[], zoneId?: Types.ObjectId): Promise<void> {
  const other = await db.models.ShippingZone.findOne(
    { countries: trusted({ $in: countries }), ...(zoneId ? { _id: trusted({ $ne: zoneId }) } : {}) },
    { name: 1, countries: 1 },
  ).lean<Pick<ShippingZoneRecord, '_id' | 'name' | 'countries'>>();
  if (!other) return;
  const taken = countries.filter((country) => other.countries.includes(country));
  throw new DomainError('SHIPPING_COUNTRY_TAKEN', `${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} already in the zone ${other.name}`, {
    countries: taken,
    zoneId: other._id.toString(),
    zoneName: other.name,
  });
}

/** Runs a zone write; a duplicate key (another admin put a country in a zone meanwhile) is answered like the check. */
async function writeZone<T>(db: Database, countries: string[] | undefined, zoneId: Types.ObjectId | undefined, write: () => Promise<T>): Promise<T> {
  if (countries) await checkCountriesFree(db, countries, zoneId);
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error) || !countries) throw error;
    await checkCountriesFree(db, countries, zoneId);
    throw error;
  }
}

export async function createShippingZone(db: Database, input: CreateShippingZoneInput): Promise<ShippingZoneDto> {
  for (const [index, method] of input.methods.entries()) {
    if (method.id !== undefined) throw notFound(`Shipping method ${index + 1}`);
  }
  const created = await writeZone(db, input.countries, undefined, () =>
    db.models.ShippingZone.create({
      name: input.name,
      countries: input.countries,
      methods: input.methods.map((method) => ({ name: method.name, rate: storedRate(method.rate), active: method.active })),
    }),
  );
  return toShippingZoneDto(created.toObject());
}

/**
 * Changes a zone's name, countries or methods. Methods listed with their `id` keep it (a cart's or
 * an order's choice still names them), those without are added, those not listed are removed.
 */
export async function updateShippingZone(db: Database, input: UpdateShippingZoneInput): Promise<ShippingZoneDto> {
  const zoneId = new Types.ObjectId(input.zoneId);
  const set: Record<string, unknown> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.countries !== undefined) set.countries = input.countries;
  if (input.methods !== undefined) {
    const zone = await db.models.ShippingZone.findById(zoneId, { 'methods._id': 1 }).lean<{ methods: Pick<ShippingMethodRecord, '_id'>[] }>();
    if (!zone) throw notFound('Shipping zone');
    const existing = new Set(zone.methods.map((method) => method._id.toString()));
    set.methods = input.methods.map((method, index) => {
      if (method.id !== undefined && !existing.has(method.id)) throw notFound(`Shipping method ${index + 1}`);
      return { _id: method.id ? new Types.ObjectId(method.id) : new Types.ObjectId(), name: method.name, rate: storedRate(method.rate), active: method.active };
    });
  }
  const updated = await writeZone(db, input.countries, zoneId, () =>
    db.models.ShippingZone.findOneAndUpdate({ _id: zoneId }, { $set: set }, { returnDocument: 'after', runValidators: true }).lean<ShippingZoneRecord>(),
  );
  if (!updated) throw notFound('Shipping zone');
  return toShippingZoneDto(updated);
}

export async function deleteShippingZone(db: Database, zoneId: string): Promise<{ id: string }> {
  const deleted = await db.models.ShippingZone.deleteOne({ _id: zoneId });
  if (deleted.deletedCount !== 1) throw notFound('Shipping zone');
  return { id: zoneId };
}
