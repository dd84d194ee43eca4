import { describe, expect, it } from 'vitest';
import { productHref } from '../routes.ts';
import type { RouterOutputs } from '../trpc.ts';
import {
  canonicalChoice,
  choiceImages,
  matchingVariants,
  optionsLabel,
  parseVariantChoice,
  selectedVariant,
  valueAvailability,
} from './variant-choice.ts';

type Product = RouterOutputs['catalog']['product'];
type Variant = Product['variants'][number];

const variant = (id: string, options: Record<string, string>, stock: number, images: string[] = []): Variant => ({
  id,
  sku: `TEE-${Object.values(options).join('-')}`,
  options,
  price: options.Size === 'XL' ? 2000 : 1800,
  stock,
  status: stock > 0 ? 'available' : 'sold_out',
  images,
  weightGrams: 160,
});

// Like the seed's essential-tee, less Navy, plus a combination that is not sold (White/XL).
const tee: Pick<Product, 'options' | 'variants' | 'images'> = {
  images: ['/tee.svg'],
  options: [
    { name: 'Colour', values: ['White', 'Black'] },
    { name: 'Size', values: ['S', 'M', 'XL'] },
  ],
  variants: [
    variant('ws', { Colour: 'White', Size: 'S' }, 4, ['/tee-white.svg']),
    variant('wm', { Colour: 'White', Size: 'M' }, 4, ['/tee-white.svg']),
    variant('bs', { Colour: 'Black', Size: 'S' }, 0, ['/tee-black.svg']),
    variant('bm', { Colour: 'Black', Size: 'M' }, 2, ['/tee-black.svg']),
    variant('bxl', { Colour: 'Black', Size: 'XL' }, 1, ['/tee-black.svg']),
  ],
};

const plain: Pick<Product, 'options' | 'variants' | 'images'> = {
  images: ['/tote.svg'],
  options: [],
  variants: [variant('p', {}, 25)],
};

describe('parseVariantChoice', () => {
  it('reads option names and values in any case, spelled as the product spells them', () => {
    expect(parseVariantChoice('?colour=black&size=m', tee)).toEqual({ Colour: 'Black', Size: 'M' });
    expect(parseVariantChoice('?COLOUR=Black&Size=m', tee)).toEqual({ Colour: 'Black', Size: 'M' });
  });

  it('ignores values the product lacks, and other parameters', () => {
    expect(parseVariantChoice('?colour=purple&size=m&utm_source=mail', tee)).toEqual({ Size: 'M' });
    expect(parseVariantChoice('?size=', tee)).toEqual({});
  });

  it('drops a value no variant has with the values before it', () => {
    // White/XL is not sold: the colour stays, the size goes.
    expect(parseVariantChoice('?colour=white&size=xl', tee)).toEqual({ Colour: 'White' });
  });

  it('keeps a sold-out combination from a link, so the page can say it is sold out', () => {
    expect(parseVariantChoice('?colour=black&size=s', tee)).toEqual({ Colour: 'Black', Size: 'S' });
  });

  it('chooses an option that has one value only', () => {
    const oneColour = { ...tee, options: [{ name: 'Colour', values: ['Black'] }, { name: 'Size', values: ['S', 'M', 'XL'] }] };
    expect(parseVariantChoice('?size=m', oneColour)).toEqual({ Colour: 'Black', Size: 'M' });
  });

  it('reads nothing for a product without options', () => {
    expect(parseVariantChoice('?size=m', plain)).toEqual({});
  });
});

describe('canonicalChoice with productHref', () => {
  it('writes the choice lower case in the option order, and round-trips', () => {
    const href = productHref('essential-tee', canonicalChoice({ Size: 'M', Colour: 'Black' }, tee));
    expect(href).toBe('/products/essential-tee?colour=black&size=m');
    expect(parseVariantChoice(href.slice(href.indexOf('?')), tee)).toEqual({ Colour: 'Black', Size: 'M' });
  });

  it('leaves out options with one value, and writes no query for no choice', () => {
    const oneColour = { options: [{ name: 'Colour', values: ['Black'] }, { name: 'Size', values: ['S', 'M'] }] };
    expect(productHref('tee', canonicalChoice({ Colour: 'Black', Size: 'S' }, oneColour))).toBe('/products/tee?size=s');
    expect(productHref('tee', canonicalChoice({}, tee))).toBe('/products/tee');
  });
});

describe('selectedVariant', () => {
  it('is the variant of a complete choice, and none while an option is missing', () => {
    expect(selectedVariant(tee, { Colour: 'Black', Size: 'M' })?.id).toBe('bm');
    expect(selectedVariant(tee, { Colour: 'Black' })).toBeUndefined();
    expect(selectedVariant(tee, { Colour: 'White', Size: 'XL' })).toBeUndefined();
  });

  it('is the one variant of a product without options', () => {
    expect(selectedVariant(plain, {})?.id).toBe('p');
  });
});

describe('valueAvailability', () => {
  it('says a value is sold out when every variant it leads to is', () => {
    expect(valueAvailability(tee, { Colour: 'Black' }, 'Size', 'S')).toBe('sold_out');
    expect(valueAvailability(tee, { Size: 'S' }, 'Colour', 'Black')).toBe('sold_out');
  });

  it('says a value is unavailable when no variant has it with the other choices', () => {
    expect(valueAvailability(tee, { Colour: 'White' }, 'Size', 'XL')).toBe('unavailable');
    expect(valueAvailability(tee, { Size: 'XL' }, 'Colour', 'White')).toBe('unavailable');
  });

  it('judges a value by the other options only, not by its own current choice', () => {
    expect(valueAvailability(tee, { Colour: 'Black', Size: 'S' }, 'Size', 'M')).toBe('available');
    expect(valueAvailability(tee, { Colour: 'White', Size: 'M' }, 'Colour', 'Black')).toBe('available');
  });

  it('with nothing chosen, a value is available when any of its variants is in stock', () => {
    expect(valueAvailability(tee, {}, 'Colour', 'Black')).toBe('available');
    expect(valueAvailability(tee, {}, 'Size', 'S')).toBe('available');
  });
});

describe('matchingVariants and choiceImages', () => {
  it('narrows the variants and the pictures as options are chosen', () => {
    expect(matchingVariants(tee, { Colour: 'Black' }).map((candidate) => candidate.id)).toEqual(['bs', 'bm', 'bxl']);
    expect(choiceImages(tee, { Colour: 'Black' })).toEqual(['/tee-black.svg']);
    expect(choiceImages(tee, {})).toEqual(['/tee-white.svg']);
  });

  it('falls back to the product pictures when the variants have none', () => {
    expect(choiceImages(plain, {})).toEqual(['/tote.svg']);
  });
});

describe('optionsLabel', () => {
  it('names each option and value', () => {
    expect(optionsLabel({ Colour: 'Black', Size: 'M' })).toBe('Colour: Black · Size: M');
    expect(optionsLabel({})).toBe('');
  });
});
