// Every write asks for { w: 'majority', j: true }: an order confirmed to a shopper must be in the
// journal of a majority of the replica set, whatever default the deployment has.
import { randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connect, type Database } from './connection.ts';

let db: Database;
const started: mongo.CommandStartedEvent[] = [];

beforeAll(async () => {
  db = await connect(inject('mongoUri'), { dbName: `write_concern_${randomBytes(4).toString('hex')}`, monitorCommands: true, syncIndexes: false });
  db.connection.getClient().on('commandStarted', (event) => started.push(event));
});

afterAll(async () => {
  await db.connection.dropDatabase();
  await db.connection.close();
});

describe('connect()', () => {
  it('sends a majority, journaled write concern with every kind of write', async () => {
    const items = db.connection.collection<{ _id: number; n: number }>('items');
    await items.insertOne({ _id: 1, n: 0 });
    await items.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    await items.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } });
    await items.deleteOne({ _id: 1 });

    const writes = started.filter((event) => ['insert', 'update', 'findAndModify', 'delete'].includes(event.commandName));
    expect(writes.map((event) => event.commandName)).toEqual(['insert', 'update', 'findAndModify', 'delete']);
    for (const event of writes) expect(event.command.writeConcern).toEqual({ w: 'majority', j: true });
  });
});
