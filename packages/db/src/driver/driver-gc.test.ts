// The MongoDB driver's garbage must die young. Unpatched, the driver kept most of every
// operation's objects (options, session, cursor, response, documents) alive past minor GCs under
// concurrent load, so V8 promoted them to the old generation and ran a full GC every few hundred
// reads to free them. patches/mongodb@7.8.0.patch fixes it; patches/README.md says how.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, disconnect } from '../connection.ts';
import { createTestDatabase, type TestDatabase } from '../testing.ts';

const fixture = fileURLToPath(new URL('./catalogue-reads.fixture.mjs', import.meta.url));
const collectionName = 'items';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('driver_gc');
  await db.connection.collection(collectionName).insertMany(
    Array.from({ length: 60 }, (_, n) => ({ n, name: `Item ${n}`, description: 'x'.repeat(200), tags: ['a', 'b', 'c'] })),
  );
});

afterAll(async () => {
  await db.drop();
});

interface GcFigures {
  operations: number;
  scavenges: number;
  promotedBytes: number;
}

/** Sums V8's `--trace-gc-nvp` lines printed between the fixture's START and END lines. */
function gcFigures(output: string): GcFigures {
  const figures: GcFigures = { operations: 0, scavenges: 0, promotedBytes: 0 };
  let measuring = false;
  for (const line of output.split('\n')) {
    const start = /^START (\d+)/.exec(line);
    if (start) {
      measuring = true;
      figures.operations = Number(start[1]);
    } else if (line.startsWith('END')) {
      measuring = false;
    } else if (measuring && / gc=s /.test(line)) {
      figures.scavenges += 1;
      figures.promotedBytes += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    }
  }
  return figures;
}

describe('MongoDB driver garbage', () => {
  it('promotes next to nothing to the old generation over 3,000 concurrent catalogue reads', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--trace-gc-nvp', fixture, db.uri, db.dbName, collectionName],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const figures = gcFigures(stdout);

    expect(figures.operations).toBe(3000);
    // Enough minor GCs that an object kept past them would have been promoted.
    expect(figures.scavenges).toBeGreaterThanOrEqual(10);
    // Unpatched: ~20 KB per read, which fills the old generation and starts a mark-compact every
    // few hundred reads. Patched: ~0.3 KB.
    expect(figures.promotedBytes / figures.operations).toBeLessThan(1024);
  });

  it('still closes the cursors and sessions in use when the connection closes (the patch keeps them in an array)', async () => {
    const other = await connect(db.uri, { dbName: db.dbName, syncIndexes: false });
    const client = other.connection.getClient();
    const cursors = [0, 1, 2].map(() => other.connection.collection(collectionName).find({}).batchSize(2));
    for (const cursor of cursors) await cursor.next();
    const sessions = [client.startSession(), client.startSession()];
    await cursors[1]?.close();

    await disconnect(other);

    expect(cursors.map((cursor) => cursor.killed)).toEqual([true, true, true]);
    expect(sessions.map((session) => session.hasEnded)).toEqual([true, true]);
  });
});
