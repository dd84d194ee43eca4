// `module.registerHooks` (Node ≥ 22.15; bench/src/module-redirect.ts uses its resolve hook) is not
// in the @types/node the repository pins (20.x): the part of it the benchmark uses.
import 'node:module';

declare module 'node:module' {
  interface ResolveHookContext {
    conditions: string[];
    importAttributes: Record<string, string>;
    parentURL: string | undefined;
  }
  interface ResolveHookResult {
    url: string;
    format?: string | null | undefined;
    importAttributes?: Record<string, string> | undefined;
    shortCircuit?: boolean | undefined;
  }
  type ResolveHookSync = (
    specifier: string,
    context: ResolveHookContext,
    nextResolve: (specifier: string, context?: Partial<ResolveHookContext>) => ResolveHookResult,
  ) => ResolveHookResult;
  export function registerHooks(hooks: { resolve?: ResolveHookSync }): { deregister(): void };
}
