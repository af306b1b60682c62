/**
 * The store a runtime uses when REDIS_URL is set: Redis while it is reachable, the embedded store while
 * it is not (unless REDIS_REQUIRED), and, with STATE_DUAL_READ_ENABLED, reads that fall through to the
 * embedded store and backfill Redis. Rules (docs/state.md):
 * - routing is decided per call from the client state; ioredis reconnects by itself, so the first call
 *   after Redis returns goes to Redis again;
 * - a read that fails mid-flight falls back (not required); a write that fails mid-flight is reported
 *   (RedisUnavailableError) because it may have been applied: the caller decides (CAS, claims make a
 *   retry safe). A write routed to the embedded store is one Redis never saw;
 * - dual read: before a write that builds on earlier state (CAS, put, increment, claim, lock fence), the
 *   embedded entry is copied into Redis if Redis lacks it, so versions, counts, claims and fences carry
 *   over; deletes go to both stores so a deleted entry is not resurrected by the fallthrough.
 */
import type { RedisStateStore } from './redis/redis-state-store.js';
import { RedisUnavailableError, isRedisUnavailable } from './redis/redis-client.js';
import type { SqliteStateStore } from './sqlite/sqlite-state-store.js';
import type { StateStore, StoreHealth, StoredRecord } from './state-store.js';

export interface RoutedStoreOptions {
  redis: RedisStateStore;
  embedded: SqliteStateStore;
  /** REDIS_REQUIRED: never fall back; calls fail with RedisUnavailableError. */
  required: boolean;
  /** STATE_DUAL_READ_ENABLED. */
  dualRead: boolean;
  redisUrl: string;
}

