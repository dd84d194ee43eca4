// The shop's numbers in Prometheus' text format, at GET /metrics: how the system is doing
// (requests, latency, the event loop, GC) and how the shop is (checkouts by result, orders stuck
// pending, the recovery sweep, the stock invariant, live stock's lag, the outbox).
//
// Counters move as things happen (a procedure answers, the sweep runs, a message is sent);
// gauges of what the database holds (pending orders, the outbox's backlog) are read when
// Prometheus scrapes, with queries served by indexes, so there is nothing to keep in step.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeliveryOutcome, ProcedureObservation, ProcedureObserver, SweepResult } from '@shop/api';
import type { Database } from '@shop/db';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The procedures that place an order: tRPC's, and the REST API's `POST /api/checkout`. */
const checkoutProcedures: ReadonlySet<string> = new Set(['checkout.placeOrder', 'rest.placeOrder']);

export interface ShopMetrics extends ProcedureObserver {
  readonly registry: Registry;
  /** A recovery sweep finished: what it settled, and the stock invariant checked after it. */
  sweepDone(result: SweepResult, stockInvariantViolations: number | null): void;
  sweepFailed(): void;
  outboxDelivered(outcome: DeliveryOutcome): void;
  stockFeedReconnected(): void;
  stockFeedLag(lagMs: number): void;
  httpResponse(route: string, method: string, statusCode: number, seconds: number): void;
}

export interface ShopMetricsOptions {
  db: Database;
  /**
   * Node's own metrics (event-loop delay, GC pauses, heap, CPU): on for a server process. Off by
   * default because they watch the whole process (GC observers), which tests building many apps
   * in one process do not want.
   */
  processMetrics?: boolean;
}

/** The outcome label of a procedure call: `ok`, or the reason it was refused (`OUT_OF_STOCK`), or its code. */
function outcomeOf(observation: ProcedureObservation): string {
  if (observation.ok) return 'ok';
  return observation.reason ?? observation.code;
}

function checkoutResult(observation: ProcedureObservation): { result: string; reason: string } {
  if (!observation.ok) return { result: 'refused', reason: outcomeOf(observation) };
  const data = observation.data;
  const status = typeof data === 'object' && data !== null && 'status' in data && typeof data.status === 'string' ? data.status : 'unknown';
  return { result: status, reason: '' };
}

