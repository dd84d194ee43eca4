// Loaded into a bench server with `node --import` (bench/dist/module-redirect.js) before anything
// else: a module resolve hook (`module.registerHooks`, Node ≥ 22.15) that
//
// - redirects every file of an installed package to another copy of the same package (the
//   published, unpatched build of a patched dependency, or one with only part of its patch), for
//   `require` and `import` alike, whether it is asked for by name (`mongoose` requiring
//   `mongodb`) or by absolute path (the bench bundle's externals); the copy's own dependencies
//   resolve to the installed ones (bench/src/lib/variants.ts links them beside it);
// - records which files of the tracked packages the process loaded, so the benchmark can check
//   that a variant's server runs the code it says it runs (GET /__bench/modules in server.ts).
//
// Configuration: BENCH_MODULES, JSON of `ModuleHooksConfig`.
import * as nodeModule from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadedModulesKey, packageOf, type ModuleHooksConfig } from './lib/module-hooks-config.ts';

const config = JSON.parse(process.env.BENCH_MODULES ?? '{"track":[],"redirect":[]}') as ModuleHooksConfig;
const redirects = config.redirect.map(({ from, to }) => ({ from: `${pathToFileURL(from).href}/`, to: `${pathToFileURL(to).href}/` }));
const loaded = new Map<string, Set<string>>(config.track.map((name) => [name, new Set<string>()]));
(globalThis as Record<symbol, unknown>)[loadedModulesKey] = loaded;

if (typeof nodeModule.registerHooks !== 'function') {
  throw new Error(`bench/dist/module-redirect.js needs module.registerHooks (Node ≥ 22.15); this is Node ${process.version}`);
}
nodeModule.registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    if (!result.url.startsWith('file:')) return result;
    const redirect = redirects.find(({ from }) => result.url.startsWith(from));
    const url = redirect ? redirect.to + result.url.slice(redirect.from.length) : result.url;
    const path = fileURLToPath(url);
    const name = packageOf(path);
    if (name !== null) loaded.get(name)?.add(path);
    return redirect ? { ...result, url } : result;
  },
});
