// Scenario 5 — query hygiene: database round trips per call, counted in this process through
// the whole HTTP stack (buildApp + inject) on a seeded database of its own, two ways:
//   - the MongoDB driver's command monitoring (`monitorCommands=true`, `commandStarted`): every
//     command sent to the server, i.e. every round trip (countDocuments is an `aggregate`);
//   - Mongoose's debug hook (`connection.set('debug', fn)`): every collection method Mongoose
//     calls, which is what the code asked for.
// The app runs as production does, with the catalogue read model (CATALOG_CACHE=memory): the
// catalogue's answers and the cart's products come from memory once it has loaded.
import { randomUUID } from 'node:crypto';
import { createMongoSecurityStore, createTestPaymentProvider, defaultAuthSettings, signAccessToken, startSessionFamily } from '@shop/api';
import { connect, disconnect, trusted } from '@shop/db';
import { demoAddress, seed } from '@shop/db/seed';
import { buildApp } from '../../../apps/server/src/app.ts';
import { databaseUri, type Bench } from '../lib/context.ts';

export interface CallCount {
  call: string;
  /** Limited to 3 round trips (catalogue and cart); checkout is shown for information. */
  limited: boolean;
  status: number;
  roundTrips: number;
  commands: string[];
  mongooseOps: string[];
  /** getMores on cursors the call did not open (e.g. the stock feed's change stream) and the read model's sweeps, not counted. */
  background: number;
  /** Commands the call left to run after its answer (a checkout's follow-up), not counted. */
  afterAnswer: string[];
}

export interface QueriesResult {
  calls: CallCount[];
  limit: number;
  worst: number;
  ok: boolean;
  /** Whether the driver's command monitoring worked (else only the Mongoose counts are real). */
  monitored: boolean;
  /** Commands the app sends while idle (background cursors), per second. */
  idleCommandsPerSecond: number;
}

interface CommandStartedEvent {
  requestId: number;
  commandName: string;
  command: Record<string, unknown>;
}

interface CommandSucceededEvent {
  requestId: number;
  commandName: string;
  reply?: { cursor?: { id?: unknown } };
}

