/**
 * The embedded state store: better-sqlite3 in HIVE_DIR/caio.db. Every primitive is one statement or one
 * IMMEDIATE transaction (the write lock is taken up front, so two processes sharing the file serialise
 * instead of failing with SQLITE_BUSY on a read-to-write upgrade). The database handle belongs to the
 * runtime: `close()` leaves it open.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import type { z } from 'zod';
import type { Config } from '../../config.js';
import { createConsume } from '../limiter.js';
import type { StateDumpSource, StateEntrySource } from '../state-dump.js';
import { probeHealth } from '../state-store.js';
import type { CasResult, ClaimResult, Lock, StateStore, StoreHealth, StoredRecord } from '../state-store.js';
import { encodeJson, requireInt, requireKey, requirePositiveInt } from '../validate-args.js';
import type { SqliteDatabase } from './database.js';
import {
  RATE_LIMIT_TABLE,
  STATE_SCHEMA,
  claimRow,
  collectionRecordRow,
  collectionRow,
  contextRow,
  counterRow,
  countRow,
  fenceRow,
  lockRow,
  ownerRow,
  recordRow,
  valueRow,
} from './state-schema.js';

export interface SqliteStateStoreOptions {
  /** Clock in epoch ms (TTLs, lock expiry); tests pass their own. Rate limits use the library's clock. */
  now?: () => number;
}

/**
 * Rate-limit windows are transient: a second connection to the same file commits them with
 * synchronous=NORMAL (WAL: no fsync per commit, still crash-safe for the process; a power cut may
 * forget the last windows). Everything else keeps the runtime handle's synchronous=FULL.
 */
function openLimiterConnection(db: SqliteDatabase): SqliteDatabase {
  if (db.memory || db.readonly) return db;
  const limiterDb = new Database(db.name);
  limiterDb.pragma('busy_timeout = 5000');
  limiterDb.pragma('synchronous = NORMAL');
  return limiterDb;
}

export type SqliteStateStore = StateStore & StateDumpSource & StateEntrySource & { readonly kind: 'sqlite' };

