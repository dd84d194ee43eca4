import { maxImageBytes, uploadImageTypes } from '@shop/api/protocol';
import type { UploadedImage } from '@shop/api/schemas';
import { useId, useState, type ChangeEvent } from 'react';
import { errorMessage } from '../api-errors.ts';
import { uploadImage } from './upload-image.ts';

interface ImageUploadProps {
  /** What the control says: `Upload a picture`, `Add a picture of Canvas Tote`. */
  label: string;
  /** Shown beside the control; a visually hidden label keeps it for screen readers. */
  hideLabel?: boolean;
  /** Called with each uploaded image's path (for a product's or a variant's `images`) and the upload's answer. */
  onUploaded: (path: string, image: UploadedImage) => void;
  disabled?: boolean;
}

/**
 * A file picker that uploads the chosen image at once (admin only), and says what went wrong in
 * the shop's words: too large, not a PNG, JPEG or WebP, unreadable. Reused wherever an image
 * path is wanted: a product's pictures, a variant's.
 */
export function ImageUpload({ label, hideLabel = false, onUploaded, disabled = false }: ImageUploadProps) {
  const id = useId();
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setError(null);
    // Said before sending 5 MB for nothing; the server checks again, and checks the type.
    if (file.size > maxImageBytes) {
      setError(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB: a picture can be at most ${maxImageBytes / 1024 / 1024} MB.`);
      input.value = '';
      return;
    }
    setUploading(true);
    try {
      const image = await uploadImage(file);
      onUploaded(image.path, image);
    } catch (failure) {
      setError(errorMessage(failure, 'The picture could not be uploaded. Please try again.'));
    } finally {
      setUploading(false);
      // The same file can be chosen again (after an error, say).
      input.value = '';
    }
  }

  return (
    <div className="image-upload" aria-busy={uploading}>
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : 'field-label'}>
        {label}
      </label>
      <input
        id={id}
        type="file"
        accept={uploadImageTypes.join(',')}
        disabled={disabled || uploading}
        onChange={(event) => void upload(event)}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {uploading ? <p className="field-hint">Uploading…</p> : null}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
