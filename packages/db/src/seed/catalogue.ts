// The demo catalogue: the three named products every Shop demo starts from, plus generated
// products (deterministic, so re-seeding finds the same slugs) for pagination and search.

export interface SeedCategory {
  name: string;
  slug: string;
  description: string;
}

export interface SeedProduct {
  name: string;
  slug: string;
  description: string;
  /** The price of a product without options, and of each variant that sets none. */
  price: number;
  categorySlug: string;
  /** The stock of a product without options (each variant has its own). */
  stock: number;
  /** One unit's shipping weight, of a product without options and of each variant that sets none. */
  weightGrams: number;
  images: string[];
  options?: { name: string; values: string[] }[];
  /** One per combination sold; each names a value of every option. */
  variants?: { options: Record<string, string>; price?: number; stock: number; images?: string[]; weightGrams?: number }[];
}

/**
 * Category slugs an older seed wrote, and what they are now. The sample Shop grew from used
 * `tshirts` (its users' scripts and curl calls filter by it); an earlier seed of ours wrote
 * `t-shirts`. `seed()` renames them in place.
 */
export const renamedCategorySlugs: Readonly<Record<string, string>> = { 't-shirts': 'tshirts' };

export const seedCategories: SeedCategory[] = [
  { name: 'T-Shirts', slug: 'tshirts', description: 'Soft everyday tees in organic cotton.' },
  { name: 'Hoodies', slug: 'hoodies', description: 'Warm heavyweight hoodies for cold days.' },
  { name: 'Accessories', slug: 'accessories', description: 'Bags, caps, mugs and the little things.' },
];

export const namedProducts: SeedProduct[] = [
  {
    name: 'Plain White Tee',
    slug: 'plain-white-tee',
    description: 'A classic white t-shirt in 180 g organic cotton. Regular fit.',
    price: 1999,
    categorySlug: 'tshirts',
    stock: 10,
    weightGrams: 180,
    images: ['/images/products/tee-white.svg'],
  },
  {
    name: 'Black Hoodie',
    slug: 'black-hoodie',
    description: 'A heavyweight black hoodie with a brushed fleece lining.',
    price: 4999,
    categorySlug: 'hoodies',
    stock: 0,
    weightGrams: 600,
    images: ['/images/products/hoodie-black.svg'],
  },
  {
    name: 'Canvas Tote',
    slug: 'canvas-tote',
    description: 'A sturdy natural canvas tote bag with long handles.',
    price: 1299,
    categorySlug: 'accessories',
    stock: 25,
    weightGrams: 300,
    images: ['/images/products/tote-natural.svg'],
  },
];

export const productColours = ['white', 'black', 'navy', 'red', 'green', 'grey'] as const;

const generatedKinds = [
  { kind: 'tee', noun: 'Tee', categorySlug: 'tshirts', basePrice: 1799, weightGrams: 180, styles: ['Pocket', 'Striped', 'Vintage', 'Oversized'] },
  { kind: 'hoodie', noun: 'Hoodie', categorySlug: 'hoodies', basePrice: 4499, weightGrams: 600, styles: ['Zip', 'Cropped', 'Fleece'] },
  { kind: 'cap', noun: 'Cap', categorySlug: 'accessories', basePrice: 1499, weightGrams: 90, styles: ['Baseball', 'Corduroy'] },
  { kind: 'mug', noun: 'Mug', categorySlug: 'accessories', basePrice: 1199, weightGrams: 350, styles: ['Enamel'] },
] as const;

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export const garmentSizes = ['S', 'M', 'L', 'XL'] as const;

/** How much heavier each garment size is than the one below (grams). */
function sizeWeightStep(kind: string): number {
  return kind === 'hoodie' ? 40 : 10;
}

/**
 * 61 generated products: every style of every kind in every colour (tees and hoodies in four
 * sizes, some sold out in one size only), and one tee sold in three colours and four sizes, each
 * colour with its own picture.
 */
export function generatedProducts(): SeedProduct[] {
  const products: SeedProduct[] = [];
  let n = 0;
  for (const { kind, noun, categorySlug, basePrice, weightGrams, styles } of generatedKinds) {
    const sized = kind === 'tee' || kind === 'hoodie';
    for (const [styleIndex, style] of styles.entries()) {
      for (const [colourIndex, colour] of productColours.entries()) {
        n += 1;
        const name = `${style} ${titleCase(colour)} ${noun}`;
        const price = basePrice + styleIndex * 200 + colourIndex * 50;
        // Mostly in stock, some low, every ninth sold out: enough variety for the badges.
        const stock = n % 9 === 0 ? 0 : n % 5 === 0 ? 3 : 20 + ((n * 7) % 30);
        products.push({
          name,
          slug: `${style}-${colour}-${kind}`.toLowerCase(),
          description: `${style} ${noun.toLowerCase()} in ${colour}. Part of the Shop essentials range.`,
          price,
          categorySlug,
          stock,
          weightGrams,
          images: [`/images/products/${kind}-${colour}.svg`],
          ...(sized
            ? {
                options: [{ name: 'Size', values: [...garmentSizes] }],
                variants: garmentSizes.map((size, sizeIndex) => ({
                  options: { Size: size },
                  // XL costs a little more; every fourth product has sold out of one size.
                  price: size === 'XL' ? price + 200 : price,
                  stock: n % 4 === 0 && sizeIndex === n % garmentSizes.length ? 0 : Math.ceil(stock / 2) + sizeIndex,
                  // Each size up is a little heavier: M weighs the kind's weight.
                  weightGrams: weightGrams + (sizeIndex - 1) * sizeWeightStep(kind),
                })),
              }
            : {}),
        });
      }
    }
  }
  const teeColours = ['White', 'Black', 'Navy'] as const;
  products.push({
    name: 'Essential Tee',
    slug: 'essential-tee',
    description: 'Our everyday tee in 160 g organic cotton, in three colours and four sizes.',
    price: 1800,
    categorySlug: 'tshirts',
    stock: 0,
    weightGrams: 160,
    images: ['/images/products/tee-white.svg'],
    options: [
      { name: 'Colour', values: [...teeColours] },
      { name: 'Size', values: [...garmentSizes] },
    ],
    variants: teeColours.flatMap((colour, colourIndex) =>
      garmentSizes.map((size) => ({
        options: { Colour: colour, Size: size },
        price: size === 'XL' ? 2000 : 1800,
        // Black is sold out in S; every other combination is in stock.
        stock: colour === 'Black' && size === 'S' ? 0 : 8 + colourIndex * 2,
        weightGrams: 160 + (garmentSizes.indexOf(size) - 1) * 10,
        images: [`/images/products/tee-${colour.toLowerCase()}.svg`],
      })),
    ),
  });
  return products;
}

export const demoUser = { email: 'demo@example.com', name: 'Demo Shopper', password: 'password123' };
/** The demo account's default address, so that a signed-in checkout with no address fields works for it. */
export const demoAddress = {
  label: 'Home',
  name: 'Demo Shopper',
  line1: '500 Market Street',
  line2: 'Apt 4B',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94105',
  country: 'US',
} as const;
export const adminUser = { email: 'admin@example.com', name: 'Shop Admin' };
/** Used only outside production when SEED_ADMIN_PASSWORD is unset. */
export const defaultAdminPassword = 'admin-password-123';
