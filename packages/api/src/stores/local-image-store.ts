// Images as files in one directory (IMAGE_DIR): the key is the file name, and the file name's
// extension is the content type, so nothing but the file itself is kept.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { assertImageKey, isImageKey, type ImageStore } from './image-store.ts';

const contentTypes: Partial<Record<string, string>> = {
  '.webp': 'image/webp',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.avif': 'image/avif',
};

function contentTypeOf(key: string): string | null {
  return contentTypes[extname(key).toLowerCase()] ?? null;
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

export interface LocalImageStore extends ImageStore {
  readonly kind: 'local';
  readonly dir: string;
}

/** A store in `dir`, which is made (with its parents) on the first write. */
export function createLocalImageStore(dir: string): LocalImageStore {
  return {
    kind: 'local',
    dir,
    async put(key, bytes, contentType) {
      assertImageKey(key);
      if (contentTypeOf(key) !== contentType) throw new Error(`${key} cannot hold ${contentType}: its extension names the type`);
      await mkdir(dir, { recursive: true });
      // Written beside its place under a name no key can have (keys start with a letter or a
      // digit), flushed, then renamed over it: a reader, or a crash, never meets half a file.
      const temporary = join(dir, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const file = await open(temporary, 'wx');
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temporary, join(dir, key));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(key) {
      const contentType = isImageKey(key) ? contentTypeOf(key) : null;
      if (!contentType) return null;
      try {
        // One open file for the size and the stream: a replacement renamed in between cannot mix them.
        const file = await open(join(dir, key), 'r');
        try {
          const stats = await file.stat();
          if (!stats.isFile()) {
            await file.close();
            return null;
          }
          return { body: file.createReadStream(), contentType, size: stats.size };
        } catch (error) {
          await file.close();
          throw error;
        }
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
  };
}
