import { saveVariantsInput } from '@shop/api/schemas';
import { describe, expect, it } from 'vitest';
import {
  addValues,
  draftInput,
  generateCombinations,
  pathErrorsFromIssues,
  removeValue,
  renameOption,
  rowError,
  skuTakenErrors,
  type Draft,
} from './variant-draft.ts';

const sizesAndColours = (): Draft => ({
  options: [
    { key: 1, name: 'Size', values: ['S', 'M'] },
    { key: 2, name: 'Colour', values: ['Red', 'Blue'] },
  ],
  variants: [],
});

describe('generateCombinations', () => {
  it('adds every combination with the product price, no stock and a suggested SKU', () => {
    const draft = generateCombinations(sizesAndColours(), { slug: 'test-hoodie', price: '40.00' });
    expect(draft.variants.map((variant) => [variant.options, variant.sku, variant.price, variant.stock])).toEqual([
      [{ Size: 'S', Colour: 'Red' }, 'TEST-HOODIE-S-RED', '40.00', '0'],
      [{ Size: 'S', Colour: 'Blue' }, 'TEST-HOODIE-S-BLUE', '40.00', '0'],
      [{ Size: 'M', Colour: 'Red' }, 'TEST-HOODIE-M-RED', '40.00', '0'],
      [{ Size: 'M', Colour: 'Blue' }, 'TEST-HOODIE-M-BLUE', '40.00', '0'],
    ]);
  });

  it('adds only the combinations not there yet, keeping what was typed', () => {
    let draft = generateCombinations(sizesAndColours(), { slug: 'hoodie', price: '40.00' });
    draft = { ...draft, variants: draft.variants.map((variant, index) => (index === 0 ? { ...variant, price: '45.00', stock: '3' } : variant)) };
    draft = addValues(draft, 0, ['L', 'm']);
    const again = generateCombinations(draft, { slug: 'hoodie', price: '40.00' });
    expect(again.variants).toHaveLength(6);
    expect(again.variants.slice(0, 4)).toEqual(draft.variants);
    expect(again.variants.slice(4).map((variant) => variant.options)).toEqual([
      { Size: 'L', Colour: 'Red' },
      { Size: 'L', Colour: 'Blue' },
    ]);
  });

  it('turns a saved variant without options into the first combination, keeping its id and stock', () => {
    const draft: Draft = {
      options: [{ key: 1, name: 'Size', values: ['S', 'M'] }],
      variants: [{ key: 9, id: '0123456789abcdef01234567', options: {}, sku: 'TEE', price: '20.00', stock: '7', images: '' }],
    };
    const generated = generateCombinations(draft, { slug: 'tee', price: '20.00' });
    expect(generated.variants.map((variant) => [variant.id, variant.options, variant.stock])).toEqual([
      ['0123456789abcdef01234567', { Size: 'S' }, '7'],
      [undefined, { Size: 'M' }, '0'],
    ]);
  });
});

describe('editing options', () => {
  it('renames an option in every variant, and removing a value removes its variants', () => {
    let draft = generateCombinations(sizesAndColours(), { slug: 'hoodie', price: '40.00' });
    draft = renameOption(draft, 1, 'Color');
    expect(draft.variants[0]?.options).toEqual({ Size: 'S', Color: 'Red' });
    draft = removeValue(draft, 1, 'Blue');
    expect(draft.variants.map((variant) => variant.options.Color)).toEqual(['Red', 'Red']);
    expect(draft.options[1]?.values).toEqual(['Red']);
  });
});

describe('draftInput', () => {
  it('sends prices in minor units, new stock, and no stock for saved variants', () => {
    const draft: Draft = {
      options: [{ key: 1, name: 'Size', values: ['S', 'M'] }],
      variants: [
        { key: 1, id: '0123456789abcdef01234567', options: { Size: 'S' }, sku: 'TEE-S', price: '20.50', stock: '7', images: '/images/a.svg, /images/b.svg' },
        { key: 2, options: { Size: 'M' }, sku: '', price: '', stock: '4', images: '' },
      ],
    };
    const input = draftInput(draft, 'USD');
    expect(input.errors).toEqual({});
    expect(input.variants).toEqual([
      { id: '0123456789abcdef01234567', sku: 'TEE-S', options: { Size: 'S' }, price: 2050, images: ['/images/a.svg', '/images/b.svg'] },
      { options: { Size: 'M' }, stock: 4, images: [] },
    ]);
  });

  it('puts each mistake on its own row and field, as the API names them', () => {
    const draft: Draft = {
      options: [{ key: 1, name: 'Size', values: ['S', 'M'] }],
      variants: [
        { key: 1, options: { Size: 'S' }, sku: 'TEE', price: '20', stock: 'lots', images: '' },
        { key: 2, options: { Size: 'M' }, sku: 'tee', price: '1.999', stock: '1', images: 'http://elsewhere/x.png' },
      ],
    };
    const input = draftInput(draft, 'USD');
    expect(input.errors).toEqual({ 'variants.0.stock': 'Enter a whole number, 0 or more', 'variants.1.price': 'Enter an amount like 19.99' });
    const parsed = saveVariantsInput.safeParse({ productId: '0123456789abcdef01234567', options: input.options, variants: input.variants });
    const errors = pathErrorsFromIssues(parsed.error?.issues ?? []);
    expect(rowError(errors, 1, 'sku')).toBe('The SKU tee is listed twice');
    expect(rowError(errors, 1, 'images')).toBe('A local /images/… path');
    expect(rowError(errors, 0, 'sku')).toBeUndefined();
  });

  it('marks the rows whose SKU another product has, suggested ones too', () => {
    const draft: Draft = {
      options: [{ key: 1, name: 'Size', values: ['S', 'M'] }],
      variants: [
        { key: 1, options: { Size: 'S' }, sku: '', price: '', stock: '0', images: '' },
        { key: 2, options: { Size: 'M' }, sku: 'own-m', price: '', stock: '0', images: '' },
      ],
    };
    expect(skuTakenErrors(draft, 'tee', draft.options, ['TEE-S'])).toEqual({ 'variants.0.sku': 'Another product has this SKU' });
  });
});
