// The API's router type as the client and its users see it, with no server types in it (see
// wire-router.ts). Only ever imported with `import type`: `server` and `wireRouter` are declared,
// never defined, so esbuild refuses to bundle this module into dist/index.js.
import type { AppRouter as ServerRouter } from '@shop/api';
import { wireRouter } from './wire-router.ts';

declare const server: ServerRouter;
// Only its type is used: as an inferred type, tsc writes it out in full in the declarations.
const _router = wireRouter(server);

export type AppRouter = typeof _router;
