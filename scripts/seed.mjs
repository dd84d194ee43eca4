#!/usr/bin/env node
// `pnpm seed [--reset]`: fills the demo catalogue into MONGODB_URI, or into the embedded
// development database (the running one if `pnpm dev` is up). Safe to run twice.
import { runServerScript } from './lib/environment.mjs';

await runServerScript('apps/server/src/seed.ts', process.argv.slice(2));
