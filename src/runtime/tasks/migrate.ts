/**
 * `caio migrate --hive-dir D` (SPEC 5; docs/record.md "Migrating to a shared record"):
 * 1. with DATABASE_URL, copies the embedded record (D/caio.db) into the shared record, table by table
 *    (stores/record/copy-record.ts): idempotent, verified, ids kept; an empty shared record adopts the
 *    embedded record's id, two non-empty records with different ids are never merged;
 * 2. with REDIS_URL, in every case, seeds Redis's coordination state from the record: the record id
 *    registration, one-time claims of the batches the record says ran, and the embedded coordination
 *    (D/coordination.db, and the state tables an older caio kept in caio.db): context with its
 *    remaining TTL, counters, claims, lock fences, state records. Redis is written only where it lacks
 *    an entry (or holds an older version), so a rerun migrates nothing new.
 * `ok` is false when anything failed to copy or verify; `--dry-run` writes nothing.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Config } from '../config.js';
import { UserError, errorMessage } from '../errors.js';
import { copyRecord, type CopyProgress } from '../stores/record/copy-record.js';
import { createRecordStore, type RecordStore } from '../stores/record/record.js';
import {
  HOST_LOCAL_COLLECTIONS,
  RECORD_REGISTRATION_COLLECTION,
  registerRecordId,
  registeredRecordId,
} from '../stores/redis/record-registration.js';
import {
  createRedisStateStore,
  type RedisStateStore,
  type RedisStateStoreOptions,
} from '../stores/redis/redis-state-store.js';
import { isRedisUnavailable } from '../stores/redis/redis-client.js';
import {
  coordinationPath,
  databasePath,
  openDatabase,
  type SqliteDatabase,
} from '../stores/sqlite/database.js';
import { createSqliteStateStore, type SqliteStateStore } from '../stores/sqlite/sqlite-state-store.js';
import type { RestoreOutcome } from '../stores/state-dump.js';
import { CLAIM_NAMESPACE as BATCH_CLAIMS } from '../services/gatekeeper.js';

export interface RedisTally {
  /** The record id registration (1 or 0). */
  record_id: number;
  /** State records per collection (embedded coordination). */
  records: Record<string, number>;
  contexts: number;
  counters: number;
  /** One-time claims: the embedded ones and those of the batches the record says ran. */
  claims: number;
  fences: number;
}

export interface MigrateError {
  kind: string;
  key: string;
  message: string;
}

export interface MigrateTally {
  /** Rows per record table (empty without DATABASE_URL). */
  record: Record<string, number>;
  /** Coordination entries seeded in Redis (zeros without REDIS_URL). */
  redis: RedisTally;
}

export interface MigrateSummary {
  ok: boolean;
  dry_run: boolean;
  /** The embedded record (D/caio.db). */
  source: string;
  /** The shared record (`postgres://host:port/db`, no secrets), or null without DATABASE_URL. */
  target: string | null;
  /** The record's id after the migration (what Redis registers). */
  record_id: string | null;
  /** The shared record was empty and took the embedded record's id. */
  adopted_record_id: boolean;
  migrated: MigrateTally;
  skipped: MigrateTally;
  /** Embedded rows found in the shared record after the copy, per table (empty on a dry run). */
  verified: Record<string, number>;
  /** Rows the shared record already had with other values (changed there since; kept as they are). */
  diverged: Record<string, number>;
  /** Derived tables rebuilt on the shared record (draft tallies). */
  rebuilt: string[];
  /** What was not done and why (no DATABASE_URL, no REDIS_URL). */
  notes: string[];
  errors: MigrateError[];
}

export type MigrateProgress =
  ({ phase: 'record' } & CopyProgress) | { phase: 'redis'; step: string; done: number; total: number };

export interface MigrateOptions {
  config: Config;
  hiveDir: string;
  dryRun: boolean;
  redis?: RedisStateStoreOptions;
  onProgress?: (progress: MigrateProgress) => void;
  /** Rows per batch of the record copy (default 500). */
  batchSize?: number;
}

const emptyRedis = (): RedisTally => ({
  record_id: 0,
  records: {},
  contexts: 0,
  counters: 0,
  claims: 0,
  fences: 0,
});
const emptyTally = (): MigrateTally => ({ record: {}, redis: emptyRedis() });

