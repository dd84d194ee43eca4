// Starts the embedded database used when MONGODB_URI is unset.
//
// Engines, in the order `auto` tries them:
//   mongod  a real mongod (single-node replica set) through mongodb-memory-server, when its binary
//           is cached or can be downloaded;
//   java    the offline Mongo-wire server (mongo-java-server) run by ./src/ShopMongoServer.java,
//           for machines that cannot download mongod. In memory, or H2 on disk when `dataDir` is set.
// SHOP_EMBEDDED_DB=mongod|java|auto picks one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const libDir = join(here, 'lib');
const launcher = join(here, 'src', 'ShopMongoServer.java');

/** Resolves mongo-java-server's jars from Maven Central into lib/ (once). */
export function ensureJavaServerInstalled() {
  if (existsSync(libDir) && readdirSync(libDir).some((f) => f.startsWith('mongo-java-server-core'))) return;
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) {
    throw new Error('could not fetch mongo-java-server with Maven (is `mvn` installed and Maven Central reachable?)');
  }
}

/**
 * @param {{ dataDir?: string, port?: number, host?: string, launcher?: string }} [options]
 * @returns {Promise<import('./index.d.ts').EmbeddedMongo>}
 */
export async function startJavaServer(options = {}) {
  ensureJavaServerInstalled();
  const args = ['-XX:+UseSerialGC', '-Xss512k', '-cp', `${libDir}/*`, options.launcher ?? launcher];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.host) args.push('--host', options.host);
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('--h2', join(options.dataDir, 'shop.mv.db'));
  }
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const uri = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const onExit = (code) => reject(new Error(`mongo-java-server exited with code ${code} before listening`));
    child.once('error', reject);
    child.once('exit', onExit);
    lines.on('line', (line) => {
      const match = /^listening (mongodb:\/\/\S+)$/.exec(line);
      if (!match) return;
      child.off('exit', onExit);
      resolve(match[1]);
    });
  });
  let stopped;
  return {
    engine: 'java',
    uri,
    persistent: Boolean(options.dataDir),
    pid: child.pid,
    stop() {
      stopped ??= new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      });
      return stopped;
    },
  };
}

/**
 * @param {{ dataDir?: string, timeoutMs?: number }} [options]
 * @returns {Promise<import('./index.d.ts').EmbeddedMongo>}
 */
export async function startMongod(options = {}) {
  const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const dbPath = options.dataDir ? join(options.dataDir, 'mongod') : undefined;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer;
  const replSet = await Promise.race([
    MongoMemoryReplSet.create({
      replSet: { count: 1, storageEngine: 'wiredTiger' },
      instanceOpts: dbPath ? [{ dbPath }] : undefined,
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`mongod did not start within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    engine: 'mongod',
    uri: replSet.getUri().replace(/\/[^/?]*(\?|$)/, '/$1'),
    persistent: Boolean(dbPath),
    stop: () => replSet.stop({ doCleanup: !dbPath }).then(() => undefined),
  };
}

/**
 * Starts the embedded database: `engine` (default: SHOP_EMBEDDED_DB, else `auto`).
 * @param {{ dataDir?: string, engine?: 'auto' | 'mongod' | 'java', log?: (message: string) => void, port?: number }} [options]
 * @returns {Promise<import('./index.d.ts').EmbeddedMongo>}
 */
export async function startEmbeddedMongo(options = {}) {
  const engine = options.engine ?? process.env.SHOP_EMBEDDED_DB ?? 'auto';
  const log = options.log ?? ((message) => console.error(message));
  if (!['auto', 'mongod', 'java'].includes(engine)) {
    throw new Error(`SHOP_EMBEDDED_DB must be auto, mongod or java (got "${engine}")`);
  }
  let db;
  if (engine === 'mongod' || (engine === 'auto' && mongodMayBeAvailable())) {
    try {
      db = await startMongod(options);
    } catch (error) {
      if (engine === 'mongod') throw error;
      writeFileSync(mongodUnavailableMarker, new Date().toISOString());
      log(`[db] mongod unavailable (${error instanceof Error ? error.message : String(error)}); using the offline server`);
    }
  }
  db ??= await startJavaServer(options);
  const where = db.persistent ? `on disk in ${options.dataDir}` : 'in memory';
  log(`[db] embedded ${db.engine === 'mongod' ? 'mongod (mongodb-memory-server)' : 'mongo-java-server (offline Mongo-wire server)'} ${where} at ${db.uri}`);
  return db;
}

// A failed mongod download takes seconds; remember it for a day so that every test run and
// restart on an offline machine does not pay for it again.
const mongodUnavailableMarker = join(tmpdir(), 'shop-mongod-unavailable');
const retryMongodAfterMs = 24 * 60 * 60 * 1000;

function mongodMayBeAvailable() {
  if (process.env.MONGOMS_SYSTEM_BINARY) return true;
  try {
    return Date.now() - statSync(mongodUnavailableMarker).mtimeMs > retryMongodAfterMs;
  } catch {
    return true;
  }
}

/**
 * The development database kept in `dataDir`: reuses the one a running `pnpm dev` or `pnpm db`
 * started (its address is in `dataDir/server.json`), else starts it. The on-disk store can be
 * opened by one process at a time, so everyone else connects to the running one.
 * @param {{ dataDir: string, log?: (message: string) => void, port?: number }} options
 * @returns {Promise<import('./index.d.ts').EmbeddedMongo & { reused: boolean }>}
 */
export async function openDevDatabase(options) {
  const statePath = join(options.dataDir, 'server.json');
  const running = await readRunningServer(statePath);
  if (running) {
    (options.log ?? console.error)(`[db] using the running embedded database at ${running.uri}`);
    return { ...running, persistent: true, reused: true, stop: async () => {} };
  }
  const db = await startEmbeddedMongo(options);
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(statePath, JSON.stringify({ uri: db.uri, engine: db.engine, pid: process.pid }));
  return {
    ...db,
    reused: false,
    async stop() {
      rmSync(statePath, { force: true });
      await db.stop();
    },
  };
}

async function readRunningServer(statePath) {
  let state;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch {
    return null;
  }
  try {
    process.kill(state.pid, 0);
  } catch {
    return null;
  }
  const { hostname, port } = new URL(state.uri.replace(/^mongodb:/, 'http:'));
  const reachable = await new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('close', () => resolve(false));
    socket.once('connect', () => socket.end());
    socket.setTimeout(1_000);
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  return reachable ? { uri: state.uri, engine: state.engine } : null;
}
