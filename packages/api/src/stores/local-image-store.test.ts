// The disk store on a real directory: what it keeps, what it refuses to name, and that a reader
// never meets part of a file.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalImageStore } from './local-image-store.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shop-image-store-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the local image store', () => {
  it('makes its directory on the first write, and gives back what was put, with its type and size', async () => {
    const store = createLocalImageStore(join(root, 'a', 'images'));
    expect(await store.get('one.webp')).toBeNull();
    await store.put('one.webp', Buffer.from('first'), 'image/webp');
    await store.put('one.webp', Buffer.from('second version'), 'image/webp');
    const image = await store.get('one.webp');
    expect(image && { contentType: image.contentType, size: image.size, text: await text(image.body) }).toEqual({
      contentType: 'image/webp',
      size: 14,
      text: 'second version',
    });
    // Nothing left beside it: each write went through a temporary file, renamed into place.
    expect(await readdir(join(root, 'a', 'images'))).toEqual(['one.webp']);
  });

  it('refuses keys that could name a place outside its directory, and types its extension does not say', async () => {
    const dir = join(root, 'b', 'images');
    const store = createLocalImageStore(dir);
    await mkdir(join(root, 'b'));
    await writeFile(join(root, 'b', 'secret.webp'), 'outside');
    for (const key of ['../secret.webp', '..', '.hidden.webp', 'a/b.webp', 'a\\b.webp', '', 'x'.repeat(201)]) {
      await expect(store.put(key, Buffer.from('x'), 'image/webp')).rejects.toThrow(/Not an image key/);
      expect(await store.get(key)).toBeNull();
    }
    await expect(store.put('photo.webp', Buffer.from('x'), 'image/png')).rejects.toThrow(/extension names the type/);
    await expect(store.put('notes.txt', Buffer.from('x'), 'text/plain')).rejects.toThrow(/extension names the type/);
    expect(await readFile(join(root, 'b', 'secret.webp'), 'utf8')).toBe('outside');
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });
});
