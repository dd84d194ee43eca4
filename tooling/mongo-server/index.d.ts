export interface EmbeddedMongo {
  /** Which server is running. */
  engine: 'mongod' | 'java';
  /** Connection string without a database name. */
  uri: string;
  /** Whether data survives a restart (a data directory was given). */
  persistent: boolean;
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
}

export function ensureJavaServerInstalled(): void;
export function startJavaServer(options?: StartOptions): Promise<EmbeddedMongo>;
export function startMongod(options?: StartOptions): Promise<EmbeddedMongo>;
export function startEmbeddedMongo(options?: StartOptions): Promise<EmbeddedMongo>;
export function openDevDatabase(options: StartOptions & { dataDir: string }): Promise<EmbeddedMongo & { reused: boolean }>;