/** Entries a dry run says are still to copy (the release ritual's migration check wants 0). */
export function pendingCount(summary: MigrateSummary): number {
  const { record, redis } = summary.migrated;
  return (
    Object.values(record).reduce((sum, n) => sum + n, 0) +
    Object.values(redis.records).reduce((sum, n) => sum + n, 0) +
    redis.record_id +
    redis.contexts +
    redis.counters +
    redis.claims +
    redis.fences
  );
}

/** Does this SQLite file hold a record (record_meta), without writing to it? */
function holdsRecord(path: string): boolean {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return true; // Unreadable read-only (a WAL file without its -shm): let the record layer open it.
  }
  try {
    db.pragma('busy_timeout = 5000');
    return (
      db.prepare("select 1 from sqlite_master where type = 'table' and name = 'record_meta'").get() !==
      undefined
    );
  } finally {
    db.close();
  }
}

function hasStateTables(db: SqliteDatabase): boolean {
  return (
    db.prepare("select 1 from sqlite_master where type = 'table' and name = 'state_records'").get() !==
    undefined
  );
}

export async function runMigrate(options: MigrateOptions): Promise<MigrateSummary> {
  const { config, dryRun } = options;
  const source = databasePath(options.hiveDir);
  if (!existsSync(source)) {
    throw new UserError(`No embedded database at ${source}`, {
      nextStep: 'Point --hive-dir at the folder that holds caio.db (HIVE_DIR of the runtime that wrote it).',
      code: 'hive_dir_missing',
    });
  }
  if (!config.DATABASE_URL && !config.REDIS_URL) {
    throw new UserError('Neither DATABASE_URL nor REDIS_URL is set: there is nothing to migrate into', {
      nextStep:
        'Set DATABASE_URL (the shared record) and/or REDIS_URL (coordination) in the env file (or pass --env-file), then migrate again.',
      code: 'migrate_target_missing',
    });
  }

  const summary: MigrateSummary = {
    ok: false,
    dry_run: dryRun,
    source,
    target: null,
    record_id: null,
    adopted_record_id: false,
    migrated: emptyTally(),
    skipped: emptyTally(),
    verified: {},
    diverged: {},
    rebuilt: [],
    notes: [],
    errors: [],
  };
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    // A dry run never writes, so a caio.db that is not (yet) a record is not upgraded into one.
    const embedded: RecordStore | undefined =
      dryRun && !holdsRecord(source) ? undefined : await createRecordStore({ HIVE_DIR: options.hiveDir });
    if (embedded) cleanups.push(() => embedded.close());
    else summary.notes.push(`${source} holds no record yet: nothing to copy from it`);

    let seedFrom: RecordStore | undefined = embedded;
    let recordId: string | undefined = embedded?.db.id;
    let refused = false;
    if (config.DATABASE_URL) {
      // An unreachable DATABASE_URL is a configuration error (exit 2) naming the variable.
      const shared = await createRecordStore({
        HIVE_DIR: options.hiveDir,
        DATABASE_URL: config.DATABASE_URL,
      });
      cleanups.push(() => shared.close());
      summary.target = shared.db.location;
      seedFrom = shared;
      recordId = shared.db.id;
      if (embedded) {
        const copy = await copyRecord({
          source: embedded,
          target: shared,
          dryRun,
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
          ...(options.onProgress
            ? { onProgress: (progress) => options.onProgress?.({ phase: 'record', ...progress }) }
            : {}),
        });
        recordId = copy.recordId;
        summary.adopted_record_id = copy.adoptedId;
        summary.rebuilt = copy.rebuilt;
        summary.errors.push(...copy.errors);
        refused = copy.errors.some((error) => error.kind === 'records_differ');
        for (const [table, tally] of Object.entries(copy.tables)) {
          summary.migrated.record[table] = tally.migrated;
          summary.skipped.record[table] = tally.skipped;
          if (!dryRun) summary.verified[table] = tally.verified;
          if (tally.diverged > 0) summary.diverged[table] = tally.diverged;
        }
      }
    } else {
      summary.notes.push(
        'DATABASE_URL is not set: the record stays embedded (one host); only Redis is seeded',
      );
    }
    summary.record_id = recordId ?? null;

    if (!config.REDIS_URL) {
      summary.notes.push('REDIS_URL is not set: no coordination state to seed');
    } else if (refused) {
      summary.notes.push('Redis was not seeded: the record copy was refused');
    } else {
      const redis = createRedisStateStore({ ...config, REDIS_URL: config.REDIS_URL }, options.redis);
      cleanups.push(() => redis.close());
      try {
        await redis.connect();
        await seedRedis({ ...options, summary, redis, seedFrom, recordId, embedded });
      } catch (error) {
        summary.errors.push({
          kind: isRedisUnavailable(error) ? 'redis' : 'migrate',
          key: '',
          message: errorMessage(error),
        });
      }
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
  summary.ok = summary.errors.length === 0;
  return summary;
}

interface SeedContext extends Omit<MigrateOptions, 'redis'> {
  summary: MigrateSummary;
  redis: RedisStateStore;
  seedFrom: RecordStore | undefined;
  recordId: string | undefined;
  embedded: RecordStore | undefined;
}

async function seedRedis(ctx: SeedContext): Promise<void> {
  const { summary, redis, dryRun, config } = ctx;
  const fail = (kind: string, key: string, message: string) => summary.errors.push({ kind, key, message });
  const progress = (step: string, done: number, total: number) =>
    ctx.onProgress?.({ phase: 'redis', step, done, total });

  // 1. The record id registration (the entry the hosts service checks at start).
  if (ctx.recordId) {
    const key = RECORD_REGISTRATION_COLLECTION;
    const registered = await registeredRecordId(redis);
    if (registered !== undefined && registered !== ctx.recordId) {
      fail(
        'records_not_shared',
        key,
        `Redis registers record ${registered}, this record is ${ctx.recordId}: the processes on this Redis use another record (check DATABASE_URL)`,
      );
    } else if (registered === ctx.recordId) {
      summary.skipped.redis.record_id = 1;
    } else if (dryRun) {
      summary.migrated.redis.record_id = 1;
    } else {
      const outcome = await registerRecordId(redis, ctx.recordId, 'caio migrate');
      if (outcome.outcome === 'different')
        fail(
          'records_not_shared',
          key,
          `Redis registers record ${outcome.registered}, this record is ${ctx.recordId}`,
        );
      else summary.migrated.redis.record_id = 1;
    }
    progress('record id', 1, 1);
  }

  // 2. The embedded coordination (first, so its claims keep their owners): coordination.db, and state tables an older caio kept in caio.db.
  const sources: { name: string; store: SqliteStateStore }[] = [];
  const coordination = coordinationPath(ctx.hiveDir);
  let coordinationDb: SqliteDatabase | undefined;
  try {
    if (existsSync(coordination)) {
      coordinationDb = openDatabase(coordination);
      sources.push({ name: 'coordination.db', store: createSqliteStateStore(coordinationDb, config) });
    }
    const legacy = ctx.embedded?.db.sqlite;
    if (legacy && hasStateTables(legacy))
      sources.push({ name: 'caio.db', store: createSqliteStateStore(legacy, config) });
    for (const { name, store } of sources) {
      await copyCoordination(store, redis, summary, dryRun, (done, total) => progress(name, done, total));
      if (!dryRun) await verifyCoordination(store, redis, summary);
    }
  } finally {
    coordinationDb?.close();
  }

  // 3. Claims of the batches the record says ran: a batch executes at most once, on any host.
  if (ctx.seedFrom) {
    const runs = await ctx.seedFrom.db.kysely
      .selectFrom('batch_runs')
      .select(['batch_id', 'executed_by'])
      .execute();
    let done = 0;
    for (const run of runs) {
      const claim = { namespace: BATCH_CLAIMS, token: run.batch_id, owner: `${run.executed_by} (record)` };
      const outcome = dryRun
        ? (await redis.hasClaim(claim.namespace, claim.token))
          ? 'exists'
          : 'created'
        : await redis.restoreClaim(claim);
      if (outcome === 'created') summary.migrated.redis.claims++;
      else summary.skipped.redis.claims++;
      if (!dryRun && !(await redis.hasClaim(claim.namespace, claim.token)))
        fail('claims', `${claim.namespace}/${claim.token}`, 'missing in Redis after seeding');
      progress('batch claims', ++done, runs.length);
    }
  }
}

async function copyCoordination(
  embedded: SqliteStateStore,
  redis: RedisStateStore,
  summary: MigrateSummary,
  dryRun: boolean,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const migrated = summary.migrated.redis;
  const skipped = summary.skipped.redis;
  type Kind = 'contexts' | 'counters' | 'claims' | 'fences';
  const count = (kind: Kind, outcome: RestoreOutcome) => {
    if (outcome === 'created') migrated[kind]++;
    else skipped[kind]++;
  };
  const absentWhen = (present: boolean): RestoreOutcome => (present ? 'exists' : 'created');
  const collections = sharedCollections(embedded);
  const contexts = embedded.dumpContexts();
  const counters = embedded.dumpCounters();
  const claims = embedded.dumpClaims();
  const fences = embedded.dumpFences();
  const total = collections.length + contexts.length + counters.length + claims.length + fences.length;
  let done = 0;
  const step = () => progress(++done, total);

  for (const collection of collections) {
    migrated.records[collection] ??= 0;
    skipped.records[collection] ??= 0;
    for (const record of embedded.dumpRecords(collection)) {
      const outcome = dryRun
        ? absentWhen(((await redis.getRecord(collection, record.id))?.version ?? 0) >= record.version)
        : await redis.restoreRecord(record);
      if (outcome === 'created') migrated.records[collection] = (migrated.records[collection] ?? 0) + 1;
      else skipped.records[collection] = (skipped.records[collection] ?? 0) + 1;
    }
    step();
  }
  for (const context of contexts) {
    count(
      'contexts',
      dryRun ? absentWhen(await redis.hasContext(context.key)) : await redis.restoreContext(context),
    );
    step();
  }
  for (const counter of counters) {
    count(
      'counters',
      dryRun ? absentWhen(await redis.hasCounter(counter.key)) : await redis.restoreCounter(counter),
    );
    step();
  }
  for (const claim of claims) {
    count(
      'claims',
      dryRun
        ? absentWhen(await redis.hasClaim(claim.namespace, claim.token))
        : await redis.restoreClaim(claim),
    );
    step();
  }
  for (const fence of fences) {
    count(
      'fences',
      dryRun
        ? absentWhen((await redis.getFence(fence.name)) >= fence.fence)
        : await redis.restoreFence(fence),
    );
    step();
  }
}

/** Every embedded entry is in Redis after the copy (a version, fence or claim owner at least as new). */
async function verifyCoordination(
  embedded: SqliteStateStore,
  redis: RedisStateStore,
  summary: MigrateSummary,
): Promise<void> {
  const fail = (kind: string, key: string, message: string) => summary.errors.push({ kind, key, message });
  for (const collection of sharedCollections(embedded)) {
    const records = embedded.dumpRecords(collection);
    const inRedis = await redis.getRecords(
      collection,
      records.map((r) => r.id),
    );
    for (const record of records) {
      const found = inRedis.get(record.id);
      if (!found) fail('records', `${collection}/${record.id}`, 'missing in Redis after the copy');
      else if (found.version < record.version)
        fail(
          'records',
          `${collection}/${record.id}`,
          `Redis has version ${found.version} < ${record.version}`,
        );
    }
  }
  for (const claim of embedded.dumpClaims()) {
    const owner = await redis.claimOwner(claim.namespace, claim.token);
    if (owner === undefined)
      fail('claims', `${claim.namespace}/${claim.token}`, 'missing in Redis after the copy');
    else if (owner !== claim.owner && !owner.endsWith(' (record)'))
      fail(
        'claims',
        `${claim.namespace}/${claim.token}`,
        `claimed by "${owner}" in Redis, "${claim.owner}" here`,
      );
  }
  for (const counter of embedded.dumpCounters()) {
    // A counter with a TTL may legitimately expire between the copy and this check.
    if (!(await redis.hasCounter(counter.key)) && (counter.ttlMs === undefined || counter.ttlMs > 60_000))
      fail('counters', counter.key, 'missing in Redis');
  }
  for (const context of embedded.dumpContexts()) {
    if (!(await redis.hasContext(context.key)) && context.ttlMs > 60_000)
      fail('contexts', context.key, 'missing in Redis');
  }
  for (const fence of embedded.dumpFences()) {
    const inRedis = await redis.getFence(fence.name);
    if (inRedis < fence.fence) fail('fences', fence.name, `Redis fence ${inRedis} < ${fence.fence}`);
  }
}

/** The embedded collections to copy: not this machine's heartbeats and record registration. */
function sharedCollections(embedded: SqliteStateStore): string[] {
  return embedded.dumpCollections().filter((collection) => !HOST_LOCAL_COLLECTIONS.includes(collection));
}
