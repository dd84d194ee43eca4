import { accountRouter } from './routers/account.ts';
import { adminRouter } from './routers/admin.ts';
import { authRouter } from './routers/auth.ts';
import { cartRouter } from './routers/cart.ts';
import { catalogRouter } from './routers/catalog.ts';
import { checkoutRouter } from './routers/checkout.ts';
import { ordersRouter } from './routers/orders.ts';
import { stockRouter } from './routers/stock.ts';
import { createCallerFactory, createTRPCRouter } from './trpc.ts';

export const appRouter = createTRPCRouter({
  auth: authRouter,
  account: accountRouter,
  catalog: catalogRouter,
  cart: cartRouter,
  checkout: checkoutRouter,
  orders: ordersRouter,
  stock: stockRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: `createCaller(createContextInner({ db, auth }))`. */
export const createCaller = createCallerFactory(appRouter);
