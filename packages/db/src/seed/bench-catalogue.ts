// The benchmark's catalogue (`pnpm bench:seed`, `pnpm bench` scenario 6): N products (100,000 by
// default) in a few dozen categories of uneven sizes, with sizes and colours where they fit, unique
// SKUs, names and descriptions from word lists, prices, stock (some sold out) and creation times
// spread over a year. Deterministic: the same `seed` makes the same catalogue, document for
// document, so figures from two runs compare.
//
// Written through the driver in batches (`insertMany` with `lean`: no hydration or validation, the
// documents are built whole here), with the indexes the model declares; about 15 s for 100,000
// products on the offline database.
import { Types } from 'mongoose';
import type { Database } from '../connection.ts';
import { defaultSku } from '../constants.ts';
import { productSearchTokens } from '../search-tokens.ts';

export interface BenchCatalogueOptions {
  products: number;
  /** The random generator's seed. */
  seed?: number;
  /** Documents per `insertMany`. */
  batchSize?: number;
  /** Told after every batch. */
  onProgress?: (written: number) => void;
}

export interface BenchCatalogueResult {
  categories: number;
  products: number;
  variants: number;
  soldOut: number;
  ms: number;
}

type Kind = 'apparel' | 'shoes' | 'colours' | 'single';

interface BenchCategory {
  name: string;
  slug: string;
  /** Relative size: categories are as uneven as a real shop's. */
  weight: number;
  kind: Kind;
  nouns: readonly string[];
  /** Minor units. */
  basePrice: number;
}

const category = (name: string, weight: number, kind: Kind, basePrice: number, nouns: string[]): BenchCategory => ({
  name,
  slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
  weight,
  kind,
  nouns,
  basePrice,
});

export const benchCategories: readonly BenchCategory[] = [
  category('T-Shirts', 60, 'apparel', 1900, ['Tee', 'T-Shirt', 'Henley', 'Tank Top']),
  category('Shirts', 35, 'apparel', 4500, ['Shirt', 'Oxford Shirt', 'Flannel Shirt', 'Overshirt']),
  category('Hoodies', 30, 'apparel', 5500, ['Hoodie', 'Zip Hoodie', 'Pullover']),
  category('Sweaters', 25, 'apparel', 6500, ['Sweater', 'Cardigan', 'Jumper', 'Turtleneck']),
  category('Jackets', 20, 'apparel', 12000, ['Jacket', 'Parka', 'Bomber', 'Windbreaker', 'Gilet']),
  category('Coats', 8, 'apparel', 18000, ['Coat', 'Trench Coat', 'Peacoat']),
  category('Jeans', 30, 'apparel', 7900, ['Jeans', 'Slim Jeans', 'Straight Jeans']),
  category('Trousers', 22, 'apparel', 6900, ['Trousers', 'Chinos', 'Cargo Pants', 'Joggers']),
  category('Shorts', 15, 'apparel', 3900, ['Shorts', 'Swim Shorts', 'Running Shorts']),
  category('Dresses', 25, 'apparel', 8900, ['Dress', 'Midi Dress', 'Wrap Dress', 'Sundress']),
  category('Skirts', 10, 'apparel', 5900, ['Skirt', 'Pleated Skirt', 'Mini Skirt']),
  category('Activewear', 18, 'apparel', 4900, ['Leggings', 'Sports Bra', 'Training Top', 'Track Jacket']),
  category('Underwear', 12, 'apparel', 1500, ['Briefs', 'Boxers', 'Undershirt']),
  category('Socks', 14, 'apparel', 900, ['Socks', 'Ankle Socks', 'Wool Socks']),
  category('Sleepwear', 6, 'apparel', 4500, ['Pyjamas', 'Robe', 'Nightshirt']),
  category('Sneakers', 24, 'shoes', 9900, ['Sneakers', 'Trainers', 'Runners', 'High Tops']),
  category('Boots', 12, 'shoes', 16000, ['Boots', 'Chelsea Boots', 'Hiking Boots']),
  category('Sandals', 8, 'shoes', 4900, ['Sandals', 'Slides', 'Flip Flops']),
  category('Hats', 12, 'colours', 2500, ['Cap', 'Beanie', 'Bucket Hat', 'Sun Hat']),
  category('Scarves', 7, 'colours', 3500, ['Scarf', 'Snood', 'Shawl']),
  category('Gloves', 5, 'colours', 2900, ['Gloves', 'Mittens']),
  category('Bags', 20, 'colours', 6900, ['Backpack', 'Tote', 'Duffel', 'Messenger Bag', 'Crossbody Bag']),
  category('Wallets', 8, 'colours', 3900, ['Wallet', 'Card Holder', 'Coin Purse']),
  category('Belts', 6, 'colours', 3500, ['Belt', 'Braided Belt']),
  category('Sunglasses', 9, 'colours', 8900, ['Sunglasses', 'Aviators', 'Shades']),
  category('Watches', 7, 'single', 19900, ['Watch', 'Chronograph', 'Field Watch']),
  category('Jewellery', 11, 'single', 4900, ['Necklace', 'Bracelet', 'Ring', 'Earrings']),
  category('Mugs', 10, 'colours', 1400, ['Mug', 'Travel Mug', 'Cup']),
  category('Water Bottles', 7, 'colours', 2400, ['Water Bottle', 'Flask', 'Tumbler']),
  category('Notebooks', 9, 'single', 1200, ['Notebook', 'Journal', 'Sketchbook', 'Planner']),
  category('Pens', 5, 'single', 900, ['Pen', 'Fountain Pen', 'Pencil Set']),
  category('Posters', 8, 'single', 2500, ['Poster', 'Art Print', 'Map Print']),
  category('Candles', 6, 'single', 2200, ['Candle', 'Tealights', 'Diffuser']),
  category('Cushions', 6, 'colours', 3200, ['Cushion', 'Throw Pillow', 'Bolster']),
  category('Blankets', 5, 'colours', 6900, ['Blanket', 'Throw', 'Quilt']),
  category('Towels', 4, 'colours', 2900, ['Towel', 'Beach Towel', 'Hand Towel']),
  category('Phone Cases', 9, 'colours', 1900, ['Phone Case', 'Folio Case']),
  category('Headphones', 4, 'single', 12900, ['Headphones', 'Earbuds', 'Headset']),
  category('Umbrellas', 2, 'colours', 2900, ['Umbrella', 'Compact Umbrella']),
  category('Gift Cards', 1, 'single', 2500, ['Gift Card']),
];

