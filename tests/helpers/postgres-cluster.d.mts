/** Types of postgres-cluster.mjs (a private PostgreSQL server for tests and benchmarks). */
export const POSTGRES_AVAILABLE: boolean;

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (the maintenance database). */
  url: string;
  port: number;
  urlFor(database: string): string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): clients are disconnected. */
  stop(): Promise<void>;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Keep fsync and synchronous_commit on (benchmarks); tests run with fsync off. */
  durable?: boolean;
  /** max_connections (default 300). */
  maxConnections?: number;
}

export function startPostgres(options?: StartPostgresOptions): Promise<TestPostgres>;
