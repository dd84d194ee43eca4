// Each forged or stale token is one an attacker could present; each must be worth nothing.
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testAuth } from '../testing.ts';
import { signAccessToken, verifyAccessToken, type SessionUser } from './auth.ts';

const user: SessionUser = { id: '0123456789abcdef01234567', email: 'eve@example.com', name: 'Eve', role: 'admin' };
const claims = { email: user.email, name: user.name, role: user.role };
const now = () => Math.floor(Date.now() / 1000);

function token(overrides: { alg?: string; secret?: Uint8Array; iss?: string; aud?: string; exp?: number | null; nbf?: number; iat?: number } = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: overrides.alg ?? 'HS256' })
    .setSubject(user.id)
    .setIssuer(overrides.iss ?? testAuth.issuer)
    .setAudience(overrides.aud ?? testAuth.audience)
    .setIssuedAt(overrides.iat ?? now());
  if (overrides.exp !== null) jwt.setExpirationTime(overrides.exp ?? now() + 600);
  if (overrides.nbf !== undefined) jwt.setNotBefore(overrides.nbf);
  return jwt.sign(overrides.secret ?? testAuth.secret);
}

describe('access tokens', () => {
  it('accept a token we signed, with its session family, and last at most 15 minutes', async () => {
    const signed = await signAccessToken(testAuth, user, 'family-1');
    expect(await verifyAccessToken(testAuth, signed)).toEqual({ user, sessionId: 'family-1' });
    const payload = JSON.parse(Buffer.from(signed.split('.')[1] ?? '', 'base64url').toString()) as { exp: number; iat: number };
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(15 * 60);
    expect(JSON.parse(Buffer.from(signed.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ alg: 'HS256' });
  });

  it('say so when a token names no session family (issued before `sid`): procedures refuse it', async () => {
    expect(await verifyAccessToken(testAuth, await token())).toEqual({ user, sessionId: null });
  });

  it('reject alg "none"', async () => {
    const unsigned = new UnsecuredJWT(claims).setSubject(user.id).setIssuer(testAuth.issuer).setAudience(testAuth.audience).setIssuedAt().setExpirationTime('10m').encode();
    expect(await verifyAccessToken(testAuth, unsigned)).toBeNull();
  });

  it('reject another algorithm, even with the right key', async () => {
    expect(await verifyAccessToken(testAuth, await token({ alg: 'HS512' }))).toBeNull();
  });

  it('reject a token signed with another key', async () => {
    expect(await verifyAccessToken(testAuth, await token({ secret: new TextEncoder().encode('another-secret-of-at-least-32-bytes!!') }))).toBeNull();
  });

  it('reject a wrong issuer or audience', async () => {
    expect(await verifyAccessToken(testAuth, await token({ iss: 'someone-else' }))).toBeNull();
    expect(await verifyAccessToken(testAuth, await token({ aud: 'another-api' }))).toBeNull();
  });

  it('reject an expired token, one without expiry, and one not valid yet', async () => {
    expect(await verifyAccessToken(testAuth, await token({ exp: now() - 60, iat: now() - 120 }))).toBeNull();
    expect(await verifyAccessToken(testAuth, await token({ exp: null }))).toBeNull();
    expect(await verifyAccessToken(testAuth, await token({ nbf: now() + 3600 }))).toBeNull();
  });

  it('reject a tampered payload and plain garbage', async () => {
    const [header, , signature] = (await signAccessToken(testAuth, { ...user, role: 'customer' }, 'family-1')).split('.');
    const promoted = Buffer.from(JSON.stringify({ ...claims, sub: user.id, iss: testAuth.issuer, aud: testAuth.audience, exp: now() + 600 })).toString('base64url');
    expect(await verifyAccessToken(testAuth, `${header}.${promoted}.${signature}`)).toBeNull();
    expect(await verifyAccessToken(testAuth, 'not.a.token')).toBeNull();
    expect(await verifyAccessToken(testAuth, '')).toBeNull();
  });

  describe('verified once, by the token', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('answer a token asked about again with the same claims until its expiry, then refuse it', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const signed = await signAccessToken(testAuth, user, 'family-2');
      const first = await verifyAccessToken(testAuth, signed);
      expect(first).toEqual({ user, sessionId: 'family-2' });
      expect(await verifyAccessToken(testAuth, signed)).toBe(first);
      // Kept claims are shared: nothing may edit them.
      expect(Object.isFrozen(first) && Object.isFrozen(first?.user)).toBe(true);
      const { exp } = JSON.parse(Buffer.from(signed.split('.')[1] ?? '', 'base64url').toString()) as { exp: number };
      vi.setSystemTime((exp - 1) * 1000);
      expect(await verifyAccessToken(testAuth, signed)).toBe(first);
      vi.setSystemTime(exp * 1000);
      expect(await verifyAccessToken(testAuth, signed)).toBeNull();
      expect(await verifyAccessToken(testAuth, signed)).toBeNull();
    });

    it('still refuse a token verified under another secret, issuer or audience, and a forged twin of a kept one', async () => {
      const config = { ...testAuth };
      const signed = await signAccessToken(config, user, 'family-3');
      expect(await verifyAccessToken(config, signed)).not.toBeNull();
      const [header, payload, signature = ''] = signed.split('.');
      const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1) ?? ''}`;
      expect(await verifyAccessToken(config, `${header}.${payload}.${flipped}`)).toBeNull();
      config.audience = 'another-api';
      expect(await verifyAccessToken(config, signed)).toBeNull();
      config.audience = testAuth.audience;
      config.secret = new TextEncoder().encode('another-secret-of-at-least-32-bytes!!');
      expect(await verifyAccessToken(config, signed)).toBeNull();
    });
  });
});
