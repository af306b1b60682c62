/**
 * A complete queue + Gatekeeper stack over real stores, for integration tests and workers: the record
 * (SQLite `caio.db` in the temp dir, or a PostgreSQL database when `databaseUrl` is given) and the
 * coordination store (embedded in `coordination.db`, or Redis under a unique key prefix).
 */
import { createAdapters } from '../../../src/runtime/adapters/index.js';
import type { Adapters } from '../../../src/runtime/adapters/types.js';
import { parseConfig, type Config } from '../../../src/runtime/config.js';
import { verifyAuditChain } from '../../../src/runtime/domain/audit-chain.js';
import { createAuditService } from '../../../src/runtime/services/audit.js';
import { createDispatcher } from '../../../src/runtime/services/dispatch.js';
import { createGatekeeper } from '../../../src/runtime/services/gatekeeper.js';
import { recordAddressBook } from '../../../src/runtime/services/address-book.js';
import { draftsFromRecord } from '../../../src/runtime/services/drafts-bridge.js';
import { createQueueService } from '../../../src/runtime/services/queue.js';
import { createRecordStore } from '../../../src/runtime/stores/record/record.js';
import { auditRowSchema } from '../../../src/runtime/stores/record/tables/audit.js';
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
  /** The record on PostgreSQL (a database of the test server); default SQLite in `dir`. */
  databaseUrl?: string | undefined;
  env?: Record<string, string>;
  now?: () => number;
  lockTtlMs?: number;
  twoPersonRule?: boolean;
  host?: string;
  wrapEmail?: (adapters: Adapters) => Adapters;
}

export async function makeWorld(options: WorldOptions) {
  const config: Config = parseConfig({
    HIVE_DIR: options.dir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const now = options.now ?? Date.now;
  const record = await createRecordStore(config, { now });
  const coordination = openDatabase(coordinationPath(options.dir));
  let state: StateStore;
  if (options.kind === 'redis') {
    if (!options.redisUrl || !options.prefix) throw new Error('redis world needs redisUrl and prefix');
    const redis = createRedisStateStore(redisStoreConfig(options.redisUrl, options.prefix));
    await redis.connect();
    state = redis;
  } else {
    state = createSqliteStateStore(coordination, config, options.now ? { now: options.now } : {});
  }
  const audit = createAuditService(record);
  const baseAdapters = createAdapters(config, { timeoutMs: 2_000, retries: 1, backoffMs: 10 });
  const adapters = options.wrapEmail ? options.wrapEmail(baseAdapters) : baseAdapters;
  const dispatcher = createDispatcher({ record, adapters, now, host: options.host });
  const addresses = recordAddressBook;
  const queue = createQueueService({ record, addresses, config, now });
  const gatekeeper = createGatekeeper({
    record,
    state: draftsFromRecord(state, record),
    dispatcher,
    config,
    now,
    ...(options.lockTtlMs ? { lockTtlMs: options.lockTtlMs } : {}),
    ...(options.twoPersonRule ? { twoPersonRule: true } : {}),
  });
  return {
    config,
    record,
    addresses,
    state,
    /** The embedded coordination store's file (used when kind is 'sqlite'). */
    coordination,
    audit,
    adapters,
    queue,
    gatekeeper,
    /** The record's audit chain: the last `n` rows and a full verification. */
    async auditTail(n: number) {
      return record.audit.tail(n);
    },
    async verifyAudit() {
      const rows = [];
      for await (const raw of record.audit.rows()) rows.push(auditRowSchema.parse(raw));
      return verifyAuditChain(rows, []);
    },
    async close() {
      await state.close();
      coordination.close();
      await record.close();
    },
  };
}

export type World = Awaited<ReturnType<typeof makeWorld>>;
