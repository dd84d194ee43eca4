// An image path as <img> attributes: an upload (`/images/uploads/<hash>.webp`) has smaller copies
// for `srcset` (named as @shop/api/protocol says); any other image — the seeded illustrations,
// which are SVGs — is its own only source.
import { uploadedImageHash, uploadedImageMainWidth, uploadedImagePath, uploadedImageWidths } from '@shop/api/protocol';

export interface ImageSources {
  src: string;
  srcSet?: string;
  sizes?: string;
}

/** `sizes`: how wide the image is shown, as the `sizes` attribute says it (`(min-width: 40rem) 17rem, 50vw`). */
export function imageSources(path: string, sizes: string): ImageSources {
  const hash = uploadedImageHash(path);
  if (!hash) return { src: path };
  const copies = uploadedImageWidths.map((width) => `${uploadedImagePath(hash, width)} ${width}w`);
  return { src: path, srcSet: [...copies, `${path} ${uploadedImageMainWidth}w`].join(', '), sizes };
}

/** How wide each kind of picture is shown (styles.css): for `imageSources`. */
export const shownWidths = {
  /** A catalogue card: two columns on a phone, up to four of ~17rem on a wide screen. */
  card: '(min-width: 72rem) 17rem, (min-width: 40rem) 30vw, 50vw',
  /** The product page's main picture: the page's width on a phone, half of it from 48rem. */
  gallery: '(min-width: 72rem) 38rem, (min-width: 48rem) 52vw, 100vw',
  /** Thumbnails: the gallery's, the cart's, the admin's. */
  thumbnail: '6rem',
} as const;
