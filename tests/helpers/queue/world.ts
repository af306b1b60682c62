/**
 * A complete queue + Gatekeeper stack over a real store, for integration tests and workers: the record
 * in a temp folder (SQLite caio.db: drafts, audit, sent log) plus either the embedded coordination
 * store (coordination.db) or a Redis state store under a unique key prefix.
 */
import { join } from 'node:path';
import { createAdapters } from '../../../src/runtime/adapters/index.js';
import type { Adapters } from '../../../src/runtime/adapters/types.js';
import { parseConfig, type Config } from '../../../src/runtime/config.js';
import { createAuditLog } from '../../../src/runtime/services/audit.js';
import { createDispatcher } from '../../../src/runtime/services/dispatch.js';
import { createGatekeeper } from '../../../src/runtime/services/gatekeeper.js';
import { legacyAddressBook, recordAddressBook } from '../../../src/runtime/services/address-book.js';
import { draftsFromRecord } from '../../../src/runtime/services/drafts-bridge.js';
import { createQueueService } from '../../../src/runtime/services/queue.js';
import { createSentLog } from '../../../src/runtime/services/sent-log.js';
import { createRecordStore } from '../../../src/runtime/stores/record/record.js';
import { coordinationPath, openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { createRedisStateStore } from '../../../src/runtime/stores/redis/redis-state-store.js';
import { createSqliteStateStore } from '../../../src/runtime/stores/sqlite/sqlite-state-store.js';
import type { StateStore } from '../../../src/runtime/stores/state-store.js';
import { redisStoreConfig } from '../store-config.js';

export type StoreKind = 'sqlite' | 'redis';

export interface WorldOptions {
  kind: StoreKind;
  dir: string;
  redisUrl?: string | undefined;
  prefix?: string | undefined;
  env?: Record<string, string>;
  now?: () => number;
  lockTtlMs?: number;
  twoPersonRule?: boolean;
  wrapEmail?: (adapters: Adapters) => Adapters;
}

export async function makeWorld(options: WorldOptions) {
  const config: Config = parseConfig({ HIVE_DIR: options.dir, ...options.env });
  const record = await createRecordStore({ HIVE_DIR: options.dir }, options.now ? { now: options.now } : {});
  // The record's own connection: never a second one on caio.db in this process.
  const db = record.db.sqlite ?? openDatabase(join(options.dir, 'caio.db'));
  const coordination = options.kind === 'redis' ? undefined : openDatabase(coordinationPath(options.dir));
  let state: StateStore;
  if (options.kind === 'redis') {
    if (!options.redisUrl || !options.prefix) throw new Error('redis world needs redisUrl and prefix');
    const redis = createRedisStateStore(redisStoreConfig(options.redisUrl, options.prefix));
    await redis.connect();
    state = redis;
  } else {
    state = createSqliteStateStore(coordination ?? db, config, options.now ? { now: options.now } : {});
  }
  const now = options.now ?? Date.now;
  const audit = createAuditLog(db, { now });
  const sentLog = createSentLog(db);
  const baseAdapters = createAdapters(config, { timeoutMs: 2_000, retries: 1, backoffMs: 10 });
  const adapters = options.wrapEmail ? options.wrapEmail(baseAdapters) : baseAdapters;
  const dispatcher = createDispatcher({ sentLog, adapters, audit, now });
  const addresses = recordAddressBook(legacyAddressBook(state, sentLog));
  const queue = createQueueService({ record, addresses, config, now });
  const gatekeeper = createGatekeeper({
    state: draftsFromRecord(state, record),
    sentLog,
    dispatcher,
    config,
    audit,
    now,
    ...(options.lockTtlMs ? { lockTtlMs: options.lockTtlMs } : {}),
    ...(options.twoPersonRule ? { twoPersonRule: true } : {}),
  });
  return {
    config,
    record,
    addresses,
    db,
    state,
    audit,
    sentLog,
    adapters,
    queue,
    gatekeeper,
    async close() {
      await state.close();
      coordination?.close();
      await record.close();
    },
  };
}

export type World = Awaited<ReturnType<typeof makeWorld>>;
