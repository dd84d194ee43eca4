// Run by driver-gc.test.ts in a Node process of its own, with --expose-gc --trace-gc-nvp (V8
// prints one line per garbage collection, with the bytes it promoted to the old generation).
// Does the reads a catalogue page makes — a sorted page of 20 lean documents and the count —
// from 10 concurrent callers, between a START and an END line.
import mongoose from 'mongoose';

const [uri, dbName, collectionName] = process.argv.slice(2);
const operations = 3000;
const callers = 10;

const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
const Item = connection.model('Item', new mongoose.Schema({ n: Number, name: String }), collectionName);
const page = () => Promise.all([Item.find({}, { name: 1, n: 1 }).sort({ n: -1 }).limit(20).lean(), Item.countDocuments({})]);

async function run(count) {
  let started = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (started < count) {
        started += 1;
        await page();
      }
    }),
  );
}

await run(500); // warm-up: compiled code, a full connection pool
globalThis.gc();
console.log(`START ${operations}`);
await run(operations);
console.log('END');
await connection.close();
