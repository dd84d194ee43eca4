// tRPC copies its call options, contexts, inputs and answers with one object-spread helper, on
// every call. patches/@trpc__server@11.19.0.patch makes that helper copy with Object.assign
// (patches/README.md says why). These check that the patch is applied and that the copies are
// still the ones unpatched tRPC makes.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { initTRPC } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const marker = Symbol('marker');

interface BaseContext {
  shop: string;
  [marker]?: string;
}

const t = initTRPC.context<BaseContext>().create();

const router = t.router({
  merged: t.procedure
    .use(({ next }) => next({ ctx: { first: 1, shop: 'renamed' } }))
    .use(({ next }) => next({ ctx: { second: 2 } }))
    .query(({ ctx }) => ({ ...ctx })),
  withSymbol: t.procedure
    .use(({ next }) => next({ ctx: { [marker]: 'kept' } }))
    .query(({ ctx }) => ctx[marker]),
  withProtoKey: t.procedure
    // As a context built from parsed JSON could carry: an own "__proto__" property.
    .use(({ next }) => next({ ctx: JSON.parse('{"__proto__": {"injected": true}, "plain": 1}') as { plain: number } }))
    .query(({ ctx }) => ({
      ownProtoKey: Object.prototype.hasOwnProperty.call(ctx, '__proto__'),
      prototypeIsObject: Object.getPrototypeOf(ctx) === Object.prototype,
      injected: (ctx as Record<string, unknown>).injected,
      plain: ctx.plain,
    })),
  chainedInputs: t.procedure
    .input(z.object({ page: z.number() }))
    .input(z.object({ limit: z.number().default(20) }))
    .query(({ input }) => input),
});

const caller = t.createCallerFactory(router)({ shop: 'demo' });

describe('tRPC object-spread helper (patched)', () => {
  it('is the patched one in the installed @trpc/server', () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@trpc/server'));
    const chunks = readdirSync(dist).filter((name) => /^getErrorShape-.*\.[cm]js$/.test(name));
    expect(chunks).toHaveLength(2); // the ES module and the CommonJS build
    for (const chunk of chunks) {
      expect(readFileSync(join(dist, chunk), 'utf8')).toContain('else Object.assign(e, t);');
    }
  });

  it('merges middleware contexts in order, later keys winning', async () => {
    await expect(caller.merged()).resolves.toEqual({ shop: 'renamed', first: 1, second: 2 });
  });

  it('keeps symbol keys of a context', async () => {
    await expect(caller.withSymbol()).resolves.toBe('kept');
  });

  it('copies an own "__proto__" key as a property, never as a prototype', async () => {
    await expect(caller.withProtoKey()).resolves.toEqual({ ownProtoKey: true, prototypeIsObject: true, injected: undefined, plain: 1 });
  });

  it('combines the inputs of chained parsers', async () => {
    await expect(caller.chainedInputs({ page: 2 })).resolves.toEqual({ page: 2, limit: 20 });
  });
});
