// The built declarations give consumers the inferred API types: a consumer file is compiled
// against dist/index.d.ts and must have no errors. Its expectTypeOf calls fail on `any`, and its
// expected-error directives fail if a wrong call is accepted.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const consumer = fileURLToPath(new URL('./fixtures/consumer.ts', import.meta.url));
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

function messageOf(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
}

function compilerOptions(): ts.CompilerOptions {
  const config = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic(diagnostic) {
      throw new Error(messageOf(diagnostic));
    },
  });
  if (!config) throw new Error(`cannot read ${tsconfig}`);
  return config.options;
}

describe('dist/index.d.ts', () => {
  it('is what @shop/client resolves to', () => {
    const resolved = ts.resolveModuleName('@shop/client', consumer, compilerOptions(), ts.sys);
    expect(resolved.resolvedModule?.resolvedFileName).toMatch(/packages\/client\/dist\/index\.d\.ts$/);
  });

  // Type-checks the API's sources too: seconds, not milliseconds.
  it('types a consumer with everything inferred from the router', { timeout: 60_000 }, () => {
    const program = ts.createProgram([consumer], compilerOptions());
    const source = program.getSourceFile(consumer);
    if (!source) throw new Error(`${consumer} is not in the program`);

    // Only the consumer's own diagnostics: the API's sources are checked by their own package.
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    expect(diagnostics.map(messageOf)).toEqual([]);
  });
});
