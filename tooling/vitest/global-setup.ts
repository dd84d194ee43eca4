// Starts one database for the whole test run (each test file then works in a database of its
// own), unless MONGODB_URI points at one already, e.g. a real mongod in hosted CI.
import { startEmbeddedMongo, type EmbeddedMongo } from '@shop/mongo-server';
import type { TestProject } from 'vitest/node';

let embedded: EmbeddedMongo | undefined;

export async function setup(project: TestProject): Promise<void> {
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedMongo();
    uri = embedded.uri;
  } else {
    console.error(`[db] using MONGODB_URI (${uri.replace(/\/\/[^@/]*@/, '//***@')})`);
  }
  project.provide('mongoUri', uri);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
}
