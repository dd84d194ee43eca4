// An access token used to keep working for up to 15 minutes after logout, after its refresh
// token was found replayed, and after the account was deleted. It carries its session family now
// (`sid`), and every call that acts for the user checks that family and the account: on both
// security stores, a token loses its power the moment its session does.
import { randomUUID } from 'node:crypto';
import { hashPassword, trusted } from '@shop/db';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshCookieName } from '../protocol.ts';
import { createMongoSecurityStore } from '../stores/mongo-security-store.ts';
import type { SecurityStore } from '../stores/security-store.ts';
import { createTestRedisStore } from '../stores/testing.ts';
import { callerFor, callerForToken, createTestProduct, recordingCookies, testAuth } from '../testing.ts';

const password = 'correct horse battery';
let db: TestDatabase;
let passwordHash: string;
let productId: string;

beforeAll(async () => {
  db = await createTestDatabase('access_revocation');
  passwordHash = await hashPassword(password);
  productId = (await createTestProduct(db, { slug: 'revocation-tee', stock: 100 })).id;
});
afterAll(() => db.drop());

const stores: { name: string; open: () => Promise<{ security: SecurityStore; close: () => Promise<void> }> }[] = [
  { name: 'mongodb', open: async () => ({ security: createMongoSecurityStore(db), close: async () => {} }) },
  {
    name: 'redis',
    async open() {
      const redis = await createTestRedisStore('access_revocation');
      return { security: redis, close: () => redis.drop() };
    },
  },
];

describe.each(stores)('an access token on the $name store', ({ open }) => {
  let security: SecurityStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ security, close } = await open());
  });
  afterAll(() => close());

  /** A new account, signed in as a browser would be: the access token and the refresh cookie. */
  async function signIn(role: 'customer' | 'admin' = 'customer') {
    const email = `revocation-${randomUUID()}@example.com`;
    const user = await db.models.User.create({ email, name: 'Rev', passwordHash, role });
    const recorder = recordingCookies();
    const { token } = await callerFor(db, { security, cookies: recorder.cookies }).auth.login({ email, password });
    const refreshToken = recorder.set.get(refreshCookieName)?.value;
    if (!refreshToken) throw new Error('no refresh cookie');
    return { userId: user._id, token, refreshToken };
  }

  /** The caller the server would build from the token, on this store. */
  const as = (token: string) => callerForToken(db, token, { security });

  async function expectPowerless(token: string) {
    const api = await as(token);
    const carts = await db.models.Cart.countDocuments();
    await expect(api.orders.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' });
    await expect(api.cart.get()).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' });
    await expect(api.cart.addItem({ productId })).rejects.toMatchObject({ code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' });
    await expect(api.admin.orders.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await api.auth.me()).toBeNull();
    // Not even a guest cart was made in its name.
    expect(await db.models.Cart.countDocuments()).toBe(carts);
  }

  it('works while its session is live: orders, the cart, auth.me', async () => {
    const { token } = await signIn();
    const api = await as(token);
    expect(await api.orders.list()).toMatchObject({ items: [] });
    expect((await api.cart.addItem({ productId })).itemCount).toBe(1);
    expect((await api.cart.get()).itemCount).toBe(1);
    expect(await api.auth.me()).toMatchObject({ name: 'Rev' });
  });

  it('is UNAUTHENTICATED at once after logout', async () => {
    const { token, refreshToken } = await signIn();
    await (await as(token)).cart.addItem({ productId });
    await callerFor(db, { security, refreshToken }).auth.logout();
    await expectPowerless(token);
  });

  it('is UNAUTHENTICATED after a logout that sent only the access token (a service)', async () => {
    const { token, refreshToken } = await signIn();
    await (await as(token)).auth.logout();
    await expectPowerless(token);
    // It ended the whole session: the refresh token is dead too.
    await expect(callerFor(db, { security, refreshToken }).auth.refresh()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('is UNAUTHENTICATED once a replayed refresh token has revoked its session', async () => {
    const { token, refreshToken: stolen } = await signIn();
    const rotated = await callerFor(db, { security, refreshToken: stolen }).auth.refresh();
    await expect(callerFor(db, { security, refreshToken: stolen }).auth.refresh()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expectPowerless(token);
    await expectPowerless(rotated.token);
  });

  it('is UNAUTHENTICATED once the account is deleted (as an operator would), an admin’s too', async () => {
    const customer = await signIn();
    const admin = await signIn('admin');
    expect(await (await as(admin.token)).admin.orders.list()).toMatchObject({ items: expect.any(Array) });
    await db.models.User.deleteMany({ _id: trusted({ $in: [customer.userId, admin.userId] }) });
    await expectPowerless(customer.token);
    await expectPowerless(admin.token);
  });

  it('from before tokens named their session is refused, and the refresh cookie gets a working one', async () => {
    const { userId, refreshToken } = await signIn();
    const legacy = await new SignJWT({ email: 'legacy@example.com', name: 'Rev', role: 'customer' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId.toString())
      .setIssuer(testAuth.issuer)
      .setAudience(testAuth.audience)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(testAuth.secret);
    await expectPowerless(legacy);
    const renewed = await callerFor(db, { security, refreshToken }).auth.refresh();
    expect(await (await as(renewed.token)).orders.list()).toMatchObject({ items: [] });
  });
});
