import { maxSavedAddresses } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestUser, testAddress } from '../testing.ts';

let db: TestDatabase;
let n = 0;

beforeAll(async () => {
  db = await createTestDatabase('account');
});
afterAll(() => db.drop());

const paris = { name: 'Paul Paris', line1: '5 Rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' } as const;
const toronto = { name: 'Tara T', line1: '100 Queen St W', city: 'Toronto', region: 'ON', postalCode: 'm5h 2n2', country: 'ca' } as const;

async function shopperWithEmptyBook() {
  n += 1;
  const user = await createTestUser(db, `book${n}@example.com`, 'customer', { addresses: [] });
  return { user, api: callerFor(db, { user }) };
}

async function stored(userId: string) {
  return db.models.User.findById(userId, { addresses: 1, addressRevision: 1 }).lean();
}

describe('account.addresses', () => {
  it('adds addresses, the first one the default, and lists the default first', async () => {
    const { api } = await shopperWithEmptyBook();
    expect(await api.account.addresses.list()).toEqual([]);
    const [home] = await api.account.addresses.add({ label: 'Home', ...paris });
    expect(home).toEqual({ id: expect.any(String), label: 'Home', ...paris, isDefault: true });

    const book = await api.account.addresses.add(toronto);
    expect(book.map((address) => [address.city, address.isDefault])).toEqual([
      ['Paris', true],
      ['Toronto', false],
    ]);
    // Stored as checked: upper-cased country and postal code, no empty label.
    expect(book[1]).toEqual({ id: expect.any(String), label: null, ...toronto, postalCode: 'M5H 2N2', country: 'CA', isDefault: false });
    expect(await api.account.addresses.list()).toEqual(book);
  });

  it('keeps exactly one default: adding one as default, setting another, removing the default', async () => {
    const { api } = await shopperWithEmptyBook();
    await api.account.addresses.add(paris);
    const withNew = await api.account.addresses.add({ ...toronto, isDefault: true });
    expect(withNew.filter((address) => address.isDefault).map((address) => address.city)).toEqual(['Toronto']);

    const paulId = withNew.find((address) => address.city === 'Paris')?.id ?? '';
    const switched = await api.account.addresses.setDefault({ id: paulId });
    expect(switched.filter((address) => address.isDefault).map((address) => address.city)).toEqual(['Paris']);

    const afterRemove = await api.account.addresses.remove({ id: paulId });
    expect(afterRemove).toEqual([expect.objectContaining({ city: 'Toronto', isDefault: true })]);
    expect(await api.account.addresses.remove({ id: afterRemove[0]?.id ?? '' })).toEqual([]);
  });

  it('updates an address in place, keeping whether it is the default', async () => {
    const { api } = await shopperWithEmptyBook();
    const [home] = await api.account.addresses.add({ label: 'Home', ...paris });
    const updated = await api.account.addresses.update({ id: home?.id ?? '', label: 'Flat', ...paris, line2: '3e étage' });
    expect(updated).toEqual([{ id: home?.id, label: 'Flat', ...paris, line2: '3e étage', isDefault: true }]);
  });

  it(`holds at most ${maxSavedAddresses} addresses: the next is LIMIT_EXCEEDED and changes nothing`, async () => {
    const { api, user } = await shopperWithEmptyBook();
    for (let index = 0; index < maxSavedAddresses; index += 1) await api.account.addresses.add({ ...testAddress, line1: `${index + 1} Main Street` });
    const before = await stored(user.id);
    await expect(api.account.addresses.add(paris)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'LIMIT_EXCEEDED',
      details: { limit: 'addresses', max: maxSavedAddresses, productId: null, requested: null },
    });
    expect(await stored(user.id)).toEqual(before);
  });

  it('keeps every one of concurrent adds, and one default (optimistic locking loses none)', async () => {
    const { api, user } = await shopperWithEmptyBook();
    await Promise.all(Array.from({ length: 6 }, (_, index) => api.account.addresses.add({ ...testAddress, line1: `${index + 1} Race Road`, isDefault: index % 2 === 0 })));
    const book = (await stored(user.id))?.addresses ?? [];
    expect(book).toHaveLength(6);
    expect(book.filter((address) => address.isDefault)).toHaveLength(1);
  });

  it('is NOT_FOUND for an address of another account, and changes neither book', async () => {
    const mine = await shopperWithEmptyBook();
    const theirs = await shopperWithEmptyBook();
    const [their] = await theirs.api.account.addresses.add(paris);
    const theirId = their?.id ?? '';
    const before = [await stored(mine.user.id), await stored(theirs.user.id)];
    await expect(mine.api.account.addresses.remove({ id: theirId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(mine.api.account.addresses.setDefault({ id: theirId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(mine.api.account.addresses.update({ id: theirId, ...toronto })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect([await stored(mine.user.id), await stored(theirs.user.id)]).toEqual(before);
  });

  it('refuses invalid addresses with field paths (bad country, bad ZIP, missing line1) and writes nothing', async () => {
    const { api, user } = await shopperWithEmptyBook();
    const before = await stored(user.id);
    const cases: [unknown, string, RegExp][] = [
      [{ ...testAddress, country: 'XX' }, 'country', /ISO 3166-1/],
      [{ ...testAddress, country: 'UK' }, 'country', /ISO 3166-1/],
      [{ ...testAddress, postalCode: '1234' }, 'postalCode', /^A US ZIP code: 12345 or 12345-6789$/],
      [{ ...testAddress, postalCode: '12345-' }, 'postalCode', /US ZIP/],
      [{ ...paris, postalCode: '7500' }, 'postalCode', /French postal code/],
      [{ ...testAddress, line1: '   ' }, 'line1', /street address/],
      [{ ...testAddress, line1: undefined }, 'line1', /expected string/],
      [{ ...testAddress, name: 'A\u0000B' }, 'name', /control characters/],
      [{ ...testAddress, city: 'x'.repeat(101) }, 'city', /100/],
      [{ ...testAddress, phone: 'call me' }, 'phone', /phone number/],
      [{ ...testAddress, isDefault: 'yes' }, 'isDefault', /boolean/],
      [{ ...testAddress, userId: user.id }, '', /userId/],
    ];
    for (const [input, path, message] of cases) {
      // @ts-expect-error -- deliberately invalid input
      const error: unknown = await api.account.addresses.add(input).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(input)).toMatchObject({ code: 'BAD_REQUEST' });
      const issues = (error as { cause?: { issues?: { path: PropertyKey[]; message: string }[] } }).cause?.issues ?? [];
      expect(issues.map((issue) => [issue.path.join('.'), issue.message]), JSON.stringify(input)).toContainEqual([path, expect.stringMatching(message)]);
    }
    expect(await stored(user.id)).toEqual(before);
  });

  it('is UNAUTHORIZED when signed out', async () => {
    await expect(callerFor(db).account.addresses.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(db).account.addresses.add(paris)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
