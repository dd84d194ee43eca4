import { describe, expect, it } from 'vitest';
import { imageSources } from './image-sources.ts';

const hash = 'ab'.repeat(32);

describe('imageSources', () => {
  it('gives an upload its smaller copies as a srcset, with the sizes it is shown at', () => {
    expect(imageSources(`/images/uploads/${hash}.webp`, '50vw')).toEqual({
      src: `/images/uploads/${hash}.webp`,
      srcSet: `/images/uploads/${hash}-200.webp 200w, /images/uploads/${hash}-400.webp 400w, /images/uploads/${hash}-800.webp 800w, /images/uploads/${hash}.webp 1200w`,
      sizes: '50vw',
    });
  });

  it('leaves every other image as it is: the seeded SVGs, and paths that only look like uploads', () => {
    for (const path of ['/images/products/tee-navy.svg', `/images/uploads/${hash}-400.webp`, '/images/uploads/photo.webp', `/images/other/${hash}.webp`]) {
      expect(imageSources(path, '50vw')).toEqual({ src: path });
    }
  });
});