export function createRoutedStateStore(options: RoutedStoreOptions): StateStore {
  const { redis, embedded, required, dualRead } = options;
  let lastError: unknown;

  const redisUp = () => {
    if (redis.isReady()) return true;
    if (required) throw new RedisUnavailableError(options.redisUrl, lastError ?? new Error('not connected'));
    return false;
  };
  /** A read: Redis when up; the embedded store when Redis is down or fails (not required). */
  const read = async <T>(onRedis: () => Promise<T>, onEmbedded: () => Promise<T>): Promise<T> => {
    if (!redisUp()) return onEmbedded();
    try {
      return await onRedis();
    } catch (error) {
      if (required || !isRedisUnavailable(error)) throw error;
      lastError = error;
      return onEmbedded();
    }
  };
  /** A write: Redis when up (errors surface), else the embedded store. */
  const write = async <T>(onRedis: () => Promise<T>, onEmbedded: () => Promise<T>): Promise<T> => {
    if (!redisUp()) return onEmbedded();
    try {
      return await onRedis();
    } catch (error) {
      if (isRedisUnavailable(error)) lastError = error;
      throw error;
    }
  };

  const backfill = async <T>(work: () => Promise<T>): Promise<void> => {
    try {
      await work();
    } catch {
      // Best effort: the value was found and is returned; the next read tries again.
    }
  };
  const hydrateRecord = async (collection: string, id: string) => {
    if (!dualRead || (await redis.hasRecord(collection, id))) return;
    const found = await embedded.getRecord(collection, id);
    if (found) await redis.restoreRecord({ collection, ...found });
  };
  const hydrateCounter = async (key: string) => {
    if (!dualRead || (await redis.hasCounter(key))) return;
    const found = embedded.readCounterEntry(key);
    if (found) await redis.restoreCounter(found);
  };
  const hydrateClaim = async (namespace: string, token: string) => {
    if (!dualRead || (await redis.hasClaim(namespace, token))) return;
    const found = embedded.readClaim(namespace, token);
    if (found) await redis.restoreClaim(found);
  };
  const hydrateFence = async (name: string) => {
    if (!dualRead) return;
    const found = embedded.readFence(name);
    if (found) await redis.restoreFence(found);
  };
  const mergeMissing = async <T>(
    collection: string,
    fromRedis: Map<string, StoredRecord<T>>,
    ids: readonly string[],
  ) => {
    const missing = ids.filter((id) => !fromRedis.has(id));
    if (!dualRead || missing.length === 0) return fromRedis;
    for (const [id, record] of await embedded.getRecords<T>(collection, missing)) {
      fromRedis.set(id, record);
      await backfill(() => redis.restoreRecord({ collection, ...record }));
    }
    return fromRedis;
  };

  return {
    get kind() {
      return redis.isReady() || required ? 'redis' : 'sqlite';
    },

    getRecord: <T>(collection: string, id: string) =>
      read(
        async () =>
          (await mergeMissing<T>(collection, await redis.getRecords<T>(collection, [id]), [id])).get(id),
        () => embedded.getRecord<T>(collection, id),
      ),
    getRecords: <T>(collection: string, ids: readonly string[]) =>
      read(
        async () => mergeMissing<T>(collection, await redis.getRecords<T>(collection, ids), ids),
        () => embedded.getRecords<T>(collection, ids),
      ),
    listRecords: <T>(collection: string) =>
      read(
        async () => {
          const fromRedis = await redis.listRecords<T>(collection);
          if (!dualRead) return fromRedis;
          const byId = new Map(fromRedis.map((record) => [record.id, record]));
          const ids = (await embedded.listRecords<T>(collection)).map((record) => record.id);
          await mergeMissing(collection, byId, ids);
          return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        },
        () => embedded.listRecords<T>(collection),
      ),
    countRecords: (collection: string) =>
      read(
        async () => {
          if (!dualRead) return redis.countRecords(collection);
          const ids = new Set((await redis.listRecords(collection)).map((record) => record.id));
          for (const record of await embedded.listRecords(collection)) ids.add(record.id);
          return ids.size;
        },
        () => embedded.countRecords(collection),
      ),
    putRecord: <T>(collection: string, id: string, value: T) =>
      write(
        async () => {
          await hydrateRecord(collection, id);
          return redis.putRecord(collection, id, value);
        },
        () => embedded.putRecord(collection, id, value),
      ),
    compareAndSet: <T>(collection: string, id: string, expectedVersion: number, value: T) =>
      write(
        async () => {
          await hydrateRecord(collection, id);
          return redis.compareAndSet(collection, id, expectedVersion, value);
        },
        () => embedded.compareAndSet(collection, id, expectedVersion, value),
      ),
    deleteRecord: (collection: string, id: string) =>
      write(
        async () => {
          const inRedis = await redis.deleteRecord(collection, id);
          const inEmbedded = dualRead ? await embedded.deleteRecord(collection, id) : false;
          return inRedis || inEmbedded;
        },
        () => embedded.deleteRecord(collection, id),
      ),

    consume: (key, limit, windowSeconds) =>
      write(
        () => redis.consume(key, limit, windowSeconds),
        () => embedded.consume(key, limit, windowSeconds),
      ),

    setContext: (key, value, ttlSeconds) =>
      write(
        () => redis.setContext(key, value, ttlSeconds),
        () => embedded.setContext(key, value, ttlSeconds),
      ),
    getContext: <T>(key: string) =>
      read(
        async () => {
          const value = await redis.getContext<T>(key);
          if (value !== undefined || !dualRead) return value;
          const found = embedded.readContextEntry(key);
          if (!found) return undefined;
          await backfill(() => redis.restoreContext(found));
          return found.value as T;
        },
        () => embedded.getContext<T>(key),
      ),
    deleteContext: (key) =>
      write(
        async () => {
          await redis.deleteContext(key);
          if (dualRead) await embedded.deleteContext(key);
        },
        () => embedded.deleteContext(key),
      ),

    acquireLock: (name, ttlMs) =>
      write(
        async () => {
          await hydrateFence(name);
          return redis.acquireLock(name, ttlMs);
        },
        () => embedded.acquireLock(name, ttlMs),
      ),
    extendLock: (lock, ttlMs) =>
      write(
        () => redis.extendLock(lock, ttlMs),
        () => embedded.extendLock(lock, ttlMs),
      ),
    releaseLock: (lock) =>
      write(
        () => redis.releaseLock(lock),
        () => embedded.releaseLock(lock),
      ),
    checkFence: (name, fence) =>
      read(
        () => redis.checkFence(name, fence),
        () => embedded.checkFence(name, fence),
      ),

    claimOnce: (namespace, token, owner) =>
      write(
        async () => {
          await hydrateClaim(namespace, token);
          return redis.claimOnce(namespace, token, owner);
        },
        () => embedded.claimOnce(namespace, token, owner),
      ),

    increment: (key, by, ttlSeconds) =>
      write(
        async () => {
          await hydrateCounter(key);
          return redis.increment(key, by, ttlSeconds);
        },
        () => embedded.increment(key, by, ttlSeconds),
      ),
    getCounter: (key) =>
      read(
        async () => {
          await backfill(() => hydrateCounter(key));
          return redis.getCounter(key);
        },
        () => embedded.getCounter(key),
      ),

    async health(): Promise<StoreHealth> {
      const health = await redis.health();
      if (health.healthy || required) return health;
      const message = health.error ?? 'not connected';
      return {
        ...(await embedded.health()),
        degraded: true,
        error: `Redis unavailable, using the embedded store: ${message}`,
      };
    },
    async close() {
      await redis.close();
      await embedded.close();
    },
  };
}
