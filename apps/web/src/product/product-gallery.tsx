import { useState } from 'react';
import { imageSources, shownWidths } from '../images/image-sources.ts';

/** The product's pictures: a large one, and a row of thumbnails to switch when there are several. */
export function ProductGallery({ images, name }: { images: string[]; name: string }) {
  const [selected, setSelected] = useState(0);
  const current = images[selected] ?? images[0];
  return (
    <div className="gallery">
      <div className="gallery-main product-image">
        {current ? (
          <img {...imageSources(current, shownWidths.gallery)} alt={name} width={800} height={800} />
        ) : (
          <div className="product-image-missing" role="img" aria-label="No picture yet" />
        )}
      </div>
      {images.length > 1 ? (
        <ul className="gallery-thumbs" aria-label="Pictures">
          {images.map((image, index) => (
            <li key={image}>
              <button
                type="button"
                className="gallery-thumb"
                aria-pressed={index === selected}
                aria-label={`Picture ${index + 1} of ${images.length}`}
                onClick={() => setSelected(index)}
              >
                <img {...imageSources(image, shownWidths.thumbnail)} alt="" width={96} height={96} loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
