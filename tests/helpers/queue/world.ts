/**
 * A complete queue + Gatekeeper stack over a real store, for integration tests and workers: temp
 * SQLite database (sent log, audit, embedded state) plus either the SQLite state store or a Redis
 * state store under a unique key prefix.
 */
import { join } from 'node:path';
import { createAdapters } from '../../../src/runtime/adapters/index.js';
import type { Adapters } from '../../../src/runtime/adapters/types.js';
import { parseConfig, type Config } from '../../../src/runtime/config.js';
import { createAuditLog } from '../../../src/runtime/services/audit.js';
import { createDispatcher } from '../../../src/runtime/services/dispatch.js';
import { createGatekeeper } from '../../../src/runtime/services/gatekeeper.js';
import { createQueueService } from '../../../src/runtime/services/queue.js';
import { createSentLog } from '../../../src/runtime/services/sent-log.js';
import { openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
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
  const db = openDatabase(join(options.dir, 'caio.db'));
  let state: StateStore;
  if (options.kind === 'redis') {
    if (!options.redisUrl || !options.prefix) throw new Error('redis world needs redisUrl and prefix');
    const redis = createRedisStateStore(redisStoreConfig(options.redisUrl, options.prefix));
    await redis.connect();
    state = redis;
  } else {
    state = createSqliteStateStore(db, config, options.now ? { now: options.now } : {});
  }
  const now = options.now ?? Date.now;
  const audit = createAuditLog(db, { now });
  const sentLog = createSentLog(db);
  const baseAdapters = createAdapters(config, { timeoutMs: 2_000, retries: 1, backoffMs: 10 });
  const adapters = options.wrapEmail ? options.wrapEmail(baseAdapters) : baseAdapters;
  const dispatcher = createDispatcher({ sentLog, adapters, audit, now });
  const queue = createQueueService({ state, sentLog, config, audit, now });
  const gatekeeper = createGatekeeper({
    state,
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
    db,
    state,
    audit,
    sentLog,
    adapters,
    queue,
    gatekeeper,
    async close() {
      await state.close();
      db.close();
    },
  };
}

export type World = Awaited<ReturnType<typeof makeWorld>>;
