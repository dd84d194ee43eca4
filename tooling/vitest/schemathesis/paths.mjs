// Where tooling/vitest/schemathesis/install.mjs puts schemathesis, and the REST API's fuzz test finds it.
import { fileURLToPath } from 'node:url';

export const schemathesisVersion = '4.32.5';
export const schemathesisVenv = fileURLToPath(new URL(`../../../node_modules/.cache/schemathesis-${schemathesisVersion}`, import.meta.url));
export const schemathesisCommand = `${schemathesisVenv}/bin/schemathesis`;
