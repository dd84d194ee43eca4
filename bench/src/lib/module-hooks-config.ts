// Shared by module-redirect.ts (in the server) and variants.ts (in the benchmark), which must not
// import module-redirect.ts: importing it registers the hooks.

export interface ModuleHooksConfig {
  /** Package names whose loaded files are recorded. */
  track: string[];
  /** Package directories (real paths): every file under `from` is loaded from `to` instead. */
  redirect: { from: string; to: string }[];
}

/** Where the server keeps the files it loaded, by package name (a `Map<string, Set<string>>`). */
export const loadedModulesKey = Symbol.for('shop.bench.loadedModules');

/** The package a file belongs to: the name after the last `node_modules/` of its path. */
export function packageOf(path: string): string | null {
  const at = path.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const [first = '', second = ''] = path.slice(at + '/node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}
