// The default security store: counters and sessions as MongoDB documents (models RateLimit and
// Session), each operation one single-document atomic update — no transactions needed.
//
// Besides one document per refresh token, each family has one document of its own in `sessions`,
// keyed `family:<id>` where a token has its hash (a SHA-256 hex digest never looks like that):
// it expires with the family's newest token and is revoked with the others, so whether a family
// is live is one read by a unique key, however many tokens it has used.
import { trusted, type Database } from '@shop/db';
import { retryOnDuplicateKey } from '../errors.ts';
import { probeChangeStream, pumpChangeStream } from '../services/feed-source.ts';
import type { CounterStore, RefreshClaim, RevocationSignal, SecurityStore, SessionStore } from './security-store.ts';

export interface MongoSecurityStore extends SecurityStore {
  readonly kind: 'mongodb';
  /**
   * Deletes counters and sessions past their expiry (the recovery sweep calls this: TTL indexes
   * are not available on every Mongo-wire server). Redis expires its keys by itself.
   */
  deleteExpired(now: Date): Promise<{ sessions: number; rateLimits: number }>;
}

function mongoCounters(db: Database): CounterStore {
  const { RateLimit } = db.models;
  return {
    async increment(key, by, expiresAt) {
      const counter = await retryOnDuplicateKey(() =>
        RateLimit.findOneAndUpdate(
          { key },
          { $inc: { count: by }, $setOnInsert: { expiresAt } },
          { upsert: true, returnDocument: 'after', projection: { count: 1 } },
        ).lean(),
      );
      return counter?.count ?? by;
    },
    async decrement(key, by) {
      await RateLimit.updateOne({ key }, { $inc: { count: -by } });
    },
    async delete(key) {
      await RateLimit.deleteOne({ key });
    },
  };
}

const familyKey = (familyId: string) => `family:${familyId}`;

// A revocation sets `revokedAt` on every document of the family (an update each, in the change
// stream). Deletes are left out: the sweep deletes only what has expired, which a cached family's
// expiry covers already; anything else is the live-session cache's sweep's to catch.
const revocationPipeline = [
  { $match: { operationType: { $in: ['update', 'replace'] } } },
  { $project: { 'fullDocument.familyId': 1, 'fullDocument.revokedAt': 1 } },
];

interface SessionChangeEvent {
  fullDocument?: { familyId?: unknown; revokedAt?: unknown } | null;
}

function mongoSessions(db: Database): SessionStore {
  const { Session } = db.models;
  const refused: RefreshClaim = { status: 'refused' };
  const findFamily = async (tokenHash: string): Promise<string | null> => {
    const session = await Session.findOne({ tokenHash }, { familyId: 1 }).lean();
    return session?.familyId ?? null;
  };
  return {
    async create({ familyId, userId, tokenHash, expiresAt }) {
      // The family's document first: by the time anyone holds the token (and could have the
      // family revoked), the document that the revocation must mark exists.
      await retryOnDuplicateKey(() =>
        Session.updateOne(
          { tokenHash: familyKey(familyId) },
          { $setOnInsert: { familyId, userId }, $max: { expiresAt } },
          { upsert: true },
        ),
      );
      await Session.create({ familyId, userId, tokenHash, expiresAt });
    },

    async claim(tokenHash, now) {
      // One conditional update: of concurrent claims only one finds the token unused.
      const claimed = await Session.findOneAndUpdate(
        { tokenHash, usedAt: trusted({ $exists: false }) },
        { $set: { usedAt: now } },
        { projection: { familyId: 1, userId: 1, expiresAt: 1, revokedAt: 1 } },
      ).lean();
      if (!claimed) {
        const familyId = await findFamily(tokenHash);
        return familyId ? { status: 'reused', familyId } : refused;
      }
      if (claimed.revokedAt || claimed.expiresAt <= now) return refused;
      // A token issued while its family was being revoked escaped the revocation's update; the
      // family's other (revoked) tokens still tell.
      const familyRevoked = await Session.exists({ familyId: claimed.familyId, revokedAt: trusted({ $exists: true }) });
      if (familyRevoked) return refused;
      return { status: 'claimed', familyId: claimed.familyId, userId: claimed.userId.toString() };
    },

    async revokeFamily(familyId) {
      await Session.updateMany({ familyId, revokedAt: trusted({ $exists: false }) }, { $set: { revokedAt: new Date() } });
    },

    async revokeUserFamilies(userId, { keep } = {}) {
      // One update over every token of the user's families (their family documents included); a
      // token issued meanwhile in one of them is refused by `claim`, which sees its revoked siblings.
      await Session.updateMany(
        { userId, revokedAt: trusted({ $exists: false }), ...(keep ? { familyId: trusted({ $ne: keep }) } : {}) },
        { $set: { revokedAt: new Date() } },
      );
    },

    findFamily,

    async isFamilyActive(familyId, now) {
      const family = await Session.findOne({ tokenHash: familyKey(familyId) }, { expiresAt: 1, revokedAt: 1 }).lean();
      return family !== null && !family.revokedAt && family.expiresAt > now;
    },

    async liveFamilies(familyIds, now) {
      const live = new Map<string, Date>();
      if (familyIds.length === 0) return live;
      // One family (a signed-in call's) by its key, as `isFamilyActive` reads it; several (a sweep's) by $in.
      const [only] = familyIds;
      const tokenHash = familyIds.length === 1 && only !== undefined ? familyKey(only) : trusted({ $in: familyIds.map(familyKey) });
      const families = await Session.find({ tokenHash }, { familyId: 1, expiresAt: 1, revokedAt: 1 }).lean();
      for (const family of families) if (!family.revokedAt && family.expiresAt > now) live.set(family.familyId, family.expiresAt);
      return live;
    },

    async watchRevocations(listener: (signal: RevocationSignal) => void) {
      const open = (resumeAfter?: unknown) =>
        Session.collection.watch<Record<string, unknown>, SessionChangeEvent>(revocationPipeline, {
          fullDocument: 'updateLookup',
          ...(resumeAfter ? { startAfter: resumeAfter } : {}),
        });
      await probeChangeStream(() => open());
      return pumpChangeStream(
        open,
        (event) => {
          const session = event.fullDocument;
          if (!session) {
            // A document gone by the lookup names no family: forget them all, the sweep after re-reads.
            listener({ kind: 'lost' });
            listener({ kind: 'resumed' });
          } else if (session.revokedAt != null && typeof session.familyId === 'string') listener({ kind: 'revoked', familyIds: [session.familyId] });
        },
        {
          // The pump reopens the stream after the last event it gave: nothing is lost unless its
          // resume point expired, which the sweep after `resumed` catches.
          onError: () => {
            listener({ kind: 'lost' });
            listener({ kind: 'resumed' });
          },
        },
      );
    },
  };
}

export function createMongoSecurityStore(db: Database): MongoSecurityStore {
  return {
    kind: 'mongodb',
    counters: mongoCounters(db),
    sessions: mongoSessions(db),
    async ping() {
      const admin = db.connection.db?.admin();
      if (!admin) throw new Error('MongoDB is not connected');
      await admin.command({ ping: 1 });
    },
    async deleteExpired(now) {
      const [sessions, rateLimits] = await Promise.all([
        db.models.Session.deleteMany({ expiresAt: trusted({ $lt: now }) }),
        db.models.RateLimit.deleteMany({ expiresAt: trusted({ $lt: now }) }),
      ]);
      return { sessions: sessions.deletedCount, rateLimits: rateLimits.deletedCount };
    },
  };
}
