// Turns results into the Markdown the benchmark prints and writes into BENCHMARKS.md.
import { met, mib, ms, percent, rate, table, times } from './lib/format.ts';
import type { ProfileResult, RouteProfile } from './scenarios/profile.ts';
import type { CheckoutFigures, CheckoutResult } from './scenarios/checkout.ts';
import type { BenchConfig } from './lib/context.ts';
import { describeCheck, describePackage } from './lib/variants.ts';
import type { FloorResult, GcPer10k, RouteFigures, VariantFloor } from './scenarios/floor.ts';
import type { MemoryResult } from './scenarios/memory.ts';
import type { QueriesResult } from './scenarios/queries.ts';
import type { ReadsWritesResult } from './scenarios/reads-writes.ts';
import { databaseDrainSeconds, type Catalogue100kResult } from './scenarios/catalogue-100k.ts';
import type { CeilingResult } from './scenarios/ceiling.ts';

export interface Results {
  floor?: FloorResult;
  floorVariants?: VariantFloor[];
  readsWrites?: ReadsWritesResult;
  checkout?: CheckoutResult;
  memory?: MemoryResult;
  queries?: QueriesResult;
  profile?: ProfileResult;
  catalogue100k?: Catalogue100kResult;
  ceiling?: CeilingResult;
}

export interface GoalLine {
  scenario: string;
  goal: string;
  figure: string;
  ok: boolean | null;
}

const cpu = (value: number) => (Number.isFinite(value) ? `${Math.round(value * 100)}%` : 'n/a');

/** Mark-compacts per 10,000 requests, e.g. "0.5". */
function perTenThousand(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value >= 10 ? 0 : 1) : 'n/a';
}

/** Mark-compacts per 10,000 requests, then how many there were and their pauses in all, e.g. "0.0 (2: 45 ms)". */
function markCompacts(gc: GcPer10k): string {
  if (!Number.isFinite(gc.major)) return 'n/a';
  return `${perTenThousand(gc.major)} (${gc.majorTotal}${gc.majorTotal > 0 ? `: ${Math.round(gc.majorMsTotal)} ms` : ''})`;
}

/** The paced client's own full collections in the runs behind a p99 goal (each one is a cluster of late answers). */
function loadgenCollections(...paced: RouteFigures[]): string {
  const total = paced.reduce((sum, figures) => sum + figures.loadgenMajor, 0);
  return Number.isNaN(total) ? '' : `; the load generator's full collections: ${total}`;
}

function routeRow(name: string, figures: RouteFigures, withGc = false): string[] {
  const row = [
    name,
    rate(figures.rps),
    ms(figures.p50),
    ms(figures.p99),
    `${Math.round(figures.serverUsPerRequest)} µs`,
    `${cpu(figures.cpuServer)} / ${cpu(figures.cpuDb)} / ${cpu(figures.cpuLoad)} / ${cpu(figures.cpuOther)}`,
    figures.runs.map((run) => `${rate(run.rps)}${run.quiet ? '' : '*'}`).join(' / '),
    String(figures.runs.reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0)),
  ];
  return withGc ? [...row.slice(0, 5), markCompacts(figures.gcPer10k), ...row.slice(5)] : row;
}

const routeHeader = ['measurement', 'req/s (median)', 'p50', 'p99', 'server CPU per request', 'CPU server / db / load / other', 'req/s per run', 'errors'];
const floorHeader = [...routeHeader.slice(0, 5), 'mark-compacts per 10k requests (all runs: count, pauses)', ...routeHeader.slice(5)];

