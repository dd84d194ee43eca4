// Starts one database and one Redis for the whole test run (each test file then works in a
// database of its own, and under a Redis key prefix of its own), unless MONGODB_URI / REDIS_URL
// point at servers already, e.g. real ones in hosted CI; and one Stripe-compatible server
// (localstripe), always, which the payment tests share (each payment is keyed by its own order).
import { startEmbeddedMongo, type EmbeddedMongo } from '@shop/mongo-server';
import type { TestProject } from 'vitest/node';
import { startTestRedisServer, type TestRedisServer } from './redis-server.ts';
import { startTestStripeServer, type TestStripeServer } from './stripe-server.ts';

let embedded: EmbeddedMongo | undefined;
let redis: TestRedisServer | undefined;
let stripe: TestStripeServer | undefined;

const redact = (uri: string) => uri.replace(/\/\/[^@/]*@/, '//***@');

export async function setup(project: TestProject): Promise<void> {
  // Redis first: it starts in milliseconds, and fails at once where redis-server is missing.
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    redis = await startTestRedisServer();
    redisUrl = redis.url;
    console.error(`[redis] started redis-server at ${redisUrl}`);
  } else {
    console.error(`[redis] using REDIS_URL (${redact(redisUrl)})`);
  }
  project.provide('redisUrl', redisUrl);

  try {
    stripe = await startTestStripeServer();
  } catch (error) {
    await redis?.stop();
    throw error;
  }
  console.error(`[stripe] started localstripe at ${stripe.url}`);
  project.provide('stripeApiBase', stripe.url);

  let uri = process.env.MONGODB_URI;
  if (!uri) {
    try {
      embedded = await startEmbeddedMongo();
    } catch (error) {
      await Promise.all([redis?.stop(), stripe?.stop()]);
      throw error;
    }
    uri = embedded.uri;
  } else {
    console.error(`[db] using MONGODB_URI (${redact(uri)})`);
  }
  project.provide('mongoUri', uri);
}

export async function teardown(): Promise<void> {
  await Promise.all([embedded?.stop(), redis?.stop(), stripe?.stop()]);
}
