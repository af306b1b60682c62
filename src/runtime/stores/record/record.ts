/**
 * The record (SPEC 5): every durable fact, behind one set of repositories that work the same on
 * SQLite and PostgreSQL. Services get a `RecordStore`; a change and its audit row commit together:
 *
 *   await record.transaction(async (tx) => {
 *     await tx.drafts.update(...);
 *     await tx.audit.append({ actor, action, subject });
 *   });
 *
 * Each table family adds its repository to `Repos` and one line to `bindRepos`.
 */
import type { Executor, RecordDialect, RepoContext } from './context.js';
import { openRecord, type OpenRecordOptions, type RecordConfig, type RecordDb } from './open-record.js';
import { createAuditRepo, type AuditRepo } from './tables/audit.js';
import { createMetaRepo, type MetaRepo } from './tables/meta.js';
import { createOperatorsRepo, type OperatorsRepo } from './tables/operators.js';

export type { Executor, RecordDialect, RepoContext } from './context.js';
export type { RecordDb, RecordHealth } from './open-record.js';

export interface Repos {
  meta: MetaRepo;
  audit: AuditRepo;
  operators: OperatorsRepo;
}

export function bindRepos(exec: Executor, ctx: RepoContext): Repos {
  return {
    meta: createMetaRepo(exec, ctx),
    audit: createAuditRepo(exec, ctx),
    operators: createOperatorsRepo(exec, ctx),
  };
}

export interface RecordStore extends Repos {
  readonly db: RecordDb;
  readonly dialect: RecordDialect;
  /** One write transaction (SQLite BEGIN IMMEDIATE); the repositories given to `fn` run inside it. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface RecordStoreOptions extends OpenRecordOptions {
  now?: () => number;
}

export function recordStoreFor(db: RecordDb, options: { now?: () => number } = {}): RecordStore {
  const ctx: RepoContext = { dialect: db.dialect, now: options.now ?? Date.now };
  return {
    ...bindRepos(db.kysely, ctx),
    db,
    dialect: db.dialect,
    transaction: (fn) => db.kysely.transaction().execute((trx) => fn(bindRepos(trx, ctx))),
    close: () => db.close(),
  };
}

export async function createRecordStore(
  config: RecordConfig,
  options: RecordStoreOptions = {},
): Promise<RecordStore> {
  const db = await openRecord(config, options);
  return recordStoreFor(db, options.now ? { now: options.now } : {});
}