export function goals(results: Results): GoalLine[] {
  const lines: GoalLine[] = [];
  const { floor, checkout, memory, queries, readsWrites, catalogue100k, ceiling } = results;
  if (ceiling) {
    lines.push({
      scenario: '7',
      goal: 'catalog.products (page of 20, read model) req/s ≥ 40% of the hello-world ceiling',
      figure: `${percent(ceiling.productsShare)} (${rate(ceiling.products.rps)} vs ${rate(ceiling.hello.rps)})`,
      ok: ceiling.productsShare >= 0.4,
    });
    lines.push({
      scenario: '7',
      goal: `p99 at half its own max (${rate(ceiling.halfRate)} req/s, paced): catalog.products ≤ 2× the ceiling's`,
      figure: `${times(ceiling.p99Ratio)} (${ms(ceiling.pacedProducts.p99)} vs ${ms(ceiling.pacedHello.p99)}${loadgenCollections(ceiling.pacedProducts, ceiling.pacedHello)})`,
      ok: ceiling.p99Ratio <= 2,
    });
    lines.push({
      scenario: '7',
      goal: 'cart.addItem (signed in) req/s ≥ 65% of the catalogue page\'s, same run',
      figure: `${percent(ceiling.addItemShare)} (${rate(ceiling.addItem.rps)} vs ${rate(ceiling.products.rps)})`,
      ok: ceiling.addItemShare >= 0.65,
    });
  }
  if (catalogue100k) {
    lines.push({ scenario: '6', goal: `the ${catalogue100k.products.toLocaleString('en-US')}-product bench catalogue built in < 2 minutes`, figure: `${catalogue100k.seedSeconds.toFixed(1)} s`, ok: catalogue100k.seedSeconds < 120 });
    const search = catalogue100k.pacedSearch.latency.p99;
    lines.push({ scenario: '6', goal: 'search p99 at 100 req/s (paced) ≤ 50 ms, read model', figure: ms(search), ok: search <= 50 });
    const deep = catalogue100k.rows.find((row) => row.name.endsWith('page 500'));
    const first = catalogue100k.rows.find((row) => row.name.endsWith('page 1') && row.name.startsWith('category'));
    if (deep && first) {
      const ratio = deep.memory.rps / first.memory.rps;
      lines.push({ scenario: '6', goal: 'category page 500 as fast as page 1 (≥ 90% of its req/s), read model', figure: `${percent(ratio)} (${rate(deep.memory.rps)} vs ${rate(first.memory.rps)})`, ok: ratio >= 0.9 });
    }
    const grown = catalogue100k.memory;
    lines.push({
      scenario: '6',
      goal: `RSS growth over ${grown.requests.toLocaleString('en-US')} requests, read model on the ${catalogue100k.products.toLocaleString('en-US')}-product catalogue, after a warm-up block of as many, < 10%`,
      figure: `${percent(grown.growth)} (${mib(grown.afterWarmup)} → ${mib(grown.afterSettle)})`,
      ok: grown.growth < 0.1,
    });
  }
  if (floor) {
    lines.push({ scenario: '1', goal: 'tRPC req/s ≥ 70% of raw req/s', figure: `${percent(floor.rpsRatio)} (${rate(floor.trpc.rps)} vs ${rate(floor.raw.rps)})`, ok: floor.rpsRatio >= 0.7 });
    lines.push({
      scenario: '1',
      goal: `p99 at half the raw max (${rate(floor.halfRate)} req/s, paced): tRPC ≤ 1.5× raw`,
      figure: `${times(floor.p99Ratio)} (${ms(floor.pacedTrpc.p99)} vs ${ms(floor.pacedRaw.p99)}${loadgenCollections(floor.pacedTrpc, floor.pacedRaw)})`,
      ok: floor.p99Ratio <= 1.5,
    });
    lines.push({ scenario: '1', goal: 'raw and tRPC answer the same JSON', figure: floor.sameBody ? `yes (${floor.bodyBytes} bytes)` : 'no', ok: floor.sameBody });
  }
  for (const variant of results.floorVariants ?? []) {
    lines.push({ scenario: `1, ${variant.variant}`, goal: 'tRPC req/s ≥ 70% of raw req/s', figure: `${percent(variant.rpsRatio)} (${rate(variant.trpc.rps)} vs ${rate(variant.raw.rps)})`, ok: variant.rpsRatio >= 0.7 });
    lines.push({
      scenario: `1, ${variant.variant}`,
      goal: `p99 at half the raw max (${rate(variant.halfRate)} req/s, paced): tRPC ≤ 1.5× raw`,
      figure: `${times(variant.p99Ratio)} (${ms(variant.pacedTrpc.p99)} vs ${ms(variant.pacedRaw.p99)})`,
      ok: variant.p99Ratio <= 1.5,
    });
    if (!variant.sameBody) lines.push({ scenario: `1, ${variant.variant}`, goal: 'raw and tRPC answer the same JSON', figure: 'no', ok: false });
  }
  if (readsWrites) {
    lines.push({ scenario: '2', goal: 'catalog.product by slug (figures only)', figure: `${rate(readsWrites.product.rps)} req/s, p99 ${ms(readsWrites.product.p99)}`, ok: null });
    lines.push({ scenario: '2', goal: 'cart.addItem, signed in (figures only)', figure: `${rate(readsWrites.addItem.rps)} req/s, p99 ${ms(readsWrites.addItem.p99)}`, ok: null });
  }
  if (checkout) {
    lines.push({
      scenario: '3',
      goal: 'hot ≥ 50% of spread (checkouts answered/s)',
      figure: `${percent(checkout.ratio)} (${rate(checkout.hot.requestsPerSecond)} vs ${rate(checkout.spread.requestsPerSecond)})`,
      ok: checkout.ratio >= 0.5,
    });
    lines.push({
      scenario: '3',
      goal: 'stock invariant after every run; no 5xx',
      figure: checkout.hot.invariantOk && checkout.spread.invariantOk && checkout.hot.failed + checkout.spread.failed === 0 ? 'held' : 'BROKEN',
      ok: checkout.hot.invariantOk && checkout.spread.invariantOk && checkout.hot.failed + checkout.spread.failed === 0,
    });
  }
  if (memory) {
    lines.push({
      scenario: '4',
      goal: `RSS growth over ${memory.requests.toLocaleString('en-US')} catalogue requests, after a warm-up block of as many, < 10%`,
      figure: `${percent(memory.growth)} (${mib(memory.afterWarmup)} → ${mib(memory.afterSettle)})`,
      ok: memory.growth < 0.1,
    });
    if (memory.liveHeap) {
      lines.push({
        scenario: '4',
        goal: `leak check: live heap after ${memory.requests.toLocaleString('en-US')} more requests (figures only)`,
        figure: `${percent(memory.liveHeap.growth)} (${mib(memory.liveHeap.before)} → ${mib(memory.liveHeap.after)})`,
        ok: null,
      });
    }
  }
  const placeOrder = queries?.calls.find((call) => call.call.startsWith('checkout.placeOrder'));
  if (queries && placeOrder) {
    lines.push({
      scenario: '5',
      goal: 'checkout.placeOrder, two lines, signed in: ≤ 6 database round trips waited for (the test provider\'s payment included)',
      figure: queries.monitored ? `${placeOrder.roundTrips}, and ${placeOrder.afterAnswer.length} after its answer` : 'command monitoring off: not measured',
      ok: queries.monitored ? placeOrder.status === 200 && placeOrder.roundTrips <= 6 : null,
    });
  }
  if (queries) {
    lines.push({
      scenario: '5',
      goal: `≤ ${queries.limit} round trips per catalogue or cart call`,
      figure: queries.monitored ? `worst ${queries.worst}` : `command monitoring off: not measured (Mongoose ops worst ${queries.worst})`,
      ok: queries.monitored ? queries.ok : null,
    });
  }
  return lines;
}