export async function runQueries(bench: Bench, dbName: string): Promise<QueriesResult> {
  // Command monitoring: the connect option where @shop/db has it, the URI option otherwise.
  const options: NonNullable<Parameters<typeof connect>[1]> & { monitorCommands?: boolean } = { monitorCommands: true };
  const db = await connect(databaseUri(bench, dbName, 'monitorCommands=true'), options);
  const commands: string[] = [];
  const mongooseOps: string[] = [];
  // Once the call has answered, what it still sends is its follow-up, not what the caller waited for.
  let answered = false;
  const afterAnswer: string[] = [];
  // Cursors the current call opened: a getMore on any other cursor is background traffic (the
  // app's stock feed keeps a change stream open and polls it), not a round trip of the call.
  const callCursors = new Set<string>();
  const callRequests = new Set<number>();
  let background = 0;
  /** The read model's sweep: a read of the products written since the last one (by `updatedAt`), on its own timer. */
  const isSweep = (collection: unknown, filter: unknown) => collection === 'products' && typeof filter === 'object' && filter !== null && 'updatedAt' in filter;
  /**
   * The read model's re-read of the products its feed said were written (by `_id`, with its own
   * projection, the only product read that asks for `updatedAt`): the feed's work, whenever the
   * change event arrives (before a checkout's answer or after it), not a round trip of the call.
   */
  const isFeedReread = (collection: unknown, filter: unknown, projection: unknown) =>
    collection === 'products' &&
    typeof filter === 'object' && filter !== null && '_id' in filter &&
    typeof projection === 'object' && projection !== null && 'updatedAt' in projection;
  const client = db.connection.getClient();
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'find' && (isSweep(event.command.find, event.command.filter) || isFeedReread(event.command.find, event.command.filter, event.command.projection))) {
      background += 1;
      return;
    }
    if (event.commandName === 'getMore' || event.commandName === 'killCursors') {
      const ids = event.commandName === 'getMore' ? [event.command.getMore] : (event.command.cursors as unknown[] | undefined) ?? [];
      if (!ids.some((id) => callCursors.has(String(id)))) {
        background += 1;
        return;
      }
    }
    callRequests.add(event.requestId);
    const target = event.command[event.commandName];
    (answered ? afterAnswer : commands).push(typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName);
  });
  client.on('commandSucceeded', (event: CommandSucceededEvent) => {
    const id = event.reply?.cursor?.id;
    if (callRequests.has(event.requestId) && id !== undefined && String(id) !== '0') callCursors.add(String(id));
  });
  db.connection.set('debug', (collection: string, method: string, filter: unknown, ...rest: unknown[]) => {
    if (answered || (method === 'find' && isSweep(collection, filter))) return;
    // The feed's re-read (above): Mongoose passes the projection on its own or in the options.
    const projections = rest.flatMap((arg) => (typeof arg === 'object' && arg !== null ? [arg, (arg as { projection?: unknown }).projection] : []));
    if (method === 'find' && projections.some((projection) => isFeedReread(collection, filter, projection))) return;
    mongooseOps.push(`${collection}.${method}`);
  });
  try {
    await seed(db, { adminPassword: 'bench-admin-password' });
    const secret = new TextEncoder().encode(bench.jwtSecret);
    const auth = { ...defaultAuthSettings, secret };
    // As main.ts in production: the catalogue read model, the live-session check (SESSION_CACHE=memory
    // unless the bench is run with SESSION_CACHE=off) and the pricing configuration from memory.
    const sessionCache = process.env.SESSION_CACHE === 'off' ? 'off' : 'memory';
    const app = await buildApp({ db, auth, payments: createTestPaymentProvider(db), production: true, catalogCache: 'memory', sessionCache, configCache: 'memory' });
    const user = await db.models.User.create({
      email: 'queries@bench.example.com',
      name: 'Queries',
      passwordHash: 'x',
      role: 'customer',
      addresses: [{ ...demoAddress, isDefault: true }],
    });
    const { familyId } = await startSessionFamily(createMongoSecurityStore(db).sessions, user._id.toString());
    const token = await signAccessToken(auth, { id: user._id.toString(), email: user.email, name: user.name, role: 'customer' }, familyId);
    // Four products with a variant of 5 or more in stock; every cart call names that variant.
    const products = (
      await db.models.Product.find({ 'variants.stock': trusted({ $gte: 5 }) }, { slug: 1, variants: 1 }).sort({ createdAt: -1 }).limit(4).lean()
    ).map((product) => ({ _id: product._id, slug: product.slug, variantId: product.variants.find((variant) => variant.stock >= 5)?._id.toString() }));
    const [a, b, c, d] = products;
    if (!a || !b || !c || !d) throw new Error('the seeded catalogue has too few products in stock');
    const line = (product: typeof a) => ({ productId: product._id.toString(), variantId: product.variantId });

    const calls: CallCount[] = [];
    const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
    /** `followUpMs`: how long to go on listening after the answer, for what the call left to run after it. */
    async function count(call: string, limited: boolean, request: { method: 'GET' | 'POST'; url: string; body?: unknown }, followUpMs = 0) {
      commands.length = 0;
      mongooseOps.length = 0;
      afterAnswer.length = 0;
      answered = false;
      callCursors.clear();
      callRequests.clear();
      background = 0;
      const response = await app.inject({
        method: request.method,
        url: request.url,
        headers: { authorization: `Bearer ${token}`, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
        payload: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
      answered = true;
      if (followUpMs > 0) await new Promise((resolve) => setTimeout(resolve, followUpMs));
      answered = false;
      calls.push({
        call,
        limited,
        status: response.statusCode,
        roundTrips: commands.length,
        commands: [...commands],
        mongooseOps: [...mongooseOps],
        background,
        afterAnswer: [...afterAnswer],
      });
    }
    const get = (path: string, value?: unknown) => ({ method: 'GET' as const, url: `/trpc/${path}${value === undefined ? '' : `?input=${input(value)}`}` });
    const post = (path: string, body: unknown) => ({ method: 'POST' as const, url: `/trpc/${path}`, body });

    // Until the read model has loaded: a catalogue page then sends no command.
    for (let started = Date.now(); ; ) {
      commands.length = 0;
      await app.inject({ method: 'GET', url: get('catalog.products', { page: 1, limit: 20 }).url });
      if (commands.length === 0) break;
      if (Date.now() - started > 60_000) throw new Error('the catalogue read model did not load within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    await count('catalog.categories', true, get('catalog.categories'));
    await count('catalog.products (page 1 of 20)', true, get('catalog.products', { page: 1, limit: 20 }));
    await count('catalog.products (category)', true, get('catalog.products', { category: 'tshirts' }));
    await count('catalog.products (q)', true, get('catalog.products', { q: 'tee' }));
    await count('catalog.products (category, q, inStock, sort, page 2)', true, get('catalog.products', { category: 'hoodies', q: 'zip', inStock: true, sort: 'price_asc', page: 2, limit: 5 }));
    await count('catalog.products (unknown category)', true, get('catalog.products', { category: 'no-such-category' }));
    await count('catalog.product (slug)', true, get('catalog.product', { slug: a.slug }));
    await count('catalog.product (id)', true, get('catalog.product', { id: a._id.toString() }));
    await count('cart.get (no cart yet)', true, get('cart.get'));
    await count('cart.addItem (new cart)', true, post('cart.addItem', { ...line(a), quantity: 1 }));
    await count('cart.addItem (2nd line)', true, post('cart.addItem', { ...line(b), quantity: 1 }));
    await count('cart.addItem (3rd line)', true, post('cart.addItem', { ...line(c), quantity: 1 }));
    await count('cart.addItem (4th line)', true, post('cart.addItem', { ...line(d), quantity: 1 }));
    await count('cart.addItem (existing line)', true, post('cart.addItem', { ...line(a), quantity: 1 }));
    await count('cart.get (4 lines)', true, get('cart.get'));
    await count('cart.setQuantity', true, post('cart.setQuantity', { ...line(b), quantity: 2 }));
    await count('cart.setQuantity (0 removes)', true, post('cart.setQuantity', { ...line(d), quantity: 0 }));
    await count('cart.removeItem', true, post('cart.removeItem', line(c)));
    // The first quote loads the process's copy of the settings, zones and tax rates; the next ones price from it.
    await count('checkout.quote (2 lines, first: loads the pricing configuration; information)', false, get('checkout.quote', {}));
    await count('checkout.quote (2 lines; information)', false, get('checkout.quote', {}));
    // The test provider's payment is a findAndModify of its own collection (with Stripe, an HTTP call): counted.
    await count('checkout.placeOrder (2 lines; information)', false, post('checkout.placeOrder', { idempotencyKey: randomUUID() }), 1000);
    // What the app sends the database while nobody calls it (e.g. change-stream polling).
    background = 0;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleCommandsPerSecond = background / 2;
    await app.close();

    const limit = 3;
    const monitored = calls.some((call) => call.roundTrips > 0);
    if (!monitored) bench.log('  the driver reported no commands: command monitoring is off, only the Mongoose counts are valid');
    const worst = Math.max(...calls.filter((call) => call.limited).map((call) => Math.max(call.roundTrips, call.mongooseOps.length)));
    const failed = calls.filter((call) => call.status !== 200);
    if (failed.length > 0) bench.log(`  calls that did not answer 200: ${failed.map((call) => `${call.call} → ${call.status}`).join(', ')}`);
    return { calls, limit, worst, ok: monitored && worst <= limit && failed.length === 0, monitored, idleCommandsPerSecond };
  } finally {
    await db.connection.dropDatabase().catch(() => undefined);
    await disconnect(db);
  }
}
