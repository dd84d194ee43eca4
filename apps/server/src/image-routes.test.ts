// Image uploads over HTTP, with real images (made by sharp here) stored on a real directory: what
// is accepted and how it is served, and every refusal — typed, and with nothing written.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { createLocalImageStore, createMongoSecurityStore, maxImageBytes, maxImagePixels, verifyAccessToken } from '@shop/api';
import { updateProductInput, uploadedImage } from '@shop/api/schemas';
import { createTestUser, signInForTest, testAuth } from '@shop/api/testing';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { rawConnection } from './testing.ts';

const shopOrigin = 'http://shop.test';
let db: TestDatabase;
let app: FastifyInstance;
let root: string;
let imageDir: string;
let adminToken: string;
let customerToken: string;

beforeAll(async () => {
  db = await createTestDatabase('image_routes');
  root = await mkdtemp(join(tmpdir(), 'shop-images-'));
  imageDir = join(root, 'images');
  app = await buildApp({ db, auth: testAuth, images: createLocalImageStore(imageDir) });
  adminToken = await signInForTest(db, await createTestUser(db, 'images-admin@example.com', 'admin'));
  customerToken = await signInForTest(db, await createTestUser(db, 'images-customer@example.com'));
});
afterAll(async () => {
  await app.close();
  await db.drop();
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(imageDir, { recursive: true, force: true });
});

/** The port of the app, listening from the first call on (for tests that write raw bytes to a socket). */
async function listeningPort(): Promise<number> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Every file in the image directory, hidden ones too (none when it was never made). */
async function storedFiles(): Promise<string[]> {
  return (await readdir(imageDir).catch(() => [])).sort();
}

function upload(body: Buffer | string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/images/uploads',
    headers: { host: 'shop.test', authorization: `Bearer ${adminToken}`, 'content-type': 'image/png', ...headers },
    payload: body,
  });
}

function picture(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } });
}