export function createSqliteStateStore(
  db: SqliteDatabase,
  config: Pick<Config, 'CONTEXT_STATE_TTL_SECONDS'>,
  options: SqliteStateStoreOptions = {},
): SqliteStateStore {
  const now = options.now ?? Date.now;
  db.exec(STATE_SCHEMA);

  const q = prepareStatements(db);
  const parse = <S extends z.ZodType>(schema: S, row: unknown): z.output<S> => schema.parse(row);
  const toRecord = <T>(row: unknown): StoredRecord<T> => {
    const r = parse(recordRow, row);
    return { id: r.id, value: decodeJson(r.value) as T, version: r.version };
  };
  const readRecord = <T>(collection: string, id: string): StoredRecord<T> | undefined => {
    const row = q.getRecord.get(collection, id);
    return row === undefined ? undefined : toRecord<T>(row);
  };

  const cas = db.transaction(
    (collection: string, id: string, expectedVersion: number, text: string): CasResult<unknown> => {
      const current = readRecord(collection, id);
      if ((current?.version ?? 0) !== expectedVersion) return { ok: false, current };
      const version = expectedVersion + 1;
      q.upsertRecord.run(collection, id, text, version, now());
      return { ok: true, record: { id, value: decodeJson(text), version } };
    },
  );

  const acquire = db.transaction((name: string, ttlMs: number): Lock | undefined => {
    const at = now();
    const rowRaw = q.getLock.get(name);
    const row = rowRaw === undefined ? undefined : parse(lockRow, rowRaw);
    if (row && row.owner !== null && row.expires_at > at) return undefined;
    const lock: Lock = { name, owner: randomUUID(), fence: (row?.fence ?? 0) + 1, expiresAt: at + ttlMs };
    q.putLock.run(name, lock.owner, lock.fence, lock.expiresAt);
    return lock;
  });

  const claim = db.transaction((namespace: string, token: string, owner: string): ClaimResult => {
    if (q.insertClaim.run(namespace, token, owner, now()).changes === 1) return { claimed: true };
    const row = parse(ownerRow, q.getClaim.get(namespace, token));
    return { claimed: false, by: row.owner };
  });

  // Opened on the first consume, so stores that never rate-limit hold no second connection.
  let limiterDb: SqliteDatabase | undefined;
  const consume = createConsume(
    (points, duration) =>
      new RateLimiterSQLite({
        storeClient: (limiterDb ??= openLimiterConnection(db)),
        storeType: 'better-sqlite3',
        tableName: RATE_LIMIT_TABLE,
        // The table is created above, synchronously; the library would otherwise create it on a later tick.
        tableCreated: true,
        keyPrefix: 'ratelimit',
        points,
        duration,
      }),
  );

  return {
    kind: 'sqlite',

    async getRecord<T>(collection: string, id: string) {
      return readRecord<T>(collection, id);
    },
    async getRecords<T>(collection: string, ids: readonly string[]) {
      const out = new Map<string, StoredRecord<T>>();
      if (ids.length === 0) return out;
      for (const row of q.getRecordsIn.all(collection, JSON.stringify(ids))) {
        const record = toRecord<T>(row);
        out.set(record.id, record);
      }
      return out;
    },
    async listRecords<T>(collection: string) {
      return q.listRecords.all(collection).map((row) => toRecord<T>(row));
    },
    async countRecords(collection: string) {
      return parse(countRow, q.countRecords.get(collection)).n;
    },
    async putRecord<T>(collection: string, id: string, value: T) {
      requireKey(collection, 'collection');
      requireKey(id, 'id');
      const text = encodeJson(value, 'record value');
      const row = q.putRecord.get(collection, id, text, now());
      const { version } = parse(recordRow.pick({ version: true }), row);
      return { id, value: decodeJson(text) as T, version };
    },
    async compareAndSet<T>(collection: string, id: string, expectedVersion: number, value: T) {
      requireKey(collection, 'collection');
      requireKey(id, 'id');
      requireInt(expectedVersion, 'expectedVersion');
      return cas.immediate(
        collection,
        id,
        expectedVersion,
        encodeJson(value, 'record value'),
      ) as CasResult<T>;
    },
    async deleteRecord(collection: string, id: string) {
      return q.deleteRecord.run(collection, id).changes > 0;
    },

    consume,

    async setContext(key: string, value: unknown, ttlSeconds?: number) {
      requireKey(key, 'key');
      const ttl = ttlSeconds ?? config.CONTEXT_STATE_TTL_SECONDS;
      requirePositiveInt(ttl, 'ttlSeconds');
      const at = now();
      q.putContext.run(key, encodeJson(value, 'context value'), at + ttl * 1000);
      q.purgeContext.run(at);
    },
    async getContext<T>(key: string) {
      const row = q.getContext.get(key, now());
      return row === undefined ? undefined : (decodeJson(parse(valueRow, row).value) as T);
    },
    async deleteContext(key: string) {
      q.deleteContext.run(key);
    },

    async acquireLock(name: string, ttlMs: number) {
      requireKey(name, 'name');
      requirePositiveInt(ttlMs, 'ttlMs');
      return acquire.immediate(name, ttlMs);
    },
    async extendLock(lock: Lock, ttlMs: number) {
      requirePositiveInt(ttlMs, 'ttlMs');
      const at = now();
      const expiresAt = at + ttlMs;
      const changed = q.extendLock.run(expiresAt, lock.name, lock.owner, lock.fence, at).changes;
      return changed === 1 ? { ...lock, expiresAt } : undefined;
    },
    async releaseLock(lock: Lock) {
      return q.releaseLock.run(lock.name, lock.owner, lock.fence, now()).changes === 1;
    },
    async checkFence(name: string, fence: number) {
      return q.checkFence.get(name, fence, now()) !== undefined;
    },

    async claimOnce(namespace: string, token: string, owner: string) {
      requireKey(namespace, 'namespace');
      requireKey(token, 'token');
      requireKey(owner, 'owner');
      return claim.immediate(namespace, token, owner);
    },

    async increment(key: string, by = 1, ttlSeconds?: number) {
      requireKey(key, 'key');
      requireInt(by, 'by');
      if (ttlSeconds !== undefined) requirePositiveInt(ttlSeconds, 'ttlSeconds');
      const at = now();
      const expiresAt = ttlSeconds === undefined ? null : at + ttlSeconds * 1000;
      return parse(counterRow.pick({ value: true }), q.increment.get({ key, by, expiresAt, now: at })).value;
    },
    async getCounter(key: string) {
      const row = q.getCounter.get(key, now());
      return row === undefined ? 0 : parse(counterRow.pick({ value: true }), row).value;
    },

    health(): Promise<StoreHealth> {
      return probeHealth('sqlite', () => db.prepare('SELECT 1').get());
    },
    async close() {
      // The runtime owns (and closes) `db`; only the limiter's own connection is closed here.
      if (limiterDb && limiterDb !== db && limiterDb.open) limiterDb.close();
      limiterDb = undefined;
    },

    dumpCollections() {
      return q.collections.all().map((row) => parse(collectionRow, row).collection);
    },
    dumpRecords(collection: string) {
      return q.listRecordsWithCollection.all(collection).map((row) => {
        const r = parse(collectionRecordRow, row);
        return { collection: r.collection, id: r.id, value: decodeJson(r.value), version: r.version };
      });
    },
    dumpContexts() {
      const at = now();
      return q.liveContexts.all(at).map((row) => {
        const r = parse(contextRow, row);
        return { key: r.key, value: decodeJson(r.value), ttlMs: r.expires_at - at };
      });
    },
    dumpCounters() {
      const at = now();
      return q.liveCounters.all(at).map((row) => {
        const r = parse(counterRow, row);
        return { key: r.key, value: r.value, ttlMs: r.expires_at === null ? undefined : r.expires_at - at };
      });
    },
    dumpClaims() {
      return q.allClaims.all().map((row) => parse(claimRow, row));
    },
    dumpFences() {
      return q.allFences.all().map((row) => parse(fenceRow, row));
    },

    readContextEntry(key: string) {
      const at = now();
      const row = q.liveContext.get(key, at);
      if (row === undefined) return undefined;
      const r = parse(contextRow, row);
      return { key: r.key, value: decodeJson(r.value), ttlMs: r.expires_at - at };
    },
    readCounterEntry(key: string) {
      const at = now();
      const row = q.liveCounter.get(key, at);
      if (row === undefined) return undefined;
      const r = parse(counterRow, row);
      return { key: r.key, value: r.value, ttlMs: r.expires_at === null ? undefined : r.expires_at - at };
    },
    readClaim(namespace: string, token: string) {
      const row = q.getClaim.get(namespace, token);
      return row === undefined ? undefined : { namespace, token, owner: parse(ownerRow, row).owner };
    },
    readFence(name: string) {
      const row = q.getLock.get(name);
      return row === undefined ? undefined : { name, fence: parse(lockRow, row).fence };
    },
  };
}

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`Corrupt JSON in the embedded state store: ${text.slice(0, 40)}`);
  }
}

