/**
 * `caio migrate`: copy the embedded state (HIVE_DIR/caio.db) into Redis (SPEC 5).
 * - Idempotent: an entry Redis already holds is skipped (a record is copied only when Redis lacks it
 *   or holds an older version), so a rerun migrates nothing new and never overwrites newer data.
 * - Verified: after the copy every embedded record, claim, counter and fence is looked up in Redis;
 *   anything missing or conflicting is an error and makes `ok` false.
 * - Dry run: reports what would be copied and writes nothing.
 * Rate-limit windows are not copied (transient by nature); contexts keep their remaining TTL.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { UserError, errorMessage } from '../errors.js';
import {
  createRedisStateStore,
  type RedisStateStore,
  type RedisStateStoreOptions,
} from '../stores/redis/redis-state-store.js';
import { isRedisUnavailable } from '../stores/redis/redis-client.js';
import { databasePath, openDatabase } from '../stores/sqlite/database.js';
import { createSqliteStateStore, type SqliteStateStore } from '../stores/sqlite/sqlite-state-store.js';
import type { RestoreOutcome } from '../stores/state-dump.js';
import { HOST_LOCAL_COLLECTIONS } from './hosts.js';

export type Kind = 'contexts' | 'counters' | 'claims' | 'fences';

export interface Tally {
  /** Per collection. */
  records: Record<string, number>;
  contexts: number;
  counters: number;
  claims: number;
  fences: number;
}

export interface MigrateError {
  kind: string;
  key: string;
  message: string;
}

export interface MigrateSummary {
  ok: boolean;
  dry_run: boolean;
  source: string;
  migrated: Tally;
  skipped: Tally;
  /** Entries checked in Redis after the copy (null on a dry run). */
  verified: Tally | null;
  errors: MigrateError[];
}

export interface MigrateOptions {
  config: Config;
  hiveDir: string;
  dryRun: boolean;
  redis?: RedisStateStoreOptions;
}

const emptyTally = (): Tally => ({ records: {}, contexts: 0, counters: 0, claims: 0, fences: 0 });

export async function runMigrate(options: MigrateOptions): Promise<MigrateSummary> {
  const url = options.config.REDIS_URL;
  if (url === undefined) {
    throw new UserError('REDIS_URL is not set: there is no Redis to migrate into', {
      nextStep: 'Set REDIS_URL in the env file (or pass --env-file), then migrate again.',
      code: 'redis_url_missing',
    });
  }
  const source = databasePath(options.hiveDir);
  if (!existsSync(source)) {
    throw new UserError(`No embedded database at ${source}`, {
      nextStep: 'Point --hive-dir at the folder that holds caio.db (HIVE_DIR of the runtime that wrote it).',
      code: 'hive_dir_missing',
    });
  }

  const summary: MigrateSummary = {
    ok: false,
    dry_run: options.dryRun,
    source,
    migrated: emptyTally(),
    skipped: emptyTally(),
    verified: options.dryRun ? null : emptyTally(),
    errors: [],
  };
  const db = openDatabase(source);
  const redis = createRedisStateStore({ ...options.config, REDIS_URL: url }, options.redis);
  try {
    await redis.connect();
    const embedded = createSqliteStateStore(db, options.config);
    await copyAll(embedded, redis, summary, options.dryRun);
    if (!options.dryRun) await verifyAll(embedded, redis, summary);
  } catch (error) {
    summary.errors.push({
      kind: isRedisUnavailable(error) ? 'redis' : 'migrate',
      key: '',
      message: errorMessage(error),
    });
  } finally {
    await redis.close();
    db.close();
  }
  summary.ok = summary.errors.length === 0;
  return summary;
}

