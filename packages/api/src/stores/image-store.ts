// Where uploaded images are kept: a directory on local disk (local-image-store.ts, IMAGE_DIR) or
// this process's memory (tests, and apps that serve no uploads). An S3-compatible bucket fits the
// same two operations: PutObject and GetObject. What to store — validation, resizing,
// naming — is decided in services/images.ts; a store only keeps bytes under a key.
import { Readable } from 'node:stream';

/** A stored image, as it is read back. */
export interface StoredImage {
  body: Readable;
  contentType: string;
  /** Its length in bytes. */
  size: number;
}

export interface ImageStore {
  readonly kind: 'local' | 'memory';
  /**
   * Stores `bytes` under `key` as a whole: a reader sees the old image or the new one, never part
   * of one. Storing the same key again replaces it.
   */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The image stored under `key`, or null when there is none (or `key` could not be one). */
  get(key: string): Promise<StoredImage | null>;
}

/**
 * A key is one file name: letters, digits, `-`, `_` and `.`, starting with a letter or digit —
 * no separators and no `..`, so no key can name a place outside the store.
 */
export function isImageKey(key: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/.test(key) && !key.includes('..');
}

export function assertImageKey(key: string): void {
  if (!isImageKey(key)) throw new Error(`Not an image key: ${JSON.stringify(key)}`);
}

/** Images in this process's memory, gone when it exits. */
export function createMemoryImageStore(): ImageStore {
  const images = new Map<string, { bytes: Buffer; contentType: string }>();
  return {
    kind: 'memory',
    async put(key, bytes, contentType) {
      assertImageKey(key);
      images.set(key, { bytes: Buffer.from(bytes), contentType });
    },
    async get(key) {
      const image = isImageKey(key) ? images.get(key) : undefined;
      if (!image) return null;
      return { body: Readable.from([image.bytes]), contentType: image.contentType, size: image.bytes.byteLength };
    },
  };
}