const adjectives = [
  'Classic', 'Everyday', 'Essential', 'Vintage', 'Modern', 'Relaxed', 'Slim', 'Oversized', 'Lightweight', 'Heavyweight',
  'Soft', 'Rugged', 'Urban', 'Coastal', 'Alpine', 'Nordic', 'Heritage', 'Studio', 'Weekend', 'Travel', 'Summer', 'Winter',
  'Autumn', 'Spring', 'Midnight', 'Sunset', 'Harbour', 'Meadow', 'Canyon', 'Forest', 'Desert', 'Arctic', 'Retro', 'Minimal',
  'Bold', 'Quiet', 'Signature', 'Original', 'Premium', 'Simple', 'Tailored', 'Cosy', 'Sporty', 'Breezy', 'Crisp', 'Faded',
];
const materials = [
  'Cotton', 'Organic Cotton', 'Linen', 'Wool', 'Merino', 'Cashmere', 'Denim', 'Canvas', 'Leather', 'Suede', 'Fleece',
  'Corduroy', 'Jersey', 'Twill', 'Nylon', 'Recycled', 'Bamboo', 'Hemp', 'Silk', 'Velvet', 'Ceramic', 'Steel', 'Oak', 'Cork',
];
const qualities = [
  'soft', 'durable', 'breathable', 'warm', 'light', 'sturdy', 'comfortable', 'water-resistant', 'easy-care', 'hard-wearing',
  'smooth', 'stretchy', 'packable', 'washable', 'timeless', 'versatile', 'hand-finished', 'responsibly made', 'brushed', 'ribbed',
];
const uses = [
  'everyday wear', 'the commute', 'weekends away', 'long walks', 'the office', 'travel', 'layering', 'cold mornings',
  'summer evenings', 'the gym', 'city life', 'the outdoors', 'gifting', 'lazy Sundays', 'rainy days', 'festivals',
];
const details = [
  'a relaxed fit', 'reinforced seams', 'a brushed finish', 'a ribbed collar', 'hidden pockets', 'a tonal logo', 'flat seams',
  'a soft lining', 'recycled trims', 'a clean silhouette', 'contrast stitching', 'a tapered cut', 'an adjustable strap',
  'a magnetic clasp', 'a matte finish', 'a gift box', 'a lifetime guarantee', 'metal hardware',
];
export const benchColours = ['Black', 'White', 'Navy', 'Grey', 'Olive', 'Sand', 'Burgundy', 'Sky Blue', 'Forest Green', 'Rust'] as const;
const apparelSizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const shoeSizes = ['38', '39', '40', '41', '42', '43', '44', '45'];

/** mulberry32: small, fast and good enough for test data; the same seed, the same sequence. */
function randomGenerator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    /** `count` distinct items, in the list's order. */
    some: <T>(items: readonly T[], count: number): T[] => {
      const chosen = new Set<number>();
      while (chosen.size < Math.min(count, items.length)) chosen.add(Math.floor(next() * items.length));
      return [...chosen].sort((a, b) => a - b).map((index) => items[index] as T);
    },
  };
}

type Random = ReturnType<typeof randomGenerator>;

/** Which category each product falls in, by weight. */
function categoryPicker(random: Random) {
  const total = benchCategories.reduce((sum, entry) => sum + entry.weight, 0);
  return () => {
    let left = random.next() * total;
    for (const entry of benchCategories) {
      left -= entry.weight;
      if (left < 0) return entry;
    }
    return benchCategories[benchCategories.length - 1] as BenchCategory;
  };
}

