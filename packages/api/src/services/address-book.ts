// A signed-in shopper's address book: at most `maxSavedAddresses`, exactly one the default when
// there are any. The book is one array on the user's document, rewritten whole under optimistic
// locking (`addressRevision`, as carts do with `revision`), so every rule is checked on the whole
// list and two tabs changing it at once cannot break one (a second default, an eleventh address).
import { Types, maxSavedAddresses, trusted, type Database, type SavedAddressRecord } from '@shop/db';
import { DomainError, notFound } from '../errors.ts';
import type { AddSavedAddressInput, Address, UpdateSavedAddressInput } from '../schemas/address.ts';

type StoredAddress = Pick<SavedAddressRecord, 'name' | 'line1' | 'line2' | 'city' | 'region' | 'postalCode' | 'country' | 'phone'>;

/** An address as the API shows it (on an order, in the book): optional fields only when set. */
export function toAddressDto(address: StoredAddress) {
  return {
    name: address.name,
    line1: address.line1,
    ...(address.line2 ? { line2: address.line2 } : {}),
    city: address.city,
    ...(address.region ? { region: address.region } : {}),
    postalCode: address.postalCode,
    country: address.country,
    ...(address.phone ? { phone: address.phone } : {}),
  };
}
export type AddressDto = ReturnType<typeof toAddressDto>;

export function toSavedAddressDto(saved: SavedAddressRecord) {
  return { id: saved._id.toString(), label: saved.label ?? null, ...toAddressDto(saved), isDefault: saved.isDefault };
}
export type SavedAddressDto = ReturnType<typeof toSavedAddressDto>;

/** The book as listed: the default first, then the others in the order they were added. */
function toBookDto(addresses: SavedAddressRecord[]): SavedAddressDto[] {
  return [...addresses.filter((address) => address.isDefault), ...addresses.filter((address) => !address.isDefault)].map(toSavedAddressDto);
}

const bookProjection = { addresses: 1, addressRevision: 1 } as const;
interface Book {
  addresses: SavedAddressRecord[];
  addressRevision?: number | null;
}

async function readBook(db: Database, userId: string): Promise<Book> {
  const user = await db.models.User.findById(userId, bookProjection).lean<Book>();
  if (!user) throw notFound('Account');
  return { addresses: user.addresses ?? [], addressRevision: user.addressRevision };
}

export async function listAddresses(db: Database, userId: string): Promise<SavedAddressDto[]> {
  return toBookDto((await readBook(db, userId)).addresses);
}

/** The default address of the user's book, as an order stores it; null for an empty book. */
export async function findDefaultAddress(db: Database, userId: string): Promise<AddressDto | null> {
  const user = await db.models.User.findById(userId, { addresses: 1 }).lean<Pick<Book, 'addresses'>>();
  return defaultAddressIn(user?.addresses ?? []);
}

/** The default of a book read some other way (checkout reads it with the cart), as an order stores it. */
export function defaultAddressIn(addresses: (StoredAddress & Pick<SavedAddressRecord, 'isDefault'>)[]): AddressDto | null {
  const saved = addresses.find((address) => address.isDefault) ?? addresses[0];
  return saved ? toAddressDto(saved) : null;
}

/** Exactly one default in a book that has any: the first one marked, else the first one. */
function withOneDefault(addresses: SavedAddressRecord[]): SavedAddressRecord[] {
  const chosen = addresses.find((address) => address.isDefault) ?? addresses[0];
  return addresses.map((address) => ({ ...address, isDefault: address === chosen }));
}

const maxAttempts = 20;

/**
 * Rewrites the book with `change` applied, if nobody changed it since it was read (else reads it
 * again and re-applies). `change` throws to refuse; it returns null to leave the book as it is.
 */
