/**
 * The shared state store: ioredis, one Lua script per read-then-write primitive (scripts.ts), key
 * prefixes from config (STATE_REDIS_PREFIX, CONTEXT_REDIS_PREFIX, RATE_LIMIT_REDIS_NAMESPACE).
 * Every call is bounded by the client's command timeout; a connection problem surfaces as a
 * RedisUnavailableError (code `redis_unavailable`) that the selector can fall back on.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { createConsume } from '../limiter.js';
import type { StateRestoreTarget } from '../state-dump.js';
import { probeHealth } from '../state-store.js';
import type { CasResult, ClaimResult, Lock, StateStore, StoreHealth, StoredRecord } from '../state-store.js';
import { encodeJson, requireInt, requireKey, requirePositiveInt } from '../validate-args.js';
import { RedisUnavailableError, createRedisClient, isReplyError, waitReady } from './redis-client.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

export type RedisStoreConfig = Pick<
  Config,
  | 'STATE_REDIS_PREFIX'
  | 'CONTEXT_REDIS_PREFIX'
  | 'RATE_LIMIT_REDIS_NAMESPACE'
  | 'CONTEXT_STATE_TTL_SECONDS'
  | 'REDIS_MAX_CONNECTIONS'
> & { REDIS_URL: string };

export interface RedisStateStoreOptions {
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
}

export type RedisStateStore = StateStore &
  StateRestoreTarget & {
    readonly kind: 'redis';
    /** Resolve once connected; reject (RedisUnavailableError) after the connect timeout. */
    connect(): Promise<void>;
    /** True while the connection is up (commands can be sent). */
    isReady(): boolean;
    /** The underlying client, for benchmarks and fault tests. */
    readonly client: Redis;
  };

const fieldPattern = z.string().regex(/^\d+:/);
const casReply = z.union([z.tuple([z.literal(1), z.number()]), z.tuple([z.literal(0), z.string()])]);
const claimReply = z.tuple([z.union([z.literal(0), z.literal(1)]), z.string()]);
const intReply = z.number().int();
const intText = z
  .string()
  .regex(/^-?\d+$/)
  .transform(Number);

