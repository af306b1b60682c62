/**
 * Kysely over better-sqlite3 for the embedded record. Three changes from Kysely's own SQLite driver:
 * transactions start with `BEGIN IMMEDIATE` (a deferred transaction that reads, then writes, fails with
 * SQLITE_BUSY instead of waiting when another process holds the write lock), prepared statements are
 * cached, and a transaction's COMMIT is made durable without blocking the event loop.
 *
 * That last one: the connection runs WAL with synchronous=FULL, where every COMMIT fsyncs the WAL
 * inside better-sqlite3's synchronous call, so the whole process (HTTP parsing included) stops for
 * the length of an fsync per transaction. A Kysely transaction instead commits with synchronous=NORMAL
 * (SQLite writes the WAL frames, skips the fsync) and its promise resolves only after an fdatasync of
 * the WAL file, run on libuv's thread pool: the same guarantee as FULL (the COMMIT is on disk before
 * the caller hears of it; a power cut before that loses only an unacknowledged transaction, and WAL
 * stays consistent either way), while the event loop keeps serving requests. The setting goes back to
 * FULL right after the COMMIT, so statements outside a Kysely transaction (autocommit, and the legacy
 * synchronous users of the same connection) keep fsyncing in place as before.
 * Kysely serialises every query of this process on the one connection, so an open transaction is
 * never interleaved with another query of the same process.
 */
import type Database from 'better-sqlite3';
import { close, fdatasync, open } from 'node:fs';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

const STATEMENT_CACHE_SIZE = 200;

class SqliteRecordConnection implements DatabaseConnection {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement) return statement;
    statement = this.#db.prepare(sql);
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(...parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used by the record');
  }
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();

  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }
}

/** fdatasync `path` off the event loop (libuv's thread pool). */
export function syncFile(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (openError, fd) => {
      if (openError) return reject(openError);
      fdatasync(fd, (syncError) => {
        close(fd, () => (syncError ? reject(syncError) : resolve()));
      });
    });
  });
}

export interface SqliteRecordDialectOptions {
  /** How the WAL is made durable after a COMMIT (default `syncFile`; tests observe it). */
  syncWal?: (walPath: string) => Promise<void>;
  /**
   * After this many transactions, WAL checkpoints move to a worker thread (sqlite-checkpointer.ts):
   * a busy process (server, import) gets it, a one-shot command never pays for the thread. Default
   * 100; 0 never.
   */
  checkpointerAfter?: number;
}

const FULL = CompiledQuery.raw('pragma synchronous = FULL');
const NORMAL = CompiledQuery.raw('pragma synchronous = NORMAL');

class SqliteRecordDriver implements Driver {
  readonly #db: Database.Database;
  readonly #connection: SqliteRecordConnection;
  readonly #mutex = new Mutex();
  readonly #syncWal: (walPath: string) => Promise<void>;
  readonly #checkpointerAfter: number;
  #commits = 0;
  #checkpointer: Checkpointer | undefined;
  #release: (() => void) | undefined;

  constructor(db: Database.Database, options: SqliteRecordDialectOptions) {
    this.#db = db;
    this.#connection = new SqliteRecordConnection(db);
    this.#syncWal = options.syncWal ?? syncFile;
    this.#checkpointerAfter = options.checkpointerAfter ?? 100;
  }

  /** WAL mode on a file: the COMMIT's fsync can leave the event loop. Else FULL stays in place. */
  #deferSync(): boolean {
    return !this.#db.memory && String(this.#db.pragma('journal_mode', { simple: true })) === 'wal';
  }

  #deferring: boolean | undefined;

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.#deferring ??= this.#deferSync();
    if (this.#deferring) await connection.executeQuery(NORMAL);
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (error) {
      if (this.#deferring) await connection.executeQuery(FULL);
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#deferring) {
      await connection.executeQuery(CompiledQuery.raw('commit'));
      return;
    }
    try {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      // A failed COMMIT leaves the transaction open; Kysely rolls it back (rollbackTransaction).
      if (!this.#db.inTransaction) await connection.executeQuery(FULL);
    }
    // The connection stays held until the WAL is on disk: nothing else of this process sees the
    // store move on before this transaction is durable.
    await this.#syncWal(`${this.#db.name}-wal`);
    this.#commits += 1;
    if (this.#commits === this.#checkpointerAfter) this.#checkpointer = startCheckpointer(this.#db);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A closed connection rolled its open transaction back when it closed: nothing left to undo.
    if (!this.#db.open) return;
    try {
      // Kysely also calls this when the COMMIT went through but the WAL sync failed: nothing to undo
      // then, and the caller hears the sync's error (the transaction was not acknowledged).
      if (this.#db.inTransaction || !this.#deferring)
        await connection.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      if (this.#deferring && !this.#db.inTransaction) await connection.executeQuery(FULL);
    }
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    // The worker's connection closes first: the last one to close checkpoints and removes the WAL.
    await this.#checkpointer?.stop();
    this.#checkpointer = undefined;
    if (this.#db.open) this.#db.close();
  }
}

export class SqliteRecordDialect implements Dialect {
  readonly #db: Database.Database;
  readonly #options: SqliteRecordDialectOptions;

  constructor(db: Database.Database, options: SqliteRecordDialectOptions = {}) {
    this.#db = db;
    this.#options = options;
  }

  createDriver(): Driver {
    return new SqliteRecordDriver(this.#db, this.#options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