function optionsFor(kind: Kind, random: Random): { name: string; values: string[] }[] {
  const colours = random.some(benchColours, random.int(1, 3));
  if (kind === 'apparel') {
    const first = random.int(0, 2);
    return [
      { name: 'Size', values: apparelSizes.slice(first, first + random.int(2, 4)) },
      { name: 'Colour', values: colours },
    ];
  }
  if (kind === 'shoes') {
    const first = random.int(0, 3);
    return [
      { name: 'Size', values: shoeSizes.slice(first, first + random.int(3, 5)) },
      { name: 'Colour', values: colours.slice(0, 1) },
    ];
  }
  if (kind === 'colours' && colours.length > 1) return [{ name: 'Colour', values: colours }];
  return [];
}

/** Every combination of the options' values, as option name → value. */
function combinations(options: { name: string; values: string[] }[]): Record<string, string>[] {
  let result: Record<string, string>[] = [{}];
  for (const option of options) result = result.flatMap((combination) => option.values.map((value) => ({ ...combination, [option.name]: value })));
  return result;
}

function describe(noun: string, material: string, random: Random): string {
  const [first, second] = random.some(qualities, 2);
  return (
    `A ${first ?? 'soft'} ${noun.toLowerCase()} in ${material.toLowerCase()}, made for ${random.pick(uses)}. ` +
    `${second ? second[0]?.toUpperCase() + second.slice(1) : 'Durable'}, with ${random.pick(details)} and ${random.pick(details)}.`
  );
}

/**
 * Writes the bench catalogue: its categories (upserted by slug) and `products` products, inserted
 * in batches. The products collection is expected empty (`pnpm bench:seed --reset` empties it).
 */
export async function seedBenchCatalogue(db: Database, options: BenchCatalogueOptions): Promise<BenchCatalogueResult> {
  const started = performance.now();
  const { Category, Product } = db.models;
  const random = randomGenerator(options.seed ?? 20);
  await Category.bulkWrite(
    benchCategories.map((entry) => ({
      updateOne: {
        filter: { slug: entry.slug },
        update: { $setOnInsert: { name: entry.name, slug: entry.slug, description: `${entry.name} for every day.` } },
        upsert: true,
      },
    })),
  );
  const categoryIds = new Map((await Category.find({}, { slug: 1 }).lean()).map((entry) => [entry.slug, entry._id]));
  const pickCategory = categoryPicker(random);
  const batchSize = options.batchSize ?? 2_000;
  const yearMs = 365 * 24 * 3_600_000;
  const newest = Date.UTC(2026, 10, 30);
  let variantCount = 0;
  let soldOut = 0;
  let written = 0;

  while (written < options.products) {
    const batch = [];
    for (let index = written; index < Math.min(options.products, written + batchSize); index += 1) {
      const entry = pickCategory();
      const noun = random.pick(entry.nouns);
      const material = random.pick(materials);
      const name = `${random.pick(adjectives)} ${material} ${noun}`;
      // The index keeps slugs and SKUs unique however often a name repeats (and SKUs short: a slug's
      // SKU with its option values would be cut at 64 characters, and could clash).
      const code = index.toString(36).padStart(4, '0');
      const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${code}`;
      const description = describe(noun, material, random);
      const _id = new Types.ObjectId();
      const productOptions = optionsFor(entry.kind, random);
      const price = Math.round((entry.basePrice * (0.6 + random.next() * 1.2)) / 100) * 100 - 1;
      const isSoldOut = random.next() < 0.08;
      const variants = productOptions.length === 0
        ? [{ _id, sku: defaultSku(`b-${code}`), options: {}, price, stock: isSoldOut ? 0 : random.int(1, 200) }]
        : combinations(productOptions).map((combination) => ({
            _id: new Types.ObjectId(),
            sku: defaultSku(`b-${code}`, productOptions.map((option) => combination[option.name] ?? '')),
            options: combination,
            // The largest sizes cost a little more.
            price: combination.Size === 'XXL' || combination.Size === '45' ? price + 200 : price,
            stock: isSoldOut || random.next() < 0.15 ? 0 : random.int(1, 60),
          }));
      const stock = variants.reduce((sum, variant) => sum + variant.stock, 0);
      if (stock === 0) soldOut += 1;
      variantCount += variants.length;
      const createdAt = new Date(newest - Math.floor(random.next() * yearMs));
      batch.push({
        _id,
        name,
        slug,
        description,
        price: Math.min(...variants.map((variant) => variant.price)),
        currency: 'USD',
        category: categoryIds.get(entry.slug),
        images: [],
        options: productOptions,
        variants: variants.map((variant) => ({ ...variant, images: [], weightGrams: entry.kind === 'single' ? 200 : 400, holds: [], returns: [] })),
        stock,
        searchTokens: productSearchTokens(name, description),
        createdAt,
        updatedAt: createdAt,
      });
    }
    await Product.insertMany(batch, { lean: true, ordered: false });
    written += batch.length;
    options.onProgress?.(written);
  }
  return { categories: benchCategories.length, products: written, variants: variantCount, soldOut, ms: Math.round(performance.now() - started) };
}
