import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv, serverEnvNames } from './env.ts';

const production = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db.internal:27017/shop' } as const;

describe('loadEnv', () => {
  it('refuses to start in production with a JWT secret shorter than 32 bytes, or none', () => {
    expect(() => loadEnv({ ...production, JWT_SECRET: 'x'.repeat(31) })).toThrow(/JWT_SECRET must be at least 32 bytes/);
    expect(() => loadEnv({ ...production })).toThrow(/JWT_SECRET/);
    expect(loadEnv({ ...production, JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toHaveLength(32);
  });

  it('requires MONGODB_URI in production', () => {
    expect(() => loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/MONGODB_URI/);
  });

  it('generates a random secret in development, and says so', () => {
    const first = loadEnv({ NODE_ENV: 'development' });
    const second = loadEnv({ NODE_ENV: 'development' });
    expect(first.jwtSecretGenerated).toBe(true);
    expect(first.jwtSecret).toHaveLength(32);
    expect(Buffer.from(first.jwtSecret).equals(Buffer.from(second.jwtSecret))).toBe(false);
  });

  it('accepts an allow-list of origins and refuses wildcards', () => {
    expect(loadEnv({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(() => loadEnv({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadEnv({ CORS_ORIGINS: 'https://*.example' })).toThrow(/CORS_ORIGINS/);
  });

  it('takes an optional redis:// or rediss:// REDIS_URL, and a key prefix defaulting to shop:', () => {
    expect(loadEnv({}).REDIS_URL).toBeUndefined();
    expect(loadEnv({}).REDIS_KEY_PREFIX).toBe('shop:');
    expect(loadEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(loadEnv({ REDIS_URL: 'rediss://user:secret@cache.internal:6380/2', REDIS_KEY_PREFIX: 'eu:' })).toMatchObject({
      REDIS_URL: 'rediss://user:secret@cache.internal:6380/2',
      REDIS_KEY_PREFIX: 'eu:',
    });
    expect(() => loadEnv({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadEnv({ REDIS_URL: '' })).toThrow(/REDIS_URL/);
  });

  it('caps event streams per address and in total, 20 and 2000 unless set', () => {
    expect(loadEnv({})).toMatchObject({ MAX_STREAMS_PER_ADDRESS: 20, MAX_STREAMS: 2000 });
    expect(loadEnv({ MAX_STREAMS_PER_ADDRESS: '5', MAX_STREAMS: '0' })).toMatchObject({ MAX_STREAMS_PER_ADDRESS: 5, MAX_STREAMS: 0 });
    expect(() => loadEnv({ MAX_STREAMS_PER_ADDRESS: 'many' })).toThrow(/MAX_STREAMS_PER_ADDRESS/);
    expect(() => loadEnv({ MAX_STREAMS: '-1' })).toThrow(/MAX_STREAMS/);
    expect(() => loadEnv({ MAX_STREAMS: '2.5' })).toThrow(/MAX_STREAMS/);
  });

  it("lets the old generation grow 100% past what a mark-compact left unless HEAP_GROWTH_PERCENT says otherwise (0: V8's own)", () => {
    expect(loadEnv({})).toMatchObject({ HEAP_GROWTH_PERCENT: 100 });
    expect(loadEnv({ HEAP_GROWTH_PERCENT: '0' })).toMatchObject({ HEAP_GROWTH_PERCENT: 0 });
    expect(loadEnv({ HEAP_GROWTH_PERCENT: '50' })).toMatchObject({ HEAP_GROWTH_PERCENT: 50 });
    for (const bad of ['-1', '2.5', '401', 'lots']) expect(() => loadEnv({ HEAP_GROWTH_PERCENT: bad })).toThrow(/HEAP_GROWTH_PERCENT/);
  });

  it('keeps image uploads in IMAGE_DIR, made absolute from the working directory; .data/images unless set', () => {
    expect(loadEnv({}).IMAGE_DIR).toBe(resolve('.data/images'));
    expect(loadEnv({ IMAGE_DIR: '/var/lib/shop/images' }).IMAGE_DIR).toBe('/var/lib/shop/images');
    expect(loadEnv({ IMAGE_DIR: 'uploads' }).IMAGE_DIR).toBe(resolve('uploads'));
    expect(() => loadEnv({ IMAGE_DIR: '' })).toThrow(/IMAGE_DIR/);
  });

  it('takes payments through Stripe only with all three of its keys, of one mode; the test provider otherwise', () => {
    const keys = { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_PUBLISHABLE_KEY: 'pk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };
    expect(loadEnv({}).stripe).toBeNull();
    expect(loadEnv(keys).stripe).toEqual({ secretKey: 'sk_test_abc', publishableKey: 'pk_test_abc', webhookSecret: 'whsec_abc' });
    expect(loadEnv({ ...keys, STRIPE_API_BASE: 'http://127.0.0.1:8420' }).stripe?.localServer).toEqual({ host: '127.0.0.1', port: 8420, protocol: 'http' });
    expect(() => loadEnv({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/STRIPE_PUBLISHABLE_KEY.*STRIPE_WEBHOOK_SECRET/);
    expect(() => loadEnv({ ...keys, STRIPE_PUBLISHABLE_KEY: 'pk_live_abc' })).toThrow(/test key and STRIPE_PUBLISHABLE_KEY a live key/);
    expect(() => loadEnv({ STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET set without STRIPE_SECRET_KEY/);
    expect(() => loadEnv({ ...keys, STRIPE_SECRET_KEY: 'pk_test_abc' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => loadEnv({ ...keys, STRIPE_API_BASE: 'ftp://127.0.0.1' })).toThrow(/STRIPE_API_BASE/);
    expect(() => loadEnv({ ...production, JWT_SECRET: 'x'.repeat(32), ...keys, STRIPE_API_BASE: 'http://127.0.0.1:8420' })).toThrow(/not for production/);
  });

  it('sends webhooks to public https addresses only in production; elsewhere also http and loopback, unless WEBHOOK_ALLOW_LOOPBACK=false', () => {
    expect(loadEnv({ ...production, JWT_SECRET: 'x'.repeat(32) }).webhookTargets).toEqual({ allowLoopback: false, requireHttps: true });
    expect(loadEnv({ NODE_ENV: 'development' }).webhookTargets).toEqual({ allowLoopback: true, requireHttps: false });
    expect(loadEnv({ NODE_ENV: 'test', WEBHOOK_ALLOW_LOOPBACK: 'false' }).webhookTargets).toEqual({ allowLoopback: false, requireHttps: false });
    expect(() => loadEnv({ ...production, JWT_SECRET: 'x'.repeat(32), WEBHOOK_ALLOW_LOOPBACK: 'true' })).toThrow(/WEBHOOK_ALLOW_LOOPBACK is not for production/);
    expect(() => loadEnv({ WEBHOOK_ALLOW_LOOPBACK: 'yes' })).toThrow(/WEBHOOK_ALLOW_LOOPBACK/);
  });

  it('takes SHOP_CRASH_AT, a named crash point, only in tests', () => {
    expect(loadEnv({ NODE_ENV: 'test', SHOP_CRASH_AT: 'order-notice:before-outbox' }).SHOP_CRASH_AT).toBe('order-notice:before-outbox');
    expect(() => loadEnv({ NODE_ENV: 'test', SHOP_CRASH_AT: 'somewhere' })).toThrow(/SHOP_CRASH_AT/);
    expect(() => loadEnv({ SHOP_CRASH_AT: 'order-notice:before-outbox' })).toThrow(/SHOP_CRASH_AT is for tests only/);
    expect(() => loadEnv({ ...production, JWT_SECRET: 'x'.repeat(32), SHOP_CRASH_AT: 'order-notice:before-outbox' })).toThrow(/for tests only/);
  });

  it('names every invalid variable', () => {
    expect(() => loadEnv({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });

  it('logs readable lines in development and JSON elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(loadEnv({ NODE_ENV: 'development' }).logFormat).toBe('pretty');
    expect(loadEnv({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadEnv({ ...production, JWT_SECRET: 'x'.repeat(32) }).logFormat).toBe('json');
    expect(loadEnv({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadEnv({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});

describe('turbo.json', () => {
  it('passes every variable the server reads through to `pnpm dev`', () => {
    const turbo = JSON.parse(readFileSync(new URL('../../../turbo.json', import.meta.url), 'utf8')) as {
      tasks: { dev: { passThroughEnv: string[] } };
    };
    const passed = new Set(turbo.tasks.dev.passThroughEnv);
    expect(serverEnvNames.filter((name) => !passed.has(name))).toEqual([]);
  });
});
