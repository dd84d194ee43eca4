// Image uploads: what an upload must be (a PNG, JPEG or WebP by its bytes, within the byte and
// pixel limits), and what is kept of it (WebP copies at the storefront's widths, named by the
// SHA-256 of the uploaded bytes). The HTTP side is apps/server/src/image-routes.ts.
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { DomainError } from '../errors.ts';
import {
  maxImageBytes,
  maxImagePixels,
  uploadedImageMainWidth,
  uploadedImagePath,
  uploadedImageWidths,
  uploadImageTypes,
  type UploadImageType,
} from '../protocol.ts';
import type { UploadedImage } from '../schemas/admin.ts';
import type { ImageStore } from '../stores/image-store.ts';

const typeOfFormat: Partial<Record<string, UploadImageType>> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** The names uploads are stored (and served) under: `<hash>.webp` and `<hash>-<width>.webp`. */
const storedName = new RegExp(`^[0-9a-f]{64}(?:-(?:${uploadedImageWidths.join('|')}))?\\.webp$`);

export function isUploadedImageName(name: string): boolean {
  return storedName.test(name);
}

export function tooLargeImage(): DomainError<'IMAGE_TOO_LARGE'> {
  return new DomainError('IMAGE_TOO_LARGE', `An image can be at most ${maxImageBytes / 1024 / 1024} MB`, { limit: 'bytes', max: maxImageBytes });
}

export function unsupportedImageType(detected: string | null): DomainError<'UNSUPPORTED_IMAGE_TYPE'> {
  const what = detected ? `This is a ${detected.toUpperCase()} image` : 'This is not an image';
  return new DomainError('UNSUPPORTED_IMAGE_TYPE', `${what}: upload a PNG, JPEG or WebP`, { accepted: [...uploadImageTypes], detected });
}

async function readMetadata(bytes: Uint8Array): Promise<Metadata> {
  try {
    // The header only, nothing decoded: the pixel limit is checked on what it says, just after.
    return await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    // libvips recognises no image format in the bytes (text, a PDF, nothing at all).
    throw unsupportedImageType(null);
  }
}

/** One WebP copy, at most `width` wide (never enlarged). */
async function encode(image: Sharp, width: number) {
  try {
    return await image.clone().resize({ width, withoutEnlargement: true }).webp({ quality: 80 }).toBuffer({ resolveWithObject: true });
  } catch {
    throw new DomainError('IMAGE_UNREADABLE', 'The image could not be read: it may be damaged or cut short. Export it again and retry.');
  }
}

/**
 * Checks an upload and stores its copies; storing the same bytes again gives the same paths. An
 * upload refused (not an image, another format, too large) stores nothing: every check, and every
 * copy's encoding, comes before the first write.
 */
export async function storeUploadedImage(store: ImageStore, bytes: Uint8Array): Promise<UploadedImage> {
  if (bytes.byteLength > maxImageBytes) throw tooLargeImage();
  const metadata = await readMetadata(bytes);
  if (!typeOfFormat[metadata.format]) throw unsupportedImageType(metadata.format);
  // The header's dimensions, before a byte of the picture is decoded: a few-kilobyte PNG can
  // claim 100 000 × 100 000 pixels. `limitInputPixels` holds the same line inside libvips.
  if (metadata.width * metadata.height > maxImagePixels) {
    throw new DomainError('IMAGE_TOO_LARGE', `An image can have at most ${maxImagePixels / 1_000_000} megapixels`, { limit: 'pixels', max: maxImagePixels });
  }

  const hash = createHash('sha256').update(bytes).digest('hex');
  // Upright as the camera meant it; the copies keep no metadata (sharp drops EXIF, GPS included).
  const image = sharp(bytes, { limitInputPixels: maxImagePixels, autoOrient: true });
  const main = await encode(image, uploadedImageMainWidth);
  const sizes = await Promise.all(uploadedImageWidths.map(async (width) => ({ width, path: uploadedImagePath(hash, width), copy: await encode(image, width) })));

  // The main image last: once it is there, every size is, so a crash in between leaves nothing a
  // product names, and the next upload of the same file writes the rest.
  for (const size of sizes) await store.put(keyOf(size.path), size.copy.data, 'image/webp');
  const path = uploadedImagePath(hash);
  await store.put(keyOf(path), main.data, 'image/webp');
  return { path, width: main.info.width, height: main.info.height, sizes: sizes.map(({ width, path }) => ({ width, path })) };
}

/** A stored copy's key: its file name. */
function keyOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
