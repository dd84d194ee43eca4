#!/usr/bin/env node
// A fulfilment service: it follows the shop's event stream for `order.placed` and marks each order
// shipped through the API. The id of the last event it handled is kept in a file, written after
// the order is handled, so a restart resumes right after it: nothing missed, nothing handled
// twice. An order found shipped already (the service died after shipping it, before saving the id)
// is recognised and skipped. Plain Node ESM: no TypeScript tooling needed.
//
// Until API keys land it signs in as an admin (SHOP_ADMIN_EMAIL / SHOP_ADMIN_PASSWORD).
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createShopClient, isShopClientError } from '@shop/client';

const url = process.env.SHOP_API_URL ?? 'http://localhost:3000';
const email = process.env.SHOP_ADMIN_EMAIL;
const password = process.env.SHOP_ADMIN_PASSWORD;
const stateFile = process.env.FULFILMENT_STATE_FILE ?? 'fulfilment-state.json';
if (!email || !password) {
  console.error('Set SHOP_ADMIN_EMAIL and SHOP_ADMIN_PASSWORD (and SHOP_API_URL, default http://localhost:3000).');
  process.exit(2);
}

/** The last event handled, or "0" (before the first) on a first start: every order placed is shipped. */
async function readLastEventId() {
  try {
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    if (typeof state.lastEventId === 'string') return state.lastEventId;
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  return '0';
}

/** Written to a temporary file and renamed over the state file, so a crash leaves the old or the new one whole. */
async function saveLastEventId(lastEventId) {
  await writeFile(`${stateFile}.tmp`, JSON.stringify({ lastEventId }));
  await rename(`${stateFile}.tmp`, stateFile);
}

let token;
const shop = createShopClient({ url, token: () => token });
async function signIn() {
  token = (await shop.auth.login.mutate({ email, password })).token;
}

/** Ships one order; an order shipped already (or past it, or cancelled) is left as it is. */
async function ship(order) {
  try {
    await shop.admin.orders.updateStatus.mutate({ id: order.id, status: 'shipped' });
    return 'shipped';
  } catch (error) {
    if (!isShopClientError(error)) throw error;
    if (error.data?.reason === 'UNAUTHENTICATED') {
      // The access token ran out: sign in again and try once more.
      await signIn();
      return ship(order);
    }
    if (error.data?.reason === 'INVALID_STATUS_TRANSITION') return `skipped (${error.data.details.from})`;
    throw error;
  }
}

async function run() {
  await signIn();
  let lastEventId = await readLastEventId();
  // Events are handled one at a time, in order: the saved id never runs ahead of what was done.
  let handling = Promise.resolve();
  await new Promise((resolve, reject) => {
    const subscription = shop.events.stream.subscribe(
      { types: ['order.placed'], lastEventId },
      {
        onStarted() {
          console.log(`listening for order.placed after event ${lastEventId}`);
        },
        onData({ id, data: event }) {
          handling = handling
            .then(async () => {
              if (event.type !== 'order.placed') return;
              const outcome = await ship(event.data.order);
              await saveLastEventId(id);
              lastEventId = id;
              console.log(`${outcome} ${event.data.order.id} ${event.data.order.number ?? ''} (event ${id})`);
            })
            .catch((error) => {
              subscription.unsubscribe();
              reject(error);
            });
        },
        onError(error) {
          reject(error);
        },
      },
    );
    const stop = () => {
      subscription.unsubscribe();
      void handling.then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

try {
  await run();
} catch (error) {
  if (!isShopClientError(error)) throw error;
  // EVENT_ID_EXPIRED: the saved id is older than the log keeps; EVENT_ID_UNKNOWN: it is another shop's.
  console.error(`Shop API at ${url} refused: ${error.message} (${error.data?.reason ?? 'no answer from the server'})`);
  process.exitCode = 1;
}
