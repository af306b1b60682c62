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
import { openDualReadSource, withDualRead, type DualReadSource } from './dual-read.js';
import { openRecord, type OpenRecordOptions, type RecordConfig, type RecordDb } from './open-record.js';
import { createAuditHeadsRepo, type AuditHeadsRepo } from './tables/audit-heads.js';
import { createAuditRepo, type AuditRepo } from './tables/audit.js';
import { createDraftsRepo, type DraftsRepo } from './tables/drafts.js';
import { createAddressesRepo, type AddressesRepo } from './tables/gatekeeper.js';
import { createBatchesRepo, type BatchesRepo } from './tables/gatekeeper-batches.js';
import { createLedgerRepo, type LedgerRepo } from './tables/gatekeeper-ledger.js';
import { createRampRepo, type RampRepo } from './tables/gatekeeper-ramp.js';
import { createWebhookEventsRepo, type WebhookEventsRepo } from './tables/intake.js';
import { createLeadsRepo, type LeadsRepo } from './tables/intake-leads.js';
import { createMetaRepo, type MetaRepo } from './tables/meta.js';
import { createOperatorsRepo, type OperatorsRepo } from './tables/operators.js';
import { createReleaseRepo, type ReleaseRepo } from './tables/release.js';
import { createReplayRepo, type ReplayRepo } from './tables/replay.js';
import { createScorecardRepo, type ScorecardRepo } from './tables/scorecard.js';

export type { Executor, RecordDialect, RepoContext } from './context.js';
export type { RecordDb, RecordHealth } from './open-record.js';

export interface Repos {
  meta: MetaRepo;
  audit: AuditRepo;
  auditHeads: AuditHeadsRepo;
  operators: OperatorsRepo;
  drafts: DraftsRepo;
  addresses: AddressesRepo;
  batches: BatchesRepo;
  ledger: LedgerRepo;
  ramp: RampRepo;
  webhookEvents: WebhookEventsRepo;
  leads: LeadsRepo;
  release: ReleaseRepo;
  replay: ReplayRepo;
  scorecard: ScorecardRepo;
}

export function bindRepos(exec: Executor, ctx: RepoContext): Repos {
  return {
    meta: createMetaRepo(exec, ctx),
    audit: createAuditRepo(exec, ctx),
    auditHeads: createAuditHeadsRepo(exec, ctx),
    operators: createOperatorsRepo(exec, ctx),
    drafts: createDraftsRepo(exec, ctx),
    addresses: createAddressesRepo(exec, ctx),
    batches: createBatchesRepo(exec, ctx),
    ledger: createLedgerRepo(exec, ctx),
    ramp: createRampRepo(exec, ctx),
    webhookEvents: createWebhookEventsRepo(exec, ctx),
    leads: createLeadsRepo(exec, ctx),
    release: createReleaseRepo(exec, ctx),
    replay: createReplayRepo(exec, ctx),
    scorecard: createScorecardRepo(exec, ctx),
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

export function recordStoreFor(
  db: RecordDb,
  options: { now?: () => number; fallback?: DualReadSource } = {},
): RecordStore {
  const ctx: RepoContext = { dialect: db.dialect, now: options.now ?? Date.now };
  const { fallback } = options;
  const repos = (exec: Executor) =>
    fallback ? withDualRead(bindRepos(exec, ctx), exec, db.dialect, fallback) : bindRepos(exec, ctx);
  return {
    ...repos(db.kysely),
    db,
    dialect: db.dialect,
    transaction: (fn) => db.kysely.transaction().execute((trx) => fn(repos(trx))),
    close: async () => {
      await fallback?.close();
      await db.close();
    },
  };
}

/**
 * Opens the record. With DATABASE_URL and `STATE_DUAL_READ_ENABLED: true`, when HIVE_DIR still holds
 * the embedded record this shared record was migrated from, lookups that miss fall back on it and
 * backfill (dual-read.ts).
 */
export async function createRecordStore(
  config: RecordConfig & { STATE_DUAL_READ_ENABLED?: boolean },
  options: RecordStoreOptions = {},
): Promise<RecordStore> {
  const db = await openRecord(config, options);
  const fallback =
    config.DATABASE_URL && config.STATE_DUAL_READ_ENABLED === true
      ? await openDualReadSource(config.HIVE_DIR, db.id)
      : undefined;
  return recordStoreFor(db, {
    ...(options.now ? { now: options.now } : {}),
    ...(fallback ? { fallback } : {}),
  });
}