export const busyNote =
  '\\* this run started while the rest of the machine was still busy (after the `--quiet-wait`, other processes still used more than `--quiet-threshold` of a core): its figures are disturbed.';

export function goalsTable(results: Results): string {
  return table(
    ['scenario', 'goal', 'figure', 'status'],
    goals(results).map((line) => [line.scenario, line.goal, line.figure, met(line.ok)]),
  );
}

export function floorSection(floor: FloorResult, connections: number): string {
  return [
    `### 1. The floor and the limit: raw Fastify route vs tRPC, same process, same data`,
    '',
    `\`GET ${'/raw/products?page=1&limit=20'}\` runs the same Mongoose queries as \`catalog.products\` (the page and the count; categories from the same shared read) and answers the same JSON (${floor.sameBody ? 'byte-identical, checked' : `NOT identical: ${floor.bodyDifference ?? ''}`}, ${floor.bodyBytes} bytes); \`GET /trpc/catalog.products?input={"page":1,"limit":20}\` is the procedure. Max rate: autocannon, ${connections} connections, closed loop. Half rate: ${rate(floor.halfRate)} req/s (half the raw median), paced open-loop with latency from each request's due time (the goal's figure; ${floor.pacedRaw.runs.length === 1 ? '1 run' : `${floor.pacedRaw.runs.length} runs`} of each route, alternating, medians: at this load a run's p99 is set by a few stalls, so it varies from run to run), and autocannon \`overallRate\` (bursty: each connection sends its quota for the second back to back, so its p99 is close to full load). Server CPU per request = the server's CPU time ÷ 2xx responses: the figure least disturbed by other processes. CPU columns are fractions of one core; "other" is every other process on the machine (noise; should be ~0%).`,
    '',
    `The bench server ran: ${floor.check ? describeCheck(floor.check) : 'not checked (this Node has no module.registerHooks)'}. Mark-compacts: the server's full garbage collections (perf_hooks \`gc\` entries) per 10,000 answered requests, over all runs of the row.`,
    '',
    table(floorHeader, [
      routeRow('raw, max rate', floor.raw, true),
      routeRow('tRPC, max rate', floor.trpc, true),
      routeRow(`raw, ${rate(floor.halfRate)} req/s paced`, floor.pacedRaw, true),
      routeRow(`tRPC, ${rate(floor.halfRate)} req/s paced`, floor.pacedTrpc, true),
      routeRow(`tRPC, ${rate(floor.trpcHalfRate)} req/s paced (half its own max), for reference`, floor.pacedTrpcOwnHalf, true),
      routeRow(`raw, ${rate(floor.halfRate)} req/s autocannon overallRate (1 run, half length)`, floor.autocannonHalfRaw, true),
      routeRow(`tRPC, ${rate(floor.halfRate)} req/s autocannon overallRate (1 run, half length)`, floor.autocannonHalfTrpc, true),
    ]),
    '',
    table(
      ['goal', 'figure', 'status'],
      [
        ['tRPC req/s ≥ 70% of raw', percent(floor.rpsRatio), met(floor.rpsRatio >= 0.7)],
        ['cross-check: raw ÷ tRPC server CPU per request (the ratio the CPU cost allows)', percent(floor.cpuRatio), 'n/a'],
        ['p99 at half rate (paced): tRPC ≤ 1.5× raw', times(floor.p99Ratio), met(floor.p99Ratio <= 1.5)],
        ['p99 at half rate (autocannon overallRate), for reference', times(floor.autocannonP99Ratio), 'n/a'],
        ['p99 with each route paced at half its own max (same headroom), for reference', times(floor.ownHalfP99Ratio), 'n/a'],
      ],
    ),
  ].join('\n');
}

