import { describe, expect, it } from 'vitest';
import {
  addBand,
  describeRate,
  emptyZoneDraft,
  errorAt,
  formatWeight,
  newBand,
  newMethod,
  removeBand,
  setRateType,
  updateBand,
  zoneDraftFrom,
  zoneInputFromDraft,
  type Zone,
  type ZoneDraft,
} from './zone-draft.ts';

const eu: Zone = {
  id: '64b0000000000000000000b1',
  name: 'European Union',
  countries: ['DE', 'FR'],
  methods: [
    { id: '64b0000000000000000000c1', name: 'Standard', rate: { type: 'flat', price: 1200, freeOver: 7500 }, active: true },
    {
      id: '64b0000000000000000000c2',
      name: 'Parcel by weight',
      rate: { type: 'weight', bands: [{ upToGrams: 500, price: 800 }, { upToGrams: 2000, price: 1400 }], freeOver: null },
      active: false,
    },
  ],
};

describe('weight bands', () => {
  it('are added after the last, edited and removed by key, leaving the others as they are', () => {
    const first = newBand({ upToGrams: '500', price: '8.00' });
    let bands = addBand([first]);
    expect(bands).toHaveLength(2);
    expect(bands[0]).toBe(first);
    const second = bands[1];
    expect(second).toMatchObject({ upToGrams: '', price: '' });
    bands = updateBand(bands, second?.key ?? 0, { upToGrams: '2000', price: '14' });
    expect(bands.map((band) => [band.upToGrams, band.price])).toEqual([
      ['500', '8.00'],
      ['2000', '14'],
    ]);
    expect(removeBand(bands, first.key).map((band) => band.upToGrams)).toEqual(['2000']);
  });

  it('start from the flat price when a method switches to weight, which is kept for switching back', () => {
    const flat = { ...newMethod(), price: '5.00' };
    const weight = setRateType(flat, 'weight');
    expect(weight.bands.map((band) => [band.upToGrams, band.price])).toEqual([['', '5.00']]);
    expect(setRateType(weight, 'flat')).toMatchObject({ type: 'flat', price: '5.00' });
    expect(setRateType({ ...weight, bands: [newBand({ upToGrams: '100', price: '1' })] }, 'weight').bands).toHaveLength(1);
  });
});

describe('zoneInputFromDraft', () => {
  it('round-trips a stored zone: method ids, rates in minor units, bands in grams', () => {
    const { input, errors } = zoneInputFromDraft(zoneDraftFrom(eu, 'USD'), 'USD');
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'European Union',
      countries: ['DE', 'FR'],
      methods: eu.methods.map(({ id, name, rate, active }) => ({ id, name, rate, active })),
    });
  });

  it('reads a new flat method with no threshold', () => {
    const draft: ZoneDraft = { name: ' Asia ', countries: ['JP'], methods: [{ ...newMethod(), name: 'Standard', price: '20' }] };
    expect(zoneInputFromDraft(draft, 'USD')).toEqual({
      input: { name: 'Asia', countries: ['JP'], methods: [{ name: 'Standard', rate: { type: 'flat', price: 2000, freeOver: null }, active: true }] },
      errors: {},
    });
  });

  it('puts each problem on its path: amounts, grams, bands out of order, no countries', () => {
    const weight = {
      ...newMethod(),
      name: 'By weight',
      type: 'weight' as const,
      freeOver: 'lots',
      bands: [newBand({ upToGrams: '2000', price: '14' }), newBand({ upToGrams: '500', price: '8' }), newBand({ upToGrams: '1.5kg', price: '9.999' })],
    };
    const { errors } = zoneInputFromDraft({ ...emptyZoneDraft(), methods: [{ ...newMethod(), price: 'five' }, weight] }, 'USD');
    expect(errors).toEqual({
      name: 'Required',
      countries: 'Add at least one country',
      'methods.0.name': 'Required',
      'methods.0.rate.price': 'Enter an amount like 5.00',
      'methods.1.rate.freeOver': 'Enter an amount like 5.00, or leave it empty',
      'methods.1.rate.bands.2.upToGrams': 'Whole grams from 1 to 1,000,000',
      'methods.1.rate.bands.2.price': 'Enter an amount like 5.00',
    });
    // With the bands well-formed, their order is checked (by the API's own schema).
    const ordered = { ...weight, freeOver: '', bands: weight.bands.slice(0, 2) };
    expect(zoneInputFromDraft({ name: 'EU', countries: ['DE'], methods: [ordered] }, 'USD').errors).toEqual({
      'methods.0.rate.bands.1.upToGrams': 'Each band weighs more than the one before',
    });
    expect(zoneInputFromDraft({ name: 'EU', countries: ['DE'], methods: [{ ...ordered, bands: [] }] }, 'USD').errors).toEqual({
      'methods.0.rate.bands': 'Add at least one weight band',
    });
  });

  it('refuses a country listed twice', () => {
    expect(zoneInputFromDraft({ name: 'EU', countries: ['DE', 'DE'], methods: [] }, 'USD').errors).toEqual({ 'countries.1': 'DE is listed twice' });
  });
});

describe('errorAt', () => {
  it('finds the first error at a path or under it', () => {
    const errors = { 'methods.1.rate.bands.0.price': 'Enter an amount', countries: 'Add one' };
    expect(errorAt(errors, 'methods.1.rate.bands')).toBe('Enter an amount');
    expect(errorAt(errors, 'methods.1.rate.bands.0.price')).toBe('Enter an amount');
    expect(errorAt(errors, 'methods.1.rate.bands.1')).toBeUndefined();
    expect(errorAt(errors, 'methods.1.rate.b')).toBeUndefined();
    expect(errorAt(errors, 'countries')).toBe('Add one');
  });
});

describe('describeRate and formatWeight', () => {
  it('say what a method costs', () => {
    expect(describeRate({ type: 'flat', price: 500, freeOver: 5000 }, 'USD')).toBe('$5.00, free from $50.00');
    expect(describeRate({ type: 'flat', price: 2000, freeOver: null }, 'USD')).toBe('$20.00');
    expect(describeRate({ type: 'weight', bands: [{ upToGrams: 500, price: 800 }, { upToGrams: 2000, price: 1400 }], freeOver: null }, 'USD')).toBe(
      'Up to 500 g $8.00 · up to 2 kg $14.00',
    );
    expect([formatWeight(1), formatWeight(999), formatWeight(1000), formatWeight(1500), formatWeight(10_000)]).toEqual(['1 g', '999 g', '1 kg', '1.5 kg', '10 kg']);
  });
});
