import { maxImageBytes } from '@shop/api/protocol';
import { imageSources, shownWidths } from '../images/image-sources.ts';
import { ImageUpload } from './image-upload.tsx';

/** As many as a product may have (`images` in @shop/api's admin schemas). */
const maxImages = 10;

interface ProductImagesProps {
  images: string[];
  /** The product's name, for the controls' labels (`Remove picture 2 of Canvas Tote`). */
  name: string;
  onChange: (images: string[]) => void;
  busy?: boolean;
  /** In a table row: the labels are for screen readers only. */
  compact?: boolean;
}

/** A product's pictures, in order: each can be removed, and an upload adds one at the end. */
export function ProductImages({ images, name, onChange, busy = false, compact = false }: ProductImagesProps) {
  const full = images.length >= maxImages;
  return (
    <div className={compact ? 'product-images product-images--compact' : 'product-images'}>
      {images.length > 0 ? (
        <ul className="product-images-list">
          {images.map((image, index) => (
            <li key={image}>
              <img {...imageSources(image, shownWidths.thumbnail)} alt="" width={48} height={48} loading="lazy" />
              <button
                type="button"
                className="link-button product-images-remove"
                disabled={busy}
                onClick={() => onChange(images.filter((other) => other !== image))}
                aria-label={`Remove picture ${index + 1} of ${name || 'the product'}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <ImageUpload
        label={compact ? `Add a picture of ${name}` : 'Upload a picture'}
        hideLabel={compact}
        disabled={busy || full}
        onUploaded={(path) => onChange(images.includes(path) ? images : [...images, path])}
      />
      {full ? <p className="field-hint">{maxImages} pictures at most: remove one to add another.</p> : compact ? null : <p className="field-hint">PNG, JPEG or WebP, up to {maxImageBytes / 1024 / 1024} MB.</p>}
    </div>
  );
}
