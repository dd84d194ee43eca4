#!/usr/bin/env node
// A fulfilment service: it follows the shop's event stream for `order.placed` and marks each order
// shipped through the API. The id of the last event it handled is kept in a file, written after
// the order is handled, so a restart resumes right after it: nothing missed, nothing handled
// twice. An order found shipped already (the service died after shipping it, before saving the id)
// is recognised and skipped. Plain Node ESM: no TypeScript tooling needed.
//
// It acts with an API key (SHOP_API_KEY, made in /admin/api-keys) with the scopes `events:read` and
// `orders:write`, and nothing more: it cannot touch carts, accounts or the catalogue.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createShopClient, isShopClientError } from '@shop/client';

const url = process.env.SHOP_API_URL ?? 'http://localhost:3000';
const apiKey = process.env.SHOP_API_KEY;
const stateFile = process.env.FULFILMENT_STATE_FILE ?? 'fulfilment-state.json';
if (!apiKey) {
  console.error('Set SHOP_API_KEY to a key with the scopes events:read and orders:write (and SHOP_API_URL, default http://localhost:3000).');
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

const shop = createShopClient({ url, apiKey });

/** Ships one order; an order shipped already (or past it, or cancelled) is left as it is. */
async function ship(order) {
  try {
    await shop.admin.orders.updateStatus.mutate({ id: order.id, status: 'shipped' });
    return 'shipped';
  } catch (error) {
    if (!isShopClientError(error)) throw error;
    if (error.data?.reason === 'INVALID_STATUS_TRANSITION') return `skipped (${error.data.details.from})`;
    throw error;
  }
}

async function run() {
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
  // EVENT_ID_EXPIRED: the saved id is older than the log keeps; EVENT_ID_UNKNOWN: it is another
  // shop's; UNAUTHENTICATED: the key was revoked; MISSING_SCOPE: it lacks events:read or orders:write.
  console.error(`Shop API at ${url} refused: ${error.message} (${error.data?.reason ?? 'no answer from the server'})`);
  process.exitCode = 1;
}