/** "1,234 / 1,301*" (a * marks a run that started while the machine was busy). */
function perRun(figures: RouteFigures, format: (run: RouteFigures['runs'][number]) => string): string {
  return figures.runs.map((run) => `${format(run)}${run.quiet ? '' : '*'}`).join(' / ');
}

export function floorVariantsSection(variants: VariantFloor[], config: BenchConfig): string {
  const baseline = variants.find((variant) => variant.variant === 'baseline');
  const vsBaseline = (value: number, base: number | undefined) => (baseline && base ? percent(value / base - 1).replace(/^(?!-)/, '+') : 'n/a');
  const pair = (a: string, b: string) => `${a} / ${b}`;
  return [
    `### 1. Per variant: raw Fastify route vs tRPC, each variant in its own server process`,
    '',
    `Scenario 1 (\`GET /raw/products?page=1&limit=20\` vs \`GET /trpc/catalog.products?input={"page":1,"limit":20}\`) for each variant of the bench server, in one run. Every variant's server is started and checked first (what it loaded: the last table), then all are measured in alternating rounds: each round measures every variant in turn, raw then tRPC, while the other servers are paused (SIGSTOP); a resumed server gets 1 s of load on each route before it is measured. Max rate: ${config.runs} runs × ${config.duration} s, autocannon, ${config.connections} connections. Half rate: half of the variant's own raw median, paced open-loop, ${config.pacedRuns} runs of each route (the goal's p99). Medians; the figures of every run are in the third table. Mark-compacts: the server's full garbage collections (perf_hooks \`gc\` entries) per 10,000 answered requests, over all runs of the row. "other" is the CPU every other process on the machine used (the busiest run): it should be ~0%.`,
    '',
    table(
      ['variant', 'tRPC ÷ raw req/s (goal ≥ 70%)', 'p99 at half the raw max, tRPC ÷ raw (goal ≤ 1.5×)', 'same JSON'],
      variants.map((variant) => [
        variant.variant,
        `${percent(variant.rpsRatio)} ${variant.rpsRatio >= 0.7 ? 'met' : '**not met**'}`,
        `${times(variant.p99Ratio)} ${variant.p99Ratio <= 1.5 ? 'met' : '**not met**'}`,
        variant.sameBody ? 'yes' : '**no**',
      ]),
    ),
    '',
    table(
      [
        'variant',
        'req/s raw / tRPC',
        'vs baseline raw / tRPC',
        'server CPU per request raw / tRPC',
        'half rate',
        'p99 at half rate raw / tRPC',
        'mark-compacts per 10k requests (all runs: count, pauses), max rate raw / tRPC',
        'mark-compacts per 10k requests (all runs: count, pauses), half rate raw / tRPC',
        'scavenges per 10k requests, max rate raw / tRPC',
        'other (busiest run)',
      ],
      variants.map((variant) => [
        variant.variant,
        pair(rate(variant.raw.rps), rate(variant.trpc.rps)),
        pair(vsBaseline(variant.raw.rps, baseline?.raw.rps), vsBaseline(variant.trpc.rps, baseline?.trpc.rps)),
        pair(`${Math.round(variant.raw.serverUsPerRequest)} µs`, `${Math.round(variant.trpc.serverUsPerRequest)} µs`),
        rate(variant.halfRate),
        pair(ms(variant.pacedRaw.p99), ms(variant.pacedTrpc.p99)),
        pair(markCompacts(variant.raw.gcPer10k), markCompacts(variant.trpc.gcPer10k)),
        pair(markCompacts(variant.pacedRaw.gcPer10k), markCompacts(variant.pacedTrpc.gcPer10k)),
        pair(perTenThousand(variant.raw.gcPer10k.minor), perTenThousand(variant.trpc.gcPer10k.minor)),
        cpu(Math.max(variant.raw.cpuOtherMax, variant.trpc.cpuOtherMax, variant.pacedRaw.cpuOtherMax, variant.pacedTrpc.cpuOtherMax)),
      ]),
    ),
    '',
    table(
      ['variant', 'raw req/s per run', 'tRPC req/s per run', 'raw p99 per paced run', 'tRPC p99 per paced run', 'errors'],
      variants.map((variant) => [
        variant.variant,
        perRun(variant.raw, (run) => rate(run.rps)),
        perRun(variant.trpc, (run) => rate(run.rps)),
        perRun(variant.pacedRaw, (run) => ms(run.latency.p99)),
        perRun(variant.pacedTrpc, (run) => ms(run.latency.p99)),
        String(
          [variant.raw, variant.trpc, variant.pacedRaw, variant.pacedTrpc].reduce(
            (sum, figures) => sum + figures.runs.reduce((runs, run) => runs + run.non2xx + run.errors + run.timeouts, 0),
            0,
          ),
        ),
      ]),
    ),
    '',
    'What each server ran, as it reported it and as checked (its answer\'s framing tells the endpoint: ours sends a Content-Length, the stock adapter streams; for each patched dependency, every file its patch changes that the server loaded was compared with the installed, patched copy and with the published one, fetched by `npm pack` and checked against the lockfile\'s integrity):',
    '',
    table(
      ['variant', 'tRPC endpoint', ...(variants[0]?.check.packages.map((pkg) => pkg.name) ?? [])],
      variants.map((variant) => [variant.variant, variant.check.endpoint, ...variant.check.packages.map(describePackage)]),
    ),
  ].join('\n');
}

