// tRPC's own cost per procedure call, the installed (patched) @trpc/server against the published
// one: `node bench/dist/trpc-calls.js [--calls N] [--rounds N]` (built by `pnpm bench`, or
// `node bench/build.mjs`). No server, no database: a caller calls two procedures shaped like the
// app's (the tracing and API-key middlewares, an input and an output schema; the signed-in one
// also passes a user into the context, as `authedProcedure` does) and their answers go through
// `transformTRPCResponse`, as the app's tRPC endpoint sends them. The copies are measured in
// alternating rounds; medians are printed. The published copy is the one the bench's `--variants`
// use (fetched once with `npm pack` into bench/node_modules/.pristine/ and checked against the
// lockfile). patches/README.md says what the patch changes and why.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as TrpcServerModule from '@trpc/server';
import type * as TrpcCoreModule from '@trpc/server/unstable-core-do-not-import';
import { z } from 'zod';
import { table } from './lib/format.ts';
import { median } from './lib/stats.ts';
import { ensurePublished, patchedDependencies } from './lib/variants.ts';

type TrpcServer = typeof TrpcServerModule;
type TrpcCore = typeof TrpcCoreModule;

const { values } = parseArgs({ options: { calls: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' } } });
const calls = Number(values.calls);
const rounds = Number(values.rounds);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dep = patchedDependencies(root).find((candidate) => candidate.name === '@trpc/server');
if (!dep) throw new Error('@trpc/server is not patched (pnpm-workspace.yaml): nothing to compare');
const installedDir = dep.installed[0] ?? '';
const publishedDir = ensurePublished(root, dep, (message) => console.log(message));

const page = z.object({ page: z.number().int().min(1).default(1), limit: z.number().int().min(1).max(100).default(20) });
const answer = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), price: z.number() })), total: z.number() });
const data = { items: Array.from({ length: 3 }, (_, i) => ({ id: `p${i}`, name: `Product ${i}`, price: 100 * i })), total: 3 };

interface Copy {
  name: string;
  call: () => Promise<unknown>;
}

async function load(name: string, dir: string): Promise<Copy[]> {
  const server = (await import(pathToFileURL(join(dir, 'dist/index.mjs')).href)) as TrpcServer;
  const core = (await import(pathToFileURL(join(dir, 'dist/unstable-core-do-not-import.mjs')).href)) as TrpcCore;
  const t = server.initTRPC.context<{ apiKey: string | null; user: { id: string } | null }>().create();
  // Two middlewares that pass the call on, as the app's tracing and API-key ones do for a guest.
  const publicProcedure = t.procedure.use(({ next }) => next()).use(async ({ next }) => next());
  const authed = publicProcedure.use(async ({ ctx, next }) => next({ ctx: { user: ctx.user ?? { id: 'u1' } } }));
  const router = t.router({
    products: publicProcedure.input(page).output(answer).query(() => data),
    cart: authed.input(page).output(answer).query(() => data),
  });
  const caller = t.createCallerFactory(router)({ apiKey: null, user: { id: 'u1' } });
  const config = router._def._config;
  const send = (result: unknown) => JSON.stringify(core.transformTRPCResponse(config, { result: { data: result } }));
  return [
    { name: `${name}: public query`, call: async () => send(await caller.products({ page: 1 })) },
    { name: `${name}: signed-in query`, call: async () => send(await caller.cart({ page: 1 })) },
  ];
}

async function timed(copy: Copy, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await copy.call();
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

const copies = [...(await load('patched', installedDir)), ...(await load('published', publishedDir))];
for (const copy of copies) await timed(copy, Math.min(calls, 50_000));
const perCall = new Map<string, number[]>(copies.map((copy) => [copy.name, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const copy of copies) perCall.get(copy.name)?.push(await timed(copy, calls));
}
console.log(`\n@trpc/server ${dep.version}, Node ${process.version}: µs per call (median of ${rounds} alternating rounds of ${calls.toLocaleString('en-US')} calls)\n`);
console.log(
  table(
    ['procedure', 'µs per call', 'rounds'],
    copies.map((copy) => {
      const figures = perCall.get(copy.name) ?? [];
      return [copy.name, median(figures).toFixed(2), figures.map((figure) => figure.toFixed(2)).join(' / ')];
    }),
  ),
);
