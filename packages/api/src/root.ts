import { accountRouter } from './routers/account.ts';
import { adminRouter } from './routers/admin.ts';
import { authRouter } from './routers/auth.ts';
import { cartRouter } from './routers/cart.ts';
import { catalogRouter } from './routers/catalog.ts';
import { checkoutRouter } from './routers/checkout.ts';
import { eventsRouter } from './routers/events.ts';
import { ordersRouter } from './routers/orders.ts';
import { restOnlyRouter } from './routers/rest.ts';
import { stockRouter } from './routers/stock.ts';
import { createCallerFactory, createTRPCRouter, mergeRouters } from './trpc.ts';

export const appRouter = createTRPCRouter({
  auth: authRouter,
  account: accountRouter,
  catalog: catalogRouter,
  cart: cartRouter,
  checkout: checkoutRouter,
  orders: ordersRouter,
  stock: stockRouter,
  admin: adminRouter,
  events: eventsRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: `createCaller(createContextInner({ db, auth }))`. */
export const createCaller = createCallerFactory(appRouter);

/**
 * What the REST API serves (apps/server/src/rest-api.ts): the procedures of `appRouter` with
 * `meta.openapi`, and a few reshaped for URLs and headers (routers/rest.ts).
 */
export const restRouter = mergeRouters(appRouter, restOnlyRouter);
