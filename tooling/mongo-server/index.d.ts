export interface EmbeddedMongo {
  /** Which server is running. */
  engine: 'mongod' | 'java';
  /** Connection string without a database name. */
  uri: string;
  /** Whether data survives a restart (a data directory was given). */
  persistent: boolean;
  /** The database server's process id, where it is a child of this process (the java engine). */
  pid?: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep data on disk here; in memory when omitted. */
  dataDir?: string;
  engine?: 'auto' | 'mongod' | 'java';
  log?: (message: string) => void;
  port?: number;
  host?: string;
  timeoutMs?: number;
  /** Another ShopMongoServer.java to run (the java engine), e.g. an older version to compare with. */
  launcher?: string;
}

export function ensureJavaServerInstalled(): void;
export function startJavaServer(options?: StartOptions): Promise<EmbeddedMongo>;
export function startMongod(options?: StartOptions): Promise<EmbeddedMongo>;
export function startEmbeddedMongo(options?: StartOptions): Promise<EmbeddedMongo>;
export function openDevDatabase(options: StartOptions & { dataDir: string }): Promise<EmbeddedMongo & { reused: boolean }>;