/** A PNG whose header claims `width` × `height` pixels, with almost no picture data behind it. */
function claimedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // 8 bits a sample
  header.writeUInt8(0, 9); // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('uploading an image', () => {
  it.each([
    ['image/png', 'png'],
    ['image/jpeg', 'jpeg'],
    ['image/webp', 'webp'],
  ] as const)('%s: stored as WebP at 1200, 800, 400 and 200 wide, served with its type, size and a cache-forever header', async (type, format) => {
    const bytes = await picture(1600, 900).toFormat(format).toBuffer();
    const response = await upload(bytes, { 'content-type': type });
    expect(response.statusCode).toBe(200);
    const image = uploadedImage.parse(response.json());
    expect(image.path).toMatch(/^\/images\/uploads\/[0-9a-f]{64}\.webp$/);
    expect(image).toMatchObject({ width: 1200, height: 675 });
    // The product forms' schema takes the path as it is.
    expect(updateProductInput.safeParse({ productId: 'a'.repeat(24), images: [image.path, ...image.sizes.map((size) => size.path)] }).success).toBe(true);

    for (const [path, width] of [[image.path, 1200], ...image.sizes.map((size) => [size.path, size.width] as const)] as const) {
      const served = await app.inject({ url: path });
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-type']).toBe('image/webp');
      expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(Number(served.headers['content-length'])).toBe(served.rawPayload.length);
      const metadata = await sharp(served.rawPayload).metadata();
      expect({ format: metadata.format, width: metadata.width }).toEqual({ format: 'webp', width });
      // 16:9 kept, give or take the rounding of a shrink on load.
      expect(Math.abs(metadata.height - (width * 9) / 16)).toBeLessThanOrEqual(1);
      // The picture itself, not just its frame: the colour it was made with.
      const { channels } = await sharp(served.rawPayload).stats();
      const made = [30, 120, 200];
      expect(channels.slice(0, 3).map((channel, index) => Math.abs(channel.mean - (made[index] ?? 0)) < 4)).toEqual([true, true, true]);
    }
    expect(image.sizes.map((size) => size.width)).toEqual([200, 400, 800]);
    expect(await storedFiles()).toHaveLength(4);
  });

  it('reads the type from the bytes: a PNG declared as image/jpeg or as plain bytes is stored as the PNG it is', async () => {
    const png = await picture(640, 640).png().toBuffer();
    const asJpeg = await upload(png, { 'content-type': 'image/jpeg' });
    const asBytes = await upload(png, { 'content-type': 'application/octet-stream' });
    expect(asJpeg.statusCode).toBe(200);
    expect(asBytes.json()).toEqual(asJpeg.json());
  });

  it('never enlarges: a picture narrower than a size is stored at its own width', async () => {
    const response = await upload(await picture(300, 200).png().toBuffer());
    const image = uploadedImage.parse(response.json());
    expect(image).toMatchObject({ width: 300, height: 200 });
    const widths = await Promise.all(image.sizes.map(async (size) => (await sharp((await app.inject({ url: size.path })).rawPayload).metadata()).width));
    expect(widths).toEqual([200, 300, 300]);
  });

  it('is idempotent: the same file uploaded twice gives the same paths and files', async () => {
    const bytes = await picture(500, 500).jpeg().toBuffer();
    const first = await upload(bytes, { 'content-type': 'image/jpeg' });
    const files = await storedFiles();
    const second = await upload(bytes, { 'content-type': 'image/jpeg' });
    expect(second.json()).toEqual(first.json());
    expect(await storedFiles()).toEqual(files);
    const other = await upload(await picture(500, 501).jpeg().toBuffer(), { 'content-type': 'image/jpeg' });
    expect(uploadedImage.parse(other.json()).path).not.toBe(uploadedImage.parse(first.json()).path);
  });

  it('accepts the access cookie from the shop’s own pages, as admin procedures do', async () => {
    const response = await upload(await picture(100, 100).png().toBuffer(), {
      authorization: '',
      cookie: `${testAuth.accessCookieName}=${adminToken}`,
      origin: shopOrigin,
      'sec-fetch-site': 'same-origin',
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('refused uploads: a typed error, and nothing written', () => {
  it('text declared as image/png: 415 UNSUPPORTED_IMAGE_TYPE, nothing detected', async () => {
    const response = await upload('definitely not a picture\n'.repeat(100), { 'content-type': 'image/png' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({
      error: {
        message: 'This is not an image: upload a PNG, JPEG or WebP',
        code: -32015,
        data: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          httpStatus: 415,
          reason: 'UNSUPPORTED_IMAGE_TYPE',
          details: { accepted: ['image/png', 'image/jpeg', 'image/webp'], detected: null },
        },
      },
    });
    expect(await storedFiles()).toEqual([]);
  });

  it.each([
    ['a GIF', () => picture(50, 50).gif().toBuffer(), 'gif'],
    ['an SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'), 'svg'],
    ['a TIFF', () => picture(50, 50).tiff().toBuffer(), 'tiff'],
    ['nothing at all', async () => Buffer.alloc(0), null],
  ])('%s declared as image/png: 415, with the format found', async (_what, make, detected) => {
    const response = await upload(await make());
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { data: { reason: 'UNSUPPORTED_IMAGE_TYPE', details: { detected } } } });
    expect(await storedFiles()).toEqual([]);
  });

  it.each(['text/plain', 'application/json', 'multipart/form-data; boundary=x', 'image/gif'])(
    'a body declared as %s: 415 before it is read',
    async (type) => {
      const response = await upload(await picture(50, 50).png().toBuffer(), { 'content-type': type });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ error: { data: { reason: 'UNSUPPORTED_IMAGE_TYPE', details: { detected: null } } } });
      expect(await storedFiles()).toEqual([]);
    },
  );

  it('no content type: 415', async () => {
    const response = await app.inject({ method: 'POST', url: '/images/uploads', headers: { authorization: `Bearer ${adminToken}` } });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { data: { reason: 'UNSUPPORTED_IMAGE_TYPE' } } });
  });

  it('6 MB: 413 IMAGE_TOO_LARGE, refused on its Content-Length without reading it', async () => {
    const response = await upload(Buffer.alloc(6 * 1024 * 1024, 1));
    expect(response.statusCode).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(response.json()).toMatchObject({
      error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, reason: 'IMAGE_TOO_LARGE', details: { limit: 'bytes', max: maxImageBytes } } },
    });
    expect(await storedFiles()).toEqual([]);
  });

  it('5 MB and a byte more, sent without a length (chunked): 413 once it passes the limit', async () => {
    const connection = await rawConnection(await listeningPort());
    connection.socket.write(
      `POST /images/uploads HTTP/1.1\r\nhost: shop.test\r\nauthorization: Bearer ${adminToken}\r\ncontent-type: image/png\r\ntransfer-encoding: chunked\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let sent = 0; sent <= maxImageBytes && !connection.socket.destroyed && connection.status() === 0; sent += chunk.length) {
      await new Promise<void>((resolve) => connection.socket.write(`${chunk.length.toString(16)}\r\n`, () => connection.socket.write(chunk, () => connection.socket.write('\r\n', () => resolve()))));
    }
    await connection.closed;
    expect(connection.status()).toBe(413);
    expect(connection.json()).toMatchObject({ error: { data: { reason: 'IMAGE_TOO_LARGE', details: { limit: 'bytes' } } } });
    expect(await storedFiles()).toEqual([]);
  });

  it('a decompression bomb (a tiny PNG claiming 100 000 × 100 000 pixels): 413 IMAGE_TOO_LARGE by pixels', async () => {
    const bomb = claimedPng(100_000, 100_000);
    expect(bomb.length).toBeLessThan(200);
    const response = await upload(bomb);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { data: { reason: 'IMAGE_TOO_LARGE', details: { limit: 'pixels', max: maxImagePixels } } } });
    expect(await storedFiles()).toEqual([]);
  });

  it('a PNG cut short: 422 IMAGE_UNREADABLE', async () => {
    const noisy = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .png()
      .toBuffer();
    const response = await upload(noisy.subarray(0, noisy.length / 2));
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ error: { data: { code: 'UNPROCESSABLE_CONTENT', reason: 'IMAGE_UNREADABLE', details: null } } });
    expect(await storedFiles()).toEqual([]);
  });
});

describe('who may upload', () => {
  async function refused(headers: Record<string, string>) {
    // Larger than the limit: the answer is about who is asking, so the body was never looked at.
    const response = await upload(Buffer.alloc(maxImageBytes + 1), headers);
    expect(await storedFiles()).toEqual([]);
    return { status: response.statusCode, data: response.json<{ error: { data: unknown } }>().error.data };
  }

  it('nobody signed in: 401 UNAUTHENTICATED', async () => {
    expect(await refused({ authorization: '' })).toMatchObject({ status: 401, data: { code: 'UNAUTHORIZED', reason: 'UNAUTHENTICATED' } });
    expect(await refused({ authorization: 'Bearer not-a-token' })).toMatchObject({ status: 401, data: { reason: 'UNAUTHENTICATED' } });
  });

  it('a customer: 403 FORBIDDEN', async () => {
    expect(await refused({ authorization: `Bearer ${customerToken}` })).toMatchObject({ status: 403, data: { code: 'FORBIDDEN', reason: 'FORBIDDEN' } });
  });

  it('an admin whose session ended, or who was demoted since the token was issued: refused at once', async () => {
    const user = await createTestUser(db, 'images-ended@example.com', 'admin');
    const token = await signInForTest(db, user);
    const claims = await verifyAccessToken(testAuth, token);
    await createMongoSecurityStore(db).sessions.revokeFamily(claims?.sessionId ?? '');
    expect(await refused({ authorization: `Bearer ${token}` })).toMatchObject({ status: 401, data: { reason: 'UNAUTHENTICATED' } });

    const demoted = await createTestUser(db, 'images-demoted@example.com', 'admin');
    const demotedToken = await signInForTest(db, demoted);
    await db.models.User.updateOne({ email: demoted.email }, { $set: { role: 'customer' } });
    expect(await refused({ authorization: `Bearer ${demotedToken}` })).toMatchObject({ status: 403, data: { reason: 'FORBIDDEN' } });
  });

  it('the admin’s cookie on a request from another site: 403 CROSS_SITE_REQUEST', async () => {
    const bytes = await picture(60, 60).png().toBuffer();
    const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of crossSite) {
      const response = await upload(bytes, { authorization: '', cookie: `${testAuth.accessCookieName}=${adminToken}`, ...headers });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: { data: { reason: 'CROSS_SITE_REQUEST' } } });
    }
    expect(await storedFiles()).toEqual([]);
  });

  it('a refused upload under the limit is answered readably, on a connection that stays open', async () => {
    const connection = await rawConnection(await listeningPort());
    const body = Buffer.alloc(2 * 1024 * 1024, 3);
    connection.socket.write(`POST /images/uploads HTTP/1.1\r\nhost: shop.test\r\ncontent-type: image/png\r\ncontent-length: ${body.length}\r\n\r\n`);
    connection.socket.write(body);
    while (connection.status() === 0 || !connection.received().includes('}}}')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(connection.status()).toBe(401);
    expect(connection.received()).not.toMatch(/connection: close/i);
    connection.socket.destroy();
  });
});

describe('serving uploads', () => {
  it('answers 404 for an image that is not there, and for any name an upload cannot have', async () => {
    await writeFile(join(root, 'secret.webp'), 'outside the image directory');
    const stored = uploadedImage.parse((await upload(await picture(80, 80).png().toBuffer())).json());
    const { path } = stored;
    const hash = path.slice('/images/uploads/'.length, -'.webp'.length);
    // Files in the directory that are no upload's name are not served either.
    await writeFile(join(imageDir, 'notes.webp'), 'not an upload');
    await writeFile(join(imageDir, `${hash}-300.webp`), 'no such size');

    for (const url of [
      `/images/uploads/${'0'.repeat(64)}.webp`,
      `/images/uploads/${hash}-300.webp`,
      `/images/uploads/${hash}.png`,
      '/images/uploads/notes.webp',
      '/images/uploads/..%2Fsecret.webp',
      '/images/uploads/%2e%2e%2fsecret.webp',
      '/images/uploads/..%5Csecret.webp',
      `/images/uploads/.${hash}.webp.0123456789ab.tmp`,
    ]) {
      const response = await app.inject({ url });
      expect([url, response.statusCode]).toEqual([url, 404]);
      expect(response.json()).toMatchObject({ error: { data: { code: 'NOT_FOUND', reason: 'NOT_FOUND' } } });
    }
    for (const url of ['/images/uploads/../secret.webp', '/images/uploads/../../secret.webp', '/images/secret.webp']) {
      expect((await app.inject({ url })).statusCode).toBe(404);
    }
    expect((await app.inject({ url: path })).statusCode).toBe(200);
  });

  it('answers HEAD with the headers of GET', async () => {
    const { path } = uploadedImage.parse((await upload(await picture(90, 90).png().toBuffer())).json());
    const head = await app.inject({ method: 'HEAD', url: path });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('image/webp');
    expect(head.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(head.rawPayload.length).toBe(0);
  });
});
