// The shop's settings: one document, read with its defaults when it was never written.
import { shopSettingsId, type Database } from '@shop/db';
import { retryOnDuplicateKey } from '../errors.ts';

export interface ShopSettingsDto {
  /** Whether prices and shipping rates include tax (tax is extracted) or not (tax is added). */
  taxInclusive: boolean;
}

export const defaultShopSettings: ShopSettingsDto = { taxInclusive: false };

export async function getShopSettings(db: Database): Promise<ShopSettingsDto> {
  const settings = await db.models.ShopSettings.findById(shopSettingsId, { taxInclusive: 1 }).lean<{ taxInclusive?: boolean }>();
  return { taxInclusive: settings?.taxInclusive ?? defaultShopSettings.taxInclusive };
}

export async function updateShopSettings(db: Database, changes: Partial<ShopSettingsDto>): Promise<ShopSettingsDto> {
  const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(set).length > 0) {
    await retryOnDuplicateKey(() => db.models.ShopSettings.updateOne({ _id: shopSettingsId }, { $set: set }, { upsert: true, runValidators: true }));
  }
  return getShopSettings(db);
}