async function copyAll(
  embedded: SqliteStateStore,
  redis: RedisStateStore,
  summary: MigrateSummary,
  dryRun: boolean,
): Promise<void> {
  const count = (kind: Kind, outcome: RestoreOutcome) => {
    if (outcome === 'created') summary.migrated[kind]++;
    else summary.skipped[kind]++;
  };
  const absentWhen = (present: boolean): RestoreOutcome => (present ? 'exists' : 'created');

  for (const collection of sharedCollections(embedded)) {
    summary.migrated.records[collection] = 0;
    summary.skipped.records[collection] = 0;
    for (const record of embedded.dumpRecords(collection)) {
      const outcome = dryRun
        ? absentWhen(((await redis.getRecord(collection, record.id))?.version ?? 0) >= record.version)
        : await redis.restoreRecord(record);
      if (outcome === 'created') summary.migrated.records[collection]++;
      else summary.skipped.records[collection]++;
    }
  }
  for (const context of embedded.dumpContexts()) {
    count(
      'contexts',
      dryRun ? absentWhen(await redis.hasContext(context.key)) : await redis.restoreContext(context),
    );
  }
  for (const counter of embedded.dumpCounters()) {
    count(
      'counters',
      dryRun ? absentWhen(await redis.hasCounter(counter.key)) : await redis.restoreCounter(counter),
    );
  }
  for (const claim of embedded.dumpClaims()) {
    count(
      'claims',
      dryRun
        ? absentWhen(await redis.hasClaim(claim.namespace, claim.token))
        : await redis.restoreClaim(claim),
    );
  }
  for (const fence of embedded.dumpFences()) {
    count(
      'fences',
      dryRun
        ? absentWhen((await redis.getFence(fence.name)) >= fence.fence)
        : await redis.restoreFence(fence),
    );
  }
}

async function verifyAll(
  embedded: SqliteStateStore,
  redis: RedisStateStore,
  summary: MigrateSummary,
): Promise<void> {
  const verified = summary.verified ?? emptyTally();
  const fail = (kind: string, key: string, message: string) => summary.errors.push({ kind, key, message });

  for (const collection of sharedCollections(embedded)) {
    const records = embedded.dumpRecords(collection);
    const inRedis = await redis.getRecords(
      collection,
      records.map((r) => r.id),
    );
    verified.records[collection] = 0;
    for (const record of records) {
      const found = inRedis.get(record.id);
      if (!found) fail('records', `${collection}/${record.id}`, 'missing in Redis after the copy');
      else if (found.version < record.version) {
        fail(
          'records',
          `${collection}/${record.id}`,
          `Redis has version ${found.version} < ${record.version}`,
        );
      } else verified.records[collection]++;
    }
    const counted = verified.records[collection];
    if (counted !== records.length) {
      fail('records', collection, `count mismatch: ${records.length} embedded, ${counted} verified in Redis`);
    }
  }
  for (const claim of embedded.dumpClaims()) {
    const owner = await redis.claimOwner(claim.namespace, claim.token);
    if (owner === undefined)
      fail('claims', `${claim.namespace}/${claim.token}`, 'missing in Redis after the copy');
    else if (owner !== claim.owner) {
      fail(
        'claims',
        `${claim.namespace}/${claim.token}`,
        `claimed by "${owner}" in Redis, "${claim.owner}" here`,
      );
    } else verified.claims++;
  }
  for (const counter of embedded.dumpCounters()) {
    if (await redis.hasCounter(counter.key)) verified.counters++;
    // A counter with a TTL may legitimately expire between the copy and this check.
    else if (counter.ttlMs === undefined || counter.ttlMs > 60_000)
      fail('counters', counter.key, 'missing in Redis');
  }
  for (const context of embedded.dumpContexts()) {
    if (await redis.hasContext(context.key)) verified.contexts++;
    else if (context.ttlMs > 60_000) fail('contexts', context.key, 'missing in Redis');
  }
  for (const fence of embedded.dumpFences()) {
    const inRedis = await redis.getFence(fence.name);
    if (inRedis < fence.fence) fail('fences', fence.name, `Redis fence ${inRedis} < ${fence.fence}`);
    else verified.fences++;
  }
}

/** The embedded collections to copy: not this machine's heartbeats and record registration. */
function sharedCollections(embedded: SqliteStateStore): string[] {
  return embedded.dumpCollections().filter((collection) => !HOST_LOCAL_COLLECTIONS.includes(collection));
}