export function readsWritesSection(result: ReadsWritesResult, connections: number): string {
  return [
    `### 2. catalog.product by slug and cart.addItem (signed in)`,
    '',
    `autocannon, ${connections} connections, closed loop. catalog.product rotates over every seeded product's slug. cart.addItem: ${result.users} signed-in shoppers (Bearer tokens), request n adds 1 unit for shopper n mod ${result.users} of one of 4 products, so carts hold ≤ 4 lines and no two requests in flight share a cart; carts are emptied before each run.`,
    '',
    table(routeHeader, [routeRow('catalog.product {slug}', result.product), routeRow('cart.addItem', result.addItem)]),
  ].join('\n');
}

function checkoutRow(figures: CheckoutFigures): string[] {
  return [
    figures.kind,
    String(figures.requests),
    String(figures.placed),
    String(figures.refused),
    String(figures.failed),
    `${Math.round(figures.wallMs)} ms`,
    rate(figures.requestsPerSecond),
    rate(figures.ordersPerSecond),
    ms(figures.p50),
    ms(figures.p99),
    `${cpu(figures.cpuServer)} / ${cpu(figures.cpuDb)}`,
    figures.invariantOk ? 'held' : '**BROKEN**',
    figures.runs.map((run) => `${rate(run.requestsPerSecond)}${run.quiet === false ? '*' : ''}`).join(' / '),
  ];
}

export function checkoutSection(result: CheckoutResult, runs: number, warmups: number): string {
  return [
    `### 3. Checkout: a hot product vs the same load spread`,
    '',
    `hot: ${result.buyers} distinct signed-in buyers, each with 1 unit of ONE product (stock ${result.hotStock}) in the cart, all sending \`checkout.placeOrder\` at once over HTTP (one keep-alive connection each), priced in full: a California address (7.25% tax), Standard shipping or Express for every third buyer, \`WELCOME10\` for every fourth. spread: ${result.buyers} buyers, 1 unit each of one of ${result.spreadProducts} products (${result.buyers / result.spreadProducts} buyers per product, stock ${result.spreadStock} each: enough for all). Buyers are written to the database with tokens from \`signAccessToken\` (no password hashing). The checkout database is emptied before each run; ${runs} runs of each, alternating, after ${warmups} warm-up runs of each; medians. After every run, for every product: stock + held + sold = initial and nothing held (\`stockLedger\`), and units sold = orders answered placed; the code's uses = the orders holding it; every order's total = its breakdown and a placed one's payment = its total.`,
    '',
    table(
      ['scenario', 'requests', 'placed', 'refused', 'failed', 'wall', 'checkouts/s', 'orders/s', 'p50', 'p99', 'CPU server / db', 'invariant', 'checkouts/s per run'],
      [checkoutRow(result.hot), checkoutRow(result.spread)],
    ),
    '',
    table(
      ['goal', 'figure', 'status'],
      [
        ['hot ≥ 50% of spread, checkouts answered per second', percent(result.ratio), met(result.ratio >= 0.5)],
        [`hot ÷ spread, placed orders per second (hot places at most ${result.hotStock}), for reference`, percent(result.ordersRatio), 'n/a'],
      ],
    ),
  ].join('\n');
}

const demoMix = 'Production bundle; a mix of catalog.products pages 1–3, catalog.categories and catalog.product for every slug';

