// Test helpers: every test file gets a database of its own on the server that the root vitest
// global setup started (or on MONGODB_URI), and drops it afterwards.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect, disconnect, type Database } from './connection.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

export interface TestDatabase extends Database {
  uri: string;
  dbName: string;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const uri = inject('mongoUri');
  const dbName = `${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const db = await connect(uri, { dbName });
  return {
    ...db,
    uri,
    dbName,
    async drop() {
      await db.connection.dropDatabase();
      await disconnect(db);
    },
  };
}