export function createShopMetrics(options: ShopMetricsOptions): ShopMetrics {
  const { db } = options;
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const registers = [registry];

  const procedureCalls = new Counter({
    name: 'shop_procedure_calls_total',
    help: 'tRPC procedure calls (over /trpc and REST), by procedure, type and outcome (ok, or the refusal reason)',
    labelNames: ['procedure', 'type', 'outcome'] as const,
    registers,
  });
  const procedureSeconds = new Histogram({
    name: 'shop_procedure_duration_seconds',
    help: 'Time from a procedure call to its answer, by procedure and whether it answered ok',
    labelNames: ['procedure', 'ok'] as const,
    buckets: latencyBuckets,
    registers,
  });
  const checkouts = new Counter({
    name: 'shop_checkouts_total',
    help: 'Checkout answers (checkout.placeOrder, POST /api/checkout), by result (placed, pending, or refused with a reason)',
    labelNames: ['result', 'reason'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'shop_rate_limit_refusals_total',
    help: 'Calls refused by a rate limit, by procedure',
    labelNames: ['procedure'] as const,
    registers,
  });
  const httpRequests = new Counter({
    name: 'shop_http_requests_total',
    help: 'HTTP responses, by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const httpSeconds = new Histogram({
    name: 'shop_http_request_duration_seconds',
    help: 'Time from an HTTP request to its response, by route and method',
    labelNames: ['route', 'method'] as const,
    buckets: latencyBuckets,
    registers,
  });
  const sweepActions = new Counter({
    name: 'shop_recovery_sweep_actions_total',
    help: 'What the recovery sweep settled, by action (completed, rolledBack, orphanHoldsCleared, …)',
    labelNames: ['action'] as const,
    registers,
  });
  const sweepRuns = new Counter({
    name: 'shop_recovery_sweep_runs_total',
    help: 'Recovery sweep runs, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const stockInvariant = new Gauge({
    name: 'shop_stock_invariant_violations',
    help: 'Products whose stock is not their variants\' summed, plus holds of orders no longer in flight, as the last sweep found them: 0 when the stock invariant holds',
    registers,
  });
  const feedReconnects = new Counter({
    name: 'shop_stock_feed_reconnects_total',
    help: 'Times the live stock feed reopened its change stream after a failure',
    registers,
  });
  const feedLag = new Histogram({
    name: 'shop_stock_feed_lag_seconds',
    help: 'Time from a product write to its change-stream event reaching this process',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers,
  });
  const outboxDeliveries = new Counter({
    name: 'shop_outbox_deliveries_total',
    help: 'Outbox delivery attempts by outcome: sent, retry (failed, will be tried again), failed (gave up)',
    labelNames: ['outcome'] as const,
    registers,
  });

  new Gauge({
    name: 'shop_orders_pending',
    help: 'Orders pending (checkouts in flight, or waiting for their payment), as the database has them now',
    registers,
    async collect() {
      this.set(await db.models.Order.countDocuments({ status: 'pending' }));
    },
  });
  new Gauge({
    name: 'shop_orders_pending_oldest_age_seconds',
    help: 'Age of the oldest pending order (0 when none): a checkout stuck longer than its lease is the sweep\'s to settle',
    registers,
    async collect() {
      const oldest = await db.models.Order.findOne({ status: 'pending' }, { createdAt: 1 }).sort({ createdAt: 1 }).lean();
      this.set(oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'shop_outbox_messages',
    help: 'Outbox messages not yet sent, by status (pending includes those waiting to be retried; failed gave up)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const [pending, sending, failed] = await Promise.all(
        (['pending', 'sending', 'failed'] as const).map((status) => db.models.OutboxMessage.countDocuments({ status })),
      );
      this.set({ status: 'pending' }, pending ?? 0);
      this.set({ status: 'sending' }, sending ?? 0);
      this.set({ status: 'failed' }, failed ?? 0);
    },
  });
  new Gauge({
    name: 'shop_outbox_oldest_due_seconds',
    help: 'How long the most overdue message still to be sent has been due (0 when none is): a backlog the workers do not keep up with',
    registers,
    async collect() {
      const oldest = await db.models.OutboxMessage.findOne({ status: 'pending' }, { nextAttemptAt: 1 }).sort({ nextAttemptAt: 1 }).lean();
      this.set(oldest ? Math.max(0, (Date.now() - oldest.nextAttemptAt.getTime()) / 1000) : 0);
    },
  });

  return {
    registry,
    procedureDone(observation) {
      const outcome = outcomeOf(observation);
      procedureCalls.inc({ procedure: observation.path, type: observation.type, outcome });
      procedureSeconds.observe({ procedure: observation.path, ok: observation.ok ? 'true' : 'false' }, observation.durationMs / 1000);
      if (checkoutProcedures.has(observation.path)) checkouts.inc(checkoutResult(observation));
      if (outcome === 'RATE_LIMITED') rateLimited.inc({ procedure: observation.path });
    },
    sweepDone(result, violations) {
      sweepRuns.inc({ outcome: 'ok' });
      for (const [action, count] of Object.entries(result)) if (count > 0) sweepActions.inc({ action }, count);
      if (violations !== null) stockInvariant.set(violations);
    },
    sweepFailed() {
      sweepRuns.inc({ outcome: 'error' });
    },
    outboxDelivered(outcome) {
      if (outcome.status === 'sent' || outcome.status === 'retry' || outcome.status === 'failed') outboxDeliveries.inc({ outcome: outcome.status });
    },
    stockFeedReconnected() {
      feedReconnects.inc();
    },
    stockFeedLag(lagMs) {
      feedLag.observe(lagMs / 1000);
    },
    httpResponse(route, method, statusCode, seconds) {
      httpRequests.inc({ route, method, status: String(statusCode) });
      httpSeconds.observe({ route, method }, seconds);
    },
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * GET /metrics. With a token, only `Authorization: Bearer <token>` is answered (401 otherwise);
 * without one it is open, which the caller allows only outside production (in production no
 * token means no route at all).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: ShopMetrics, token: string | undefined): void {
  const expected = token ? digest(token) : null;
  app.get('/metrics', async (request, reply) => {
    if (expected) {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'A metrics token is required' });
      }
    }
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(body);
  });
}