export function memorySection(result: MemoryResult, warmupSeconds: number, heading = '### 4. Memory: server RSS (VmRSS) over', mix = demoMix): string {
  const n = result.requests.toLocaleString('en-US');
  return [
    `${heading} ${n} catalogue requests`,
    '',
    `${mix}; autocannon at max rate (${rate(result.load.rps)} req/s, p99 ${ms(result.load.latency.p99)}). Warm-up: ${warmupSeconds} s, then a block of the same ${n} requests as the measured one (${rate(result.warmupBlock.rps)} req/s), because a few seconds warm the JIT but not the heap: V8 lets its old generation fill to a multiple of the live heap before collecting it, so RSS rises over the first tens of thousands of requests and then levels off. Each RSS reading is the median of 5 over 2 s, taken 1 s after the load stopped; the growth compares the readings after the warm-up block and after the measured block.`,
    '',
    table(
      [`after ${warmupSeconds} s`, `after the warm-up block (growth over it)`, `as the last of ${n} measured requests ends`, 'settled after it', 'peak (VmHWM)', 'growth (settled)', 'goal < 10%'],
      [
        [
          mib(result.afterShortWarmup),
          `${mib(result.afterWarmup)} (${percent(result.afterWarmup / result.afterShortWarmup - 1)})`,
          `${mib(result.afterLoad)} (${percent(result.growthAtEnd)})`,
          mib(result.afterSettle),
          mib(result.peak),
          percent(result.growth),
          met(result.growth < 0.1),
        ],
      ],
    ),
    ...(result.furtherBlocks.length > 0
      ? [
          '',
          `Further blocks of ${n} requests (settled RSS after each): ${result.furtherBlocks
            .map((rss, i) => `${mib(rss)} after block ${i + 2} (${percent(rss / result.afterWarmup - 1)} over warm-up)`)
            .join(', ')}.`,
        ]
      : []),
    ...(result.liveHeap
      ? [
          '',
          `Leak check, after the readings above: the live heap — what is still reachable after a full garbage collection, summed from a heap snapshot the server writes on SIGUSR2 (\`--heapsnapshot-signal\`) — was ${mib(result.liveHeap.before)}, and ${mib(result.liveHeap.after)} after ${n} more requests (${percent(result.liveHeap.growth)}). RSS also counts garbage not yet collected and heap space V8 keeps reserved: it can grow while the live heap does not.`,
        ]
      : []),
  ].join('\n');
}

export function queriesSection(result: QueriesResult): string {
  const summarise = (items: string[]) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
    return [...counts].map(([item, count]) => (count > 1 ? `${item} ×${count}` : item)).join(', ');
  };
  return [
    `### 5. Query hygiene: database round trips per call`,
    '',
    `In-process through the whole HTTP stack (\`buildApp\` + \`inject\`) on a freshly seeded database, with the catalogue read model, the live-session cache and the pricing configuration copy on as in production (\`CATALOG_CACHE\`, \`SESSION_CACHE\`, \`CONFIG_CACHE=memory\`; measured once the read model has loaded): catalogue answers and the cart's products come from memory. Round trips = commands the MongoDB driver sent (command monitoring); Mongoose ops = collection calls seen by Mongoose's debug hook. Limit ${result.limit} for catalogue and cart calls. A getMore on a cursor the call did not open (the feeds' change streams, polled in the background) and the read model's sweep (a \`find products\` by \`updatedAt\` on its own timer) are not counted, nor what a call sends after its answer (listened for 1 s after a checkout: the follow-up it leaves to the background). A checkout's round trips include the test payment provider's one command on its own collection (with Stripe, that is an HTTP call instead).`,
    '',
    table(
      ['call', 'status', 'round trips', 'Mongoose ops', 'commands', 'not counted', 'goal'],
      result.calls.map((call) => [
        call.call,
        String(call.status),
        String(call.roundTrips),
        String(call.mongooseOps.length),
        summarise(call.commands),
        [
          ...(call.background > 0 ? [`${call.background} background`] : []),
          ...(call.afterAnswer.length > 0 ? [`after the answer (${call.afterAnswer.length}, not waited for): ${summarise(call.afterAnswer)}`] : []),
        ].join('; '),
        call.limited ? met(call.roundTrips <= result.limit && call.mongooseOps.length <= result.limit) : 'n/a',
      ]),
    ),
    '',
    `While idle, the app sent ${result.idleCommandsPerSecond.toFixed(0)} background commands per second (getMore on cursors no call opened).`,
  ].join('\n');
}

function categoryRows(profile: Pick<ProfileResult, 'trpc' | 'raw'>, top: number): string[][] {
  const names = new Set([...profile.trpc.summary.categories.keys(), ...profile.raw.summary.categories.keys()]);
  names.delete('(idle)');
  names.delete('(root)');
  const per = (route: RouteProfile, name: string) => (route.summary.categories.get(name) ?? 0) / route.requests;
  return [...names]
    .map((name) => ({ name, trpc: per(profile.trpc, name), raw: per(profile.raw, name) }))
    .sort((a, b) => b.trpc - b.raw - (a.trpc - a.raw))
    .slice(0, top)
    .map((row) => [row.name, row.trpc.toFixed(1), row.raw.toFixed(1), (row.trpc - row.raw).toFixed(1)]);
}

