#!/usr/bin/env node
// `pnpm db:migrate`: runs the data migrations this database has not had yet, against MONGODB_URI
// or the embedded development database. The server also runs them at start-up; safe to run twice.
import { runServerScript } from './lib/environment.mjs';

await runServerScript('apps/server/src/migrate.ts');