export function createRedisStateStore(
  config: RedisStoreConfig,
  options: RedisStateStoreOptions = {},
): RedisStateStore {
  const url = config.REDIS_URL;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  const client = createRedisClient({ url, ...options, connectTimeoutMs });
  for (const [name, script] of Object.entries(SCRIPTS)) client.defineCommand(name, script);

  const p = config.STATE_REDIS_PREFIX;
  const keys = {
    records: (collection: string) => `${p}:rec:${collection}`,
    lock: (name: string) => `${p}:lock:${name}`,
    fence: (name: string) => `${p}:fence:${name}`,
    claims: (namespace: string) => `${p}:claim:${namespace}`,
    counter: (key: string) => `${p}:counter:${key}`,
    context: (key: string) => `${config.CONTEXT_REDIS_PREFIX}:${key}`,
  };

  /** Run one Redis call; connection problems become RedisUnavailableError. */
  const run = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      // A reply error is a script bug and a TypeError a bad argument: neither means Redis is down.
      if (isReplyError(error) || error instanceof TypeError) throw error;
      throw new RedisUnavailableError(url, error);
    }
  };
  const script = (name: ScriptName, args: (string | number)[]): Promise<unknown> =>
    run(() =>
      (client as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name](
        ...args,
      ),
    );

  const decodeField = <T>(id: string, field: string): StoredRecord<T> => {
    const text = fieldPattern.parse(field);
    const colon = text.indexOf(':');
    return { id, version: Number(text.slice(0, colon)), value: decodeJson(text.slice(colon + 1)) as T };
  };
  const lockValue = (lock: Pick<Lock, 'fence' | 'owner'>) => `${lock.fence}:${lock.owner}`;

  const consume = createConsume(
    (points, duration) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: config.RATE_LIMIT_REDIS_NAMESPACE,
        points,
        duration,
      }),
  );

  const store: RedisStateStore = {
    kind: 'redis',
    client,

    async connect() {
      try {
        await waitReady(client, connectTimeoutMs);
      } catch (error) {
        throw new RedisUnavailableError(url, error);
      }
    },
    isReady: () => client.status === 'ready',

    async getRecord<T>(collection: string, id: string) {
      const field = await run(() => client.hget(keys.records(collection), id));
      return field === null ? undefined : decodeField<T>(id, field);
    },
    async getRecords<T>(collection: string, ids: readonly string[]) {
      const out = new Map<string, StoredRecord<T>>();
      if (ids.length === 0) return out;
      const fields = await run(() => client.hmget(keys.records(collection), ...ids));
      ids.forEach((id, i) => {
        const field = fields[i];
        if (field !== null && field !== undefined) out.set(id, decodeField<T>(id, field));
      });
      return out;
    },
    async listRecords<T>(collection: string) {
      const all = await run(() => client.hgetall(keys.records(collection)));
      return Object.entries(all)
        .map(([id, field]) => decodeField<T>(id, field))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async countRecords(collection: string) {
      return run(() => client.hlen(keys.records(collection)));
    },
    async putRecord<T>(collection: string, id: string, value: T) {
      requireKey(collection, 'collection');
      requireKey(id, 'id');
      const text = encodeJson(value, 'record value');
      const version = intReply.parse(await script('statePut', [keys.records(collection), id, text]));
      return { id, value: decodeJson(text) as T, version };
    },
    async compareAndSet<T>(
      collection: string,
      id: string,
      expectedVersion: number,
      value: T,
    ): Promise<CasResult<T>> {
      requireKey(collection, 'collection');
      requireKey(id, 'id');
      requireInt(expectedVersion, 'expectedVersion');
      const text = encodeJson(value, 'record value');
      const reply = casReply.parse(
        await script('stateCas', [keys.records(collection), id, expectedVersion, text]),
      );
      if (reply[0] === 1)
        return { ok: true, record: { id, value: decodeJson(text) as T, version: reply[1] } };
      return { ok: false, current: reply[1] === '' ? undefined : decodeField<T>(id, reply[1]) };
    },
    async deleteRecord(collection: string, id: string) {
      return (await run(() => client.hdel(keys.records(collection), id))) > 0;
    },

    consume: (key, limit, windowSeconds) => run(() => consume(key, limit, windowSeconds)),

    async setContext(key: string, value: unknown, ttlSeconds?: number) {
      requireKey(key, 'key');
      const ttl = ttlSeconds ?? config.CONTEXT_STATE_TTL_SECONDS;
      requirePositiveInt(ttl, 'ttlSeconds');
      const text = encodeJson(value, 'context value');
      await run(() => client.set(keys.context(key), text, 'EX', ttl));
    },
    async getContext<T>(key: string) {
      const text = await run(() => client.get(keys.context(key)));
      return text === null ? undefined : (decodeJson(text) as T);
    },
    async deleteContext(key: string) {
      await run(() => client.del(keys.context(key)));
    },

    async acquireLock(name: string, ttlMs: number) {
      requireKey(name, 'name');
      requirePositiveInt(ttlMs, 'ttlMs');
      const owner = randomUUID();
      const started = Date.now();
      const fence = intReply.parse(
        await script('stateLockAcquire', [keys.lock(name), keys.fence(name), owner, ttlMs]),
      );
      // expiresAt is measured from before the call: the holder never believes it holds longer than it does.
      return fence === 0 ? undefined : { name, owner, fence, expiresAt: started + ttlMs };
    },
    async extendLock(lock: Lock, ttlMs: number) {
      requirePositiveInt(ttlMs, 'ttlMs');
      const started = Date.now();
      const ok = intReply.parse(
        await script('stateLockExtend', [keys.lock(lock.name), lockValue(lock), ttlMs]),
      );
      return ok === 1 ? { ...lock, expiresAt: started + ttlMs } : undefined;
    },
    async releaseLock(lock: Lock) {
      return intReply.parse(await script('stateLockRelease', [keys.lock(lock.name), lockValue(lock)])) === 1;
    },
    async checkFence(name: string, fence: number) {
      const value = await run(() => client.get(keys.lock(name)));
      return value !== null && value.startsWith(`${fence}:`);
    },

    async claimOnce(namespace: string, token: string, owner: string): Promise<ClaimResult> {
      requireKey(namespace, 'namespace');
      requireKey(token, 'token');
      requireKey(owner, 'owner');
      const [won, by] = claimReply.parse(await script('stateClaim', [keys.claims(namespace), token, owner]));
      return won === 1 ? { claimed: true } : { claimed: false, by };
    },

    async increment(key: string, by = 1, ttlSeconds?: number) {
      requireKey(key, 'key');
      requireInt(by, 'by');
      if (ttlSeconds !== undefined) requirePositiveInt(ttlSeconds, 'ttlSeconds');
      return intReply.parse(await script('stateIncrement', [keys.counter(key), by, ttlSeconds ?? 0]));
    },
    async getCounter(key: string) {
      const text = await run(() => client.get(keys.counter(key)));
      return text === null ? 0 : intText.parse(text);
    },

    health(): Promise<StoreHealth> {
      return probeHealth('redis', () => run(() => client.ping()));
    },
    async close() {
      if (client.status === 'end') return;
      try {
        if (client.status === 'ready') await client.quit();
        else client.disconnect();
      } catch {
        client.disconnect();
      }
    },

    async restoreRecord(record) {
      const args = [
        keys.records(record.collection),
        record.id,
        record.version,
        encodeJson(record.value, 'record value'),
      ];
      return intReply.parse(await script('stateRestore', args)) === 1 ? 'created' : 'exists';
    },
    async restoreContext(context) {
      const text = encodeJson(context.value, 'context value');
      const ttl = Math.max(1, Math.round(context.ttlMs));
      const ok = await run(() => client.set(keys.context(context.key), text, 'PX', ttl, 'NX'));
      return ok === 'OK' ? 'created' : 'exists';
    },
    async restoreCounter(counter) {
      const key = keys.counter(counter.key);
      const ok =
        counter.ttlMs === undefined
          ? await run(() => client.set(key, counter.value, 'NX'))
          : await run(() =>
              client.set(key, counter.value, 'PX', Math.max(1, Math.round(counter.ttlMs ?? 1)), 'NX'),
            );
      return ok === 'OK' ? 'created' : 'exists';
    },
    async restoreClaim(claim) {
      const created = await run(() => client.hsetnx(keys.claims(claim.namespace), claim.token, claim.owner));
      return created === 1 ? 'created' : 'exists';
    },
    async restoreFence(fence) {
      const raised = intReply.parse(await script('stateFenceRaise', [keys.fence(fence.name), fence.fence]));
      return raised === 1 ? 'created' : 'exists';
    },
    async hasRecord(collection, id) {
      return (await run(() => client.hexists(keys.records(collection), id))) === 1;
    },
    async hasClaim(namespace, token) {
      return (await run(() => client.hexists(keys.claims(namespace), token))) === 1;
    },
    async claimOwner(namespace, token) {
      return (await run(() => client.hget(keys.claims(namespace), token))) ?? undefined;
    },
    async getFence(name) {
      const text = await run(() => client.get(keys.fence(name)));
      return text === null ? 0 : intText.parse(text);
    },
    async hasContext(key) {
      return (await run(() => client.exists(keys.context(key)))) === 1;
    },
    async hasCounter(key) {
      return (await run(() => client.exists(keys.counter(key)))) === 1;
    },
  };
  return store;
}

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`Corrupt JSON in the Redis state store: ${text.slice(0, 40)}`);
  }
}