function prepareStatements(db: SqliteDatabase) {
  return {
    getRecord: db.prepare('SELECT id, value, version FROM state_records WHERE collection = ? AND id = ?'),
    getRecordsIn: db.prepare(
      'SELECT id, value, version FROM state_records WHERE collection = ? AND id IN (SELECT value FROM json_each(?))',
    ),
    listRecords: db.prepare('SELECT id, value, version FROM state_records WHERE collection = ? ORDER BY id'),
    listRecordsWithCollection: db.prepare(
      'SELECT collection, id, value, version FROM state_records WHERE collection = ? ORDER BY id',
    ),
    collections: db.prepare('SELECT DISTINCT collection FROM state_records ORDER BY collection'),
    countRecords: db.prepare('SELECT count(*) AS n FROM state_records WHERE collection = ?'),
    putRecord: db.prepare(
      `INSERT INTO state_records (collection, id, value, version, updated_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (collection, id) DO UPDATE SET value = excluded.value, version = version + 1,
         updated_at = excluded.updated_at
       RETURNING version`,
    ),
    upsertRecord: db.prepare(
      `INSERT INTO state_records (collection, id, value, version, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET value = excluded.value, version = excluded.version,
         updated_at = excluded.updated_at`,
    ),
    deleteRecord: db.prepare('DELETE FROM state_records WHERE collection = ? AND id = ?'),

    putContext: db.prepare(
      `INSERT INTO state_context (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    getContext: db.prepare('SELECT value FROM state_context WHERE key = ? AND expires_at > ?'),
    deleteContext: db.prepare('DELETE FROM state_context WHERE key = ?'),
    purgeContext: db.prepare('DELETE FROM state_context WHERE expires_at <= ?'),
    liveContext: db.prepare(
      'SELECT key, value, expires_at FROM state_context WHERE key = ? AND expires_at > ?',
    ),
    liveContexts: db.prepare(
      'SELECT key, value, expires_at FROM state_context WHERE expires_at > ? ORDER BY key',
    ),

    getLock: db.prepare('SELECT owner, fence, expires_at FROM state_locks WHERE name = ?'),
    putLock: db.prepare(
      `INSERT INTO state_locks (name, owner, fence, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, fence = excluded.fence,
         expires_at = excluded.expires_at`,
    ),
    extendLock: db.prepare(
      'UPDATE state_locks SET expires_at = ? WHERE name = ? AND owner = ? AND fence = ? AND expires_at > ?',
    ),
    releaseLock: db.prepare(
      `UPDATE state_locks SET owner = NULL, expires_at = 0
       WHERE name = ? AND owner = ? AND fence = ? AND expires_at > ?`,
    ),
    checkFence: db.prepare(
      'SELECT 1 FROM state_locks WHERE name = ? AND fence = ? AND owner IS NOT NULL AND expires_at > ?',
    ),
    allFences: db.prepare('SELECT name, fence FROM state_locks ORDER BY name'),

    insertClaim: db.prepare(
      'INSERT OR IGNORE INTO state_claims (namespace, token, owner, claimed_at) VALUES (?, ?, ?, ?)',
    ),
    getClaim: db.prepare('SELECT owner FROM state_claims WHERE namespace = ? AND token = ?'),
    allClaims: db.prepare('SELECT namespace, token, owner FROM state_claims ORDER BY namespace, token'),

    // A counter past its expiry restarts from `by` with a fresh expiry; a live counter without
    // expiry gets one when the caller names a TTL (as on Redis).
    increment: db.prepare(
      `INSERT INTO state_counters (key, value, expires_at) VALUES (@key, @by, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN expires_at IS NOT NULL AND expires_at <= @now THEN @by ELSE value + @by END,
         expires_at = CASE WHEN expires_at IS NOT NULL AND expires_at <= @now THEN @expiresAt
           ELSE coalesce(expires_at, @expiresAt) END
       RETURNING value`,
    ),
    getCounter: db.prepare(
      'SELECT value FROM state_counters WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    liveCounter: db.prepare(
      'SELECT key, value, expires_at FROM state_counters WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    liveCounters: db.prepare(
      'SELECT key, value, expires_at FROM state_counters WHERE expires_at IS NULL OR expires_at > ? ORDER BY key',
    ),
  };
}
