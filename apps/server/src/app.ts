import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { appRouter, createTestPaymentProvider, type AppRouter, type AuthConfig, type PaymentProvider } from '@shop/api';
import type { Database } from '@shop/db';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createContextFactory } from './context.ts';

export interface AppOptions {
  db: Database;
  auth: AuthConfig;
  /** Defaults to the built-in test provider (see packages/api/src/services/payments.ts). */
  payments?: PaymentProvider;
  /** Origins allowed to send credentialed cross-origin requests. */
  corsOrigins?: string[];
  /** Serve this built storefront at `/`, with client-side routes falling back to index.html. */
  webDistDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
  trustProxy?: boolean;
  production?: boolean;
}

export const bodyLimitBytes = 100 * 1024;
export const maxBatchSize = 20;

/** Builds the app (plugins → decorators → hooks → routes). Never listens: `main.ts` does. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: bodyLimitBytes,
    // Batched GET requests put every procedure path in the URL.
    routerOptions: { maxParamLength: 5000 },
  });

  let shuttingDown = false;
  app.addHook('onClose', async () => {
    shuttingDown = true;
  });
  app.decorate('markShuttingDown', () => {
    shuttingDown = true;
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
      },
    },
  });
  await app.register(cors, {
    origin: options.corsOrigins && options.corsOrigins.length > 0 ? options.corsOrigins : false,
    credentials: true,
  });
  await app.register(cookie);

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: createContextFactory({
        db: options.db,
        auth: options.auth,
        payments: options.payments ?? createTestPaymentProvider(options.db),
        production,
      }),
      maxBatchSize,
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error.cause ?? error, path }, 'procedure failed');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    if (shuttingDown) return reply.code(503).send({ ok: false, reason: 'shutting down' });
    try {
      await options.db.connection.db?.admin().command({ ping: 1 });
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false, reason: 'database unreachable' });
    }
  });

  if (options.webDistDir) {
    await app.register(fastifyStatic, { root: options.webDistDir, wildcard: false });
    app.setNotFoundHandler((request, reply) => {
      const acceptsHtml = request.headers.accept?.includes('text/html') ?? false;
      if (request.method === 'GET' && acceptsHtml && !request.url.startsWith('/trpc')) {
        return reply.type('text/html').sendFile('index.html');
      }
      return reply.code(404).send({ error: 'Not Found' });
    });
  }

  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Makes /readyz answer 503 so the load balancer stops sending traffic while we drain. */
    markShuttingDown(): void;
  }
}
