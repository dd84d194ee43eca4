import type { Database } from '@shop/db';
import { tracked, type TrackedEnvelope } from '@trpc/server';
import { z } from 'zod';
import { handledIteration } from '../handled-iteration.ts';
import { eventTypeSchema, shopEventSchema, type EventType, type ShopEvent } from '../schemas/events.ts';
import type { EventFeed } from '../services/event-feed.ts';
import { checkReadPosition, eventPosition, listEvents, maxEventPage, readEventLogHead, readEventsBetween } from '../services/event-log.ts';
import { createTRPCRouter, staffProcedure } from '../trpc.ts';

/** An event id as a caller sends it: the log's place of an event, `"0"` for before the first. */
const eventIdInput = z.string().regex(/^(0|[1-9][0-9]{0,14})$/, 'An event id: the decimal number of an event ("0": before the first)');
const typesInput = z.array(eventTypeSchema).min(1).max(20).optional();

export const eventStreamInput = z.strictObject({
  /** Only these types (every type when left out); ids still count every event, so a resume skips the others too. */
  types: typesInput,
  /**
   * Resume after this event (tRPC's `httpSubscriptionLink` sends the last one it saw when it
   * reconnects, from `tracked()`; a browser's EventSource sends `Last-Event-ID`). Left out: from now on.
   */
  lastEventId: eventIdInput.nullish(),
});

export const eventListInput = z.strictObject({
  /** After this event (left out: from the oldest kept). */
  after: eventIdInput.optional(),
  types: typesInput,
  limit: z.int().min(1).max(maxEventPage).default(100),
});

/** How many events a stream reads from the log at a time while it catches up. */
const streamPage = 200;

export const eventsRouter = createTRPCRouter({
  /**
   * The shop's business events over Server-Sent Events, each `tracked()` by its id: from after
   * `lastEventId` (the log first, then live), or from now on. A consumer that reconnects with the
   * last id it saw misses nothing and sees nothing twice. An id the log does not have is refused
   * before anything is sent: beyond the newest (`EVENT_ID_UNKNOWN`) or older than it keeps
   * (`EVENT_ID_EXPIRED`).
   */
  stream: staffProcedure('events:read').input(eventStreamInput).subscription(async ({ ctx, input, signal }) => {
    if (!ctx.eventFeed) throw new Error('events.stream: this app was built without an event feed');
    const head = await readEventLogHead(ctx.db);
    const after = input.lastEventId ? eventPosition(input.lastEventId) : head.seq;
    if (input.lastEventId) checkReadPosition(after, head, input.lastEventId);
    return handledIteration(eventStream(ctx.db, ctx.eventFeed, { after, head: head.seq, types: input.types }, signal));
  }),
  /** A page of the log, oldest first: `next` is the `after` of the next page (the head once it is all read). */
  list: staffProcedure('events:read')
    .input(eventListInput)
    .output(z.object({ events: z.array(shopEventSchema), next: z.string() }))
    .query(({ ctx, input }) => listEvents(ctx.db, input)),
});

/** The events of one stream, after `after`; ends with an AbortError when it is stopped or the feed closes. */
async function* eventStream(
  db: Database,
  feed: EventFeed,
  from: { after: number; head: number; types: readonly EventType[] | undefined },
  signal: AbortSignal | undefined,
): AsyncGenerator<TrackedEnvelope<ShopEvent>, void, undefined> {
  let cursor = from.after;
  let head = from.head;
  for (;;) {
    if (head <= cursor) head = await feed.waitPast(cursor, signal);
    const events = await readEventsBetween(db, cursor, head, from.types, streamPage);
    for (const event of events) yield tracked(event.id, event);
    // A page short of full read everything up to the head (the other types too).
    cursor = events.length === streamPage ? Number(events.at(-1)?.id ?? head) : head;
  }
}


