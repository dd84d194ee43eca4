import { createTRPCReact } from '@trpc/react-query';
// A type-only import: the compiler erases it, so no server code reaches the bundle.
import type { AppRouter } from '@shop/api';

/** Typed hooks for every procedure, e.g. `trpc.catalog.products.useQuery({ page: 2 })`. */
export const trpc = createTRPCReact<AppRouter>();

/** Procedure inputs and outputs, inferred from the router: `RouterOutputs['catalog']['product']`. */
export type { RouterInputs, RouterOutputs } from '@shop/api';
