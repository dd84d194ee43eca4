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
  price: number;
  categorySlug: string;
  stock: number;
  images: string[];
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
    images: ['/images/products/tee-white.svg'],
  },
  {
    name: 'Black Hoodie',
    slug: 'black-hoodie',
    description: 'A heavyweight black hoodie with a brushed fleece lining.',
    price: 4999,
    categorySlug: 'hoodies',
    stock: 0,
    images: ['/images/products/hoodie-black.svg'],
  },
  {
    name: 'Canvas Tote',
    slug: 'canvas-tote',
    description: 'A sturdy natural canvas tote bag with long handles.',
    price: 1299,
    categorySlug: 'accessories',
    stock: 25,
    images: ['/images/products/tote-natural.svg'],
  },
];

export const productColours = ['white', 'black', 'navy', 'red', 'green', 'grey'] as const;

const generatedKinds = [
  { kind: 'tee', noun: 'Tee', categorySlug: 'tshirts', basePrice: 1799, styles: ['Pocket', 'Striped', 'Vintage', 'Oversized'] },
  { kind: 'hoodie', noun: 'Hoodie', categorySlug: 'hoodies', basePrice: 4499, styles: ['Zip', 'Cropped', 'Fleece'] },
  { kind: 'cap', noun: 'Cap', categorySlug: 'accessories', basePrice: 1499, styles: ['Baseball', 'Corduroy'] },
  { kind: 'mug', noun: 'Mug', categorySlug: 'accessories', basePrice: 1199, styles: ['Enamel'] },
] as const;

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** 60 generated products: every style of every kind in every colour. */
export function generatedProducts(): SeedProduct[] {
  const products: SeedProduct[] = [];
  let n = 0;
  for (const { kind, noun, categorySlug, basePrice, styles } of generatedKinds) {
    for (const [styleIndex, style] of styles.entries()) {
      for (const [colourIndex, colour] of productColours.entries()) {
        n += 1;
        const name = `${style} ${titleCase(colour)} ${noun}`;
        products.push({
          name,
          slug: `${style}-${colour}-${kind}`.toLowerCase(),
          description: `${style} ${noun.toLowerCase()} in ${colour}. Part of the Shop essentials range.`,
          price: basePrice + styleIndex * 200 + colourIndex * 50,
          categorySlug,
          // Mostly in stock, some low, every ninth sold out: enough variety for the badges.
          stock: n % 9 === 0 ? 0 : n % 5 === 0 ? 3 : 20 + ((n * 7) % 30),
          images: [`/images/products/${kind}-${colour}.svg`],
        });
      }
    }
  }
  return products;
}

export const demoUser = { email: 'demo@example.com', name: 'Demo Shopper', password: 'password123' };
export const adminUser = { email: 'admin@example.com', name: 'Shop Admin' };
/** Used only outside production when SEED_ADMIN_PASSWORD is unset. */
export const defaultAdminPassword = 'admin-password-123';
