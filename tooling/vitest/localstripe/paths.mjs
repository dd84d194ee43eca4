// Where tooling/vitest/localstripe/install.mjs puts localstripe, and the test run finds it.
import { fileURLToPath } from 'node:url';

export const localstripeVersion = '1.15.10';
export const localstripeVenv = fileURLToPath(new URL(`../../../node_modules/.cache/localstripe-${localstripeVersion}`, import.meta.url));
export const localstripePython = `${localstripeVenv}/bin/python`;
export const localstripeLauncher = fileURLToPath(new URL('./serve.py', import.meta.url));