async function changeBook(
  db: Database,
  userId: string,
  change: (addresses: SavedAddressRecord[]) => SavedAddressRecord[] | null,
): Promise<SavedAddressDto[]> {
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const book = await readBook(db, userId);
    const changed = change(book.addresses.map((address) => ({ ...address })));
    if (changed === null) return toBookDto(book.addresses);
    const addresses = withOneDefault(changed);
    const revision = book.addressRevision ?? undefined;
    const written = await db.models.User.updateOne(
      { _id: userId, addressRevision: revision ?? trusted({ $exists: false }) },
      { $set: { addresses, addressRevision: (revision ?? 0) + 1 } },
      { runValidators: true },
    );
    if (written.modifiedCount === 1) return toBookDto(addresses);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
  }
  throw new Error('address book changed concurrently too many times');
}

function bookFull(): DomainError<'LIMIT_EXCEEDED'> {
  return new DomainError('LIMIT_EXCEEDED', `An address book holds at most ${maxSavedAddresses} addresses; remove one first`, {
    limit: 'addresses',
    max: maxSavedAddresses,
    productId: null,
    requested: null,
  });
}

function indexOf(addresses: SavedAddressRecord[], id: string): number {
  const index = addresses.findIndex((address) => address._id.toString() === id);
  if (index < 0) throw notFound('Address');
  return index;
}

function stored(address: Address, label: string | undefined): Omit<SavedAddressRecord, '_id' | 'isDefault'> {
  return { ...(label ? { label } : {}), ...address };
}

/** account.addresses.add: the first address, or one added with `isDefault`, becomes the default. */
export function addAddress(db: Database, userId: string, input: AddSavedAddressInput): Promise<SavedAddressDto[]> {
  const { label, isDefault, ...address } = input;
  return changeBook(db, userId, (addresses) => {
    if (addresses.length >= maxSavedAddresses) throw bookFull();
    const added: SavedAddressRecord = { _id: new Types.ObjectId(), ...stored(address, label), isDefault: isDefault === true };
    return [...addresses.map((existing) => (isDefault ? { ...existing, isDefault: false } : existing)), added];
  });
}

/** account.addresses.update: the address (and label) replaced; whether it is the default stays. */
export function updateAddress(db: Database, userId: string, input: UpdateSavedAddressInput): Promise<SavedAddressDto[]> {
  const { id, label, ...address } = input;
  return changeBook(db, userId, (addresses) => {
    const index = indexOf(addresses, id);
    const current = addresses[index];
    if (!current) throw notFound('Address');
    addresses[index] = { _id: current._id, ...stored(address, label), isDefault: current.isDefault };
    return addresses;
  });
}

/** account.addresses.remove: removing the default makes the oldest remaining one the default. */
export function removeAddress(db: Database, userId: string, id: string): Promise<SavedAddressDto[]> {
  return changeBook(db, userId, (addresses) => {
    const index = indexOf(addresses, id);
    return addresses.filter((_, at) => at !== index);
  });
}

export function setDefaultAddress(db: Database, userId: string, id: string): Promise<SavedAddressDto[]> {
  return changeBook(db, userId, (addresses) => {
    const index = indexOf(addresses, id);
    return addresses.map((address, at) => ({ ...address, isDefault: at === index }));
  });
}

const sameText = (a: string | null | undefined, b: string | null | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** The same place: every field equal, ignoring case (and the label). */
function sameAddress(a: StoredAddress, b: StoredAddress): boolean {
  return (['name', 'line1', 'line2', 'city', 'region', 'postalCode', 'country', 'phone'] as const).every((field) => sameText(a[field], b[field]));
}

/**
 * placeOrder's `saveAddress`: keeps the address in the book unless it is there already. A full
 * book is left as it is — the order matters more than the book — and says so in the result.
 */
export async function rememberAddress(db: Database, userId: string, address: Address): Promise<'saved' | 'known' | 'book-full'> {
  let outcome: 'saved' | 'known' | 'book-full' = 'saved';
  await changeBook(db, userId, (addresses) => {
    if (addresses.some((existing) => sameAddress(existing, address))) {
      outcome = 'known';
      return null;
    }
    if (addresses.length >= maxSavedAddresses) {
      outcome = 'book-full';
      return null;
    }
    outcome = 'saved';
    return [...addresses, { _id: new Types.ObjectId(), ...address, isDefault: false }];
  });
  return outcome;
}