export function profileSection(profile: ProfileResult, top = 25): string {
  const { trpc, raw } = profile;
  const busy = (route: RouteProfile) => route.summary.functions.filter((fn) => fn.category !== '(idle)');
  return [
    `### Where the time goes: CPU profile of the bench server, tRPC${profile.endpoint === 'stock' ? " (tRPC's stock Fastify adapter)" : ''} vs raw route`,
    '',
    `V8 sampling profiler (every ${profile.intervalUs} µs) over ${rate(trpc.load.seconds)} s of max-rate load on each route alone. tRPC: ${rate(trpc.load.rps)} req/s, ${trpc.perRequest.toFixed(0)} µs of busy CPU per request; raw: ${rate(raw.load.rps)} req/s, ${raw.perRequest.toFixed(0)} µs per request. Profiles: \`${trpc.file.replace(/^.*\/bench\//, 'bench/')}\`, \`${raw.file.replace(/^.*\/bench\//, 'bench/')}\` (open in Chrome DevTools → Performance, or speedscope).`,
    '',
    'Self time per request by owner of the code, largest extra cost of tRPC first (µs/request):',
    '',
    table(['code', 'tRPC', 'raw', 'tRPC − raw'], categoryRows(profile, 20)),
    '',
    'Where the tRPC route\'s own layers spend it: inclusive time (the function and everything it calls) of the busiest functions of tRPC, the adapter\'s Fetch-API conversion, zod and the app\'s code (µs/request):',
    '',
    table(
      ['function', 'where', 'owner', 'inclusive µs/request', 'self µs/request'],
      trpc.summary.functions
        .filter((fn) => /^(@trpc\/server|zod|jose|packages\/|apps\/|node: (webstreams|abort_controller|url|deps|per_context|event_target))/.test(fn.category))
        .sort((a, b) => b.total - a.total)
        .slice(0, 20)
        .map((fn) => [fn.name, fn.where, fn.category, (fn.total / trpc.requests).toFixed(1), (fn.self / trpc.requests).toFixed(1)]),
    ),
    '',
    `Top ${top} functions by self time on the tRPC route (µs/request; bundled app code is mapped back to its source):`,
    '',
    table(
      ['function', 'where', 'owner', 'µs/request', 'share of busy'],
      busy(trpc)
        .slice(0, top)
        .map((fn) => [fn.name, fn.where, fn.category, (fn.self / trpc.requests).toFixed(1), percent(fn.self / trpc.summary.busy)]),
    ),
  ].join('\n');
}

/** The tables of one route's profile against hello's: self time by owner, the top functions, the busiest of `owners`. */
function againstHelloTables(route: RouteProfile, hello: RouteProfile, names: { column: string; what: string; owners: string; pattern: RegExp }, top: number): string[] {
  return [
    `Self time per request by owner of the code, largest extra cost of ${names.what} first (µs/request):`,
    '',
    table(['code', names.column, 'hello', 'difference'], categoryRows({ trpc: route, raw: hello }, 20)),
    '',
    `Top ${top} functions by self time on ${names.what} (µs/request):`,
    '',
    table(
      ['function', 'where', 'owner', 'µs/request', 'share of busy'],
      route.summary.functions
        .filter((fn) => fn.category !== '(idle)')
        .slice(0, top)
        .map((fn) => [fn.name, fn.where, fn.category, (fn.self / route.requests).toFixed(1), percent(fn.self / route.summary.busy)]),
    ),
    '',
    `Inclusive time of ${names.owners} busiest functions on ${names.what} (µs/request):`,
    '',
    table(
      ['function', 'where', 'owner', 'inclusive µs/request', 'self µs/request'],
      route.summary.functions
        .filter((fn) => names.pattern.test(fn.category))
        .sort((a, b) => b.total - a.total)
        .slice(0, 20)
        .map((fn) => [fn.name, fn.where, fn.category, (fn.total / route.requests).toFixed(1), (fn.self / route.requests).toFixed(1)]),
    ),
  ];
}

