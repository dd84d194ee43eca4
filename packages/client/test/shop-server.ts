// The real app on a seeded test database, listening on an ephemeral port: the client and its
// examples are tested over HTTP, exactly as another service would call the API.
import { randomBytes } from 'node:crypto';
import { createEventChannel, defaultAuthSettings, defaultMailSettings, eventMessageKind, relayOwedMessages, startOutboxWorker } from '@shop/api';
import { seed } from '@shop/db/seed';
import { createTestDatabase, type TestDatabase } from '@shop/db/testing';
import { buildApp } from '@shop/server';

export interface ShopServer {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** The seeded database behind it, for arranging state the API cannot make yet. */
  db: TestDatabase;
  close(): Promise<void>;
}

/** The seeded admin's password. */
export const testAdminPassword = 'admin-password-for-tests';

/** `events`: also run the outbox worker as main.ts does for events (every 100 ms), so the event log fills. */
export async function startShopServer(label: string, options: { events?: boolean } = {}): Promise<ShopServer> {
  const db = await createTestDatabase(label);
  try {
    await seed(db, { adminPassword: testAdminPassword });
    const app = await buildApp({ db, auth: { ...defaultAuthSettings, secret: randomBytes(32) } });
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const stopOutbox = options.events
        ? startOutboxWorker(
            { db, transport: null, mail: defaultMailSettings, owner: label, channels: { [eventMessageKind]: createEventChannel({ db }) } },
            { relay: () => relayOwedMessages(db), pollIntervalMs: 100 },
          )
        : async () => {};
      return {
        url,
        db,
        async close() {
          await stopOutbox();
          await app.close();
          await db.drop();
        },
      };
    } catch (error) {
      await app.close();
      throw error;
    }
  } catch (error) {
    await db.drop();
    throw error;
  }
}
