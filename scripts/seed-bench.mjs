#!/usr/bin/env node
// `pnpm bench:seed [--products N] [--reset]`: the benchmark's catalogue (100,000 products by
// default) into MONGODB_URI, or into the embedded development database.
import { runServerScript } from './lib/environment.mjs';

await runServerScript('apps/server/src/seed-bench.ts', process.argv.slice(2));
