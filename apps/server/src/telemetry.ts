// OpenTelemetry traces, loaded before the server (`node --import ./dist/telemetry.js dist/main.js`,
// and the same with tsx in development and tests): instrumentations patch modules as they are
// first loaded, so they must be in place before Fastify, the MongoDB driver, the Redis client
// and pino are.
//
// On only when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then
// each request is one trace, HTTP server span → Fastify's request and handler spans → a span per
// tRPC procedure (packages/api/src/trpc.ts, named by its path) → a span per MongoDB command (and
// Redis command), exported over OTLP as the standard OTEL_* variables say (protocol, headers,
// sampler); log lines written inside a span carry its `trace_id` and `span_id`. Unset, nothing
// is loaded and nothing is recorded: the procedures' spans are the API's no-op ones.
//
// Only traces go out: metrics are Prometheus' (GET /metrics), logs are the process's output;
// OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER can still turn OTLP ones on.
import { telemetryShutdownKey } from './telemetry-shutdown.ts';

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

if (endpoint && process.env.OTEL_SDK_DISABLED !== 'true') {
  process.env.OTEL_SERVICE_NAME ??= 'shop-server';
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const [{ NodeSDK }, { HttpInstrumentation }, { MongoDBInstrumentation }, { RedisInstrumentation }, { PinoInstrumentation }, { default: FastifyOtelInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-mongodb'),
      import('@opentelemetry/instrumentation-redis'),
      import('@opentelemetry/instrumentation-pino'),
      import('@fastify/otel'),
    ]);
  const sdk = new NodeSDK({
    instrumentations: [
      // The server span of each request, and the W3C `traceparent` of a caller's trace continued.
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would drown the traces that matter.
        ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz|metrics)(\?|$)/.test(request.url ?? ''),
      }),
      // Registers its plugin on every Fastify instance as it is created (diagnostics channel): a
      // request span and its handler's, without one per hook (a dozen a request, mostly cookies
      // and headers).
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: (options) => /^\/(healthz|readyz|metrics)$/.test(options.url),
      }),
      // Each command's statement with its values replaced by `?` (the instrumentation's default).
      new MongoDBInstrumentation(),
      new RedisInstrumentation(),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  // main.ts flushes what is buffered when it shuts down (it exits with process.exit).
  Reflect.set(globalThis, telemetryShutdownKey, () => sdk.shutdown());
}