const profileFile = (route: RouteProfile) => route.file.replace(/^.*\/bench\//, 'bench/');

/** Scenario 7's pair profiled: where the catalogue page from memory spends what the hello-world route does not. */
export function ceilingProfileSection(profile: ProfileResult, top = 25): string {
  const { trpc, hello } = profile.ceiling;
  return [
    '### Where the time goes: the catalogue page from memory vs the hello-world ceiling',
    '',
    `The same profiler on a bench server with the catalogue read model (scenario 7's server): ${rate(trpc.load.seconds)} s of max-rate load on each route alone. catalog.products: ${rate(trpc.load.rps)} req/s, ${trpc.perRequest.toFixed(0)} µs of busy CPU per request; hello: ${rate(hello.load.rps)} req/s, ${hello.perRequest.toFixed(0)} µs. Profiles: \`${profileFile(trpc)}\`, \`${profileFile(hello)}\`.`,
    '',
    ...againstHelloTables(trpc, hello, { column: 'catalog.products', what: 'the catalogue page', owners: "the app's, tRPC's and zod's", pattern: /^(@trpc\/server|zod|packages\/|apps\/)/ }, top),
  ].join('\n');
}

/** Scenario 7's third route profiled: signed-in cart.addItem against the hello-world route. */
export function addItemProfileSection(profile: ProfileResult, top = 25): string {
  const { addItem, hello } = profile.ceiling;
  return [
    '### Where the time goes: signed-in cart.addItem vs the hello-world ceiling',
    '',
    `The same profiler on the same server (scenario 7's third route: 1,000 shoppers, carts emptied first): ${rate(addItem.load.seconds)} s of max-rate load. cart.addItem: ${rate(addItem.load.rps)} req/s, ${addItem.perRequest.toFixed(0)} µs of busy CPU per request (the database's own CPU is not in it). Profile: \`${profileFile(addItem)}\`.`,
    '',
    ...againstHelloTables(
      addItem,
      hello,
      { column: 'cart.addItem', what: 'add to cart', owners: "the app's, tRPC's, zod's, Mongoose's and the driver's", pattern: /^(@trpc\/server|zod|mongoose|mongodb|bson|jose|packages\/|apps\/)/ },
      top,
    ),
  ].join('\n');
}

export function catalogue100kSection(result: Catalogue100kResult, connections: number, warmupSeconds: number): string {
  const rows = result.rows.flatMap((row) => [routeRow(`${row.name}: database`, row.database), routeRow(`${row.name}: read model`, row.memory)]);
  const pacedRow = (name: string, run: Catalogue100kResult['pacedSearch']) => [
    name,
    rate(run.rps),
    ms(run.latency.p50),
    ms(run.latency.p99),
    '',
    `${cpu(run.cpu.server)} / ${cpu(run.cpu.db)} / ${cpu(run.cpu.loadgen)} / ${cpu(run.cpu.other)}`,
    rate(run.rps),
    String(run.non2xx + run.errors + run.timeouts),
  ];
  return [
    `### 6. The ${result.products.toLocaleString('en-US')}-product catalogue: the database path and the read model`,
    '',
    `\`pnpm bench:seed --products ${result.products}\` built it in ${result.seedSeconds.toFixed(1)} s (the script's whole run). Two production servers on it, CATALOG_CACHE=off (database) and CATALOG_CACHE=memory (read model, answering from memory ${result.loadSeconds.toFixed(1)} s after /readyz), measured alternately (the read model's sweeps are noise in the database path's figures; the database path's server is paused while the read model is measured, and each read-model run waits up to ${databaseDrainSeconds} s for the database to finish the scans it left running); autocannon, ${connections} connections, closed loop. On the offline database every filter, sort and skip scans the collection (it ignores non-unique indexes). RSS after the runs: ${mib(result.rss.database)} (database path), ${mib(result.rss.memory)} (read model).`,
    '',
    table(routeHeader, [...rows, pacedRow('search, 100 req/s paced (open loop): read model', result.pacedSearch)]),
    '',
    memorySection(
      result.memory,
      warmupSeconds,
      `#### 6b. Memory with the read model on the ${result.products.toLocaleString('en-US')}-product catalogue: RSS over`,
      'The read-model server above (the database-path one stopped first); a mix of catalog.products pages 1–3, catalog.categories, pages 1, 2 and 50 of every category, the 8 searches and catalog.product for every 50th product',
    ),
  ].join('\n');
}

export function ceilingSection(result: CeilingResult, connections: number): string {
  return [
    '### 7. The ceiling: a hello-world route, the catalogue page from memory and add to cart, one process',
    '',
    `One bench server (bench/dist/server.js) built as production builds it, with the catalogue read model (BENCH_CATALOG_CACHE=memory) on the demo catalogue: \`GET /raw/hello\` (a Fastify route answering \`{"hello":"world"}\` through the app's own plugins and hooks: helmet, the metrics and in-flight hooks; ${result.bodyBytes.hello} bytes) is the most this process answers; \`GET /trpc/catalog.products?input={"page":1,"limit":20}\` (${result.bodyBytes.products} bytes, from the read model); signed-in \`cart.addItem\` (scenario 2's traffic: 1,000 shoppers, carts emptied before each run). Max rate: autocannon, ${connections} connections, closed loop, the three routes in turn in each round. Half rate: ${rate(result.halfRate)} req/s (half the catalogue page's median), paced open-loop, hello and the catalogue page in turn.`,
    '',
    table(floorHeader, [
      routeRow('hello, max rate', result.hello, true),
      routeRow('catalog.products (read model), max rate', result.products, true),
      routeRow('cart.addItem (signed in), max rate', result.addItem, true),
      routeRow(`hello, ${rate(result.halfRate)} req/s paced`, result.pacedHello, true),
      routeRow(`catalog.products, ${rate(result.halfRate)} req/s paced`, result.pacedProducts, true),
    ]),
  ].join('\n');
}
