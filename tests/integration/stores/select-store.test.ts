import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { isUserError } from '../../../src/runtime/errors.js';
import { createRedisStateStore } from '../../../src/runtime/stores/redis/redis-state-store.js';
import { createStateStore } from '../../../src/runtime/stores/select-store.js';
import { openDatabase, type SqliteDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { createSqliteStateStore } from '../../../src/runtime/stores/sqlite/sqlite-state-store.js';
import type { StateStore } from '../../../src/runtime/stores/state-store.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { redisStoreConfig } from '../../helpers/store-config.js';
import { waitUntil } from '../../helpers/store-contract.js';
import { useTempDir } from '../../helpers/temp.js';

const FAST = { commandTimeoutMs: 500, connectTimeoutMs: 500, maxReconnectDelayMs: 100 };
const CLOSED_PORT_URL = 'redis://127.0.0.1:1';

function configFor(env: Record<string, string>, prefix = `t-${randomUUID()}`) {
  return parseConfig({
    STATE_REDIS_PREFIX: `${prefix}:state`,
    CONTEXT_REDIS_PREFIX: `${prefix}:context`,
    RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:ratelimit`,
    ...env,
  });
}

const tempDir = useTempDir();
const opened: { db?: SqliteDatabase; store?: StateStore }[] = [];
afterEach(async () => {
  for (const entry of opened.splice(0)) {
    await entry.store?.close();
    entry.db?.close();
  }
});
function newDb(): SqliteDatabase {
  const db = openDatabase(join(tempDir(), 'caio.db'));
  opened.push({ db });
  return db;
}
async function select(env: Record<string, string>, db = newDb(), prefix?: string): Promise<StateStore> {
  const store = await createStateStore(configFor(env, prefix), { db, redis: FAST });
  opened.push({ store });
  return store;
}

/** Settles within `ms`, or fails the test: nothing may hang past its timeout. */
async function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<PromiseSettledResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([
      Promise.allSettled([promise]).then((r) => r[0] as PromiseSettledResult<T>),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('store selection without Redis', () => {
  it('uses the embedded store when REDIS_URL is unset', async () => {
    const store = await select({});
    expect(store.kind).toBe('sqlite');
    expect(await store.health()).toMatchObject({ kind: 'sqlite', healthy: true, degraded: false });
  });

  it('fails fast with a clear error when Redis is required and unreachable', async () => {
    const error = await createStateStore(configFor({ REDIS_URL: CLOSED_PORT_URL, REDIS_REQUIRED: 'true' }), {
      db: newDb(),
      redis: FAST,
    }).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'redis_unavailable', exitCode: 1 });
    expect((error as Error).message).toMatch(
      /REDIS_REQUIRED=true but Redis at redis:\/\/127\.0\.0\.1:1\/? is unreachable/,
    );
  });

  it('falls back to the embedded store, degraded, when Redis is unreachable and not required', async () => {
    const store = await select({ REDIS_URL: CLOSED_PORT_URL, REDIS_REQUIRED: 'false' });
    expect(store.kind).toBe('sqlite');
    const health = await store.health();
    expect(health).toMatchObject({ kind: 'sqlite', healthy: true, degraded: true });
    expect(health.error).toMatch(/Redis unavailable/);
    expect((await store.claimOnce('batch', 'b1', 'me')).claimed).toBe(true);
    expect((await store.claimOnce('batch', 'b1', 'you')).claimed).toBe(false);
  });
});

describeRedis('store selection with a real Redis', () => {
  let redis: TestRedis;
  let down = false;
  const stopRedis = async () => {
    down = true;
    await redis.stop();
  };
  const startAgain = async () => {
    await redis.start();
    down = false;
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });
  afterEach(async () => {
    if (down) await startAgain();
  });

  it('uses Redis when it is reachable', async () => {
    const store = await select({ REDIS_URL: redis.url });
    expect(store.kind).toBe('redis');
    expect(await store.health()).toMatchObject({ kind: 'redis', healthy: true, degraded: false });
  });

  it('dual read: falls through to the embedded store and backfills Redis', async () => {
    const prefix = `t-${randomUUID()}`;
    const db = newDb();
    const embedded = createSqliteStateStore(db, { CONTEXT_STATE_TTL_SECONDS: 7200 });
    await embedded.putRecord('drafts', 'd1', { status: 'pending' });
    await embedded.putRecord('drafts', 'd1', { status: 'approved' });
    await embedded.putRecord('drafts', 'd2', { status: 'pending' });
    await embedded.setContext('session', { step: 1 }, 600);
    await embedded.increment('sends', 4);
    await embedded.claimOnce('batch', 'b1', 'alice');
    const oldLock = await embedded.acquireLock('dispatch', 1);

    const store = await select({ REDIS_URL: redis.url, STATE_DUAL_READ_ENABLED: 'true' }, db, prefix);
    const direct = createRedisStateStore(redisStoreConfig(redis.url, prefix));
    opened.push({ store: direct });
    await direct.connect();

    expect(await direct.hasRecord('drafts', 'd1')).toBe(false);
    expect(await store.getRecord('drafts', 'd1')).toEqual({
      id: 'd1',
      value: { status: 'approved' },
      version: 2,
    });
    expect(await direct.getRecord('drafts', 'd1')).toEqual({
      id: 'd1',
      value: { status: 'approved' },
      version: 2,
    });
    expect(await store.countRecords('drafts')).toBe(2);
    expect(await store.getContext('session')).toEqual({ step: 1 });
    expect(await direct.getContext('session')).toEqual({ step: 1 });
    expect(await store.increment('sends')).toBe(5);
    expect(await store.claimOnce('batch', 'b1', 'bob')).toEqual({ claimed: false, by: 'alice' });
    const lock = await store.acquireLock('dispatch', 10_000);
    expect(lock?.fence).toBeGreaterThan(oldLock?.fence ?? Infinity);
    // CAS continues from the embedded version; writes land in Redis only.
    expect((await store.compareAndSet('drafts', 'd2', 1, { status: 'approved' })).ok).toBe(true);
    expect((await embedded.getRecord('drafts', 'd2'))?.version).toBe(1);
    expect((await direct.getRecord('drafts', 'd2'))?.version).toBe(2);
    // A delete reaches both stores, so the fallthrough cannot resurrect it.
    expect(await store.deleteRecord('drafts', 'd1')).toBe(true);
    expect(await store.getRecord('drafts', 'd1')).toBeUndefined();
  });

  it('dual read off: reads come from Redis only', async () => {
    const db = newDb();
    await createSqliteStateStore(db, { CONTEXT_STATE_TTL_SECONDS: 7200 }).putRecord('drafts', 'd1', { a: 1 });
    const store = await select({ REDIS_URL: redis.url, STATE_DUAL_READ_ENABLED: 'false' }, db);
    expect(await store.getRecord('drafts', 'd1')).toBeUndefined();
    expect(await store.countRecords('drafts')).toBe(0);
  });

  it('Redis stopped mid-operation and restarted: falls back, nothing hangs, recovers (not required)', async () => {
    const store = await select({
      REDIS_URL: redis.url,
      REDIS_REQUIRED: 'false',
      STATE_DUAL_READ_ENABLED: 'true',
    });
    await store.putRecord('drafts', 'before', { n: 1 });

    const inFlight = Array.from({ length: 200 }, (_, i) => store.increment(`n${i % 5}`));
    const stopping = stopRedis();
    for (const op of inFlight) {
      const settled = await settlesWithin(op, 5_000);
      if (settled.status === 'rejected') expect(settled.reason).toMatchObject({ code: 'redis_unavailable' });
    }
    await stopping;

    await waitUntil(() => store.kind === 'sqlite', 'the store to fall back');
    expect(await store.health()).toMatchObject({ kind: 'sqlite', degraded: true });
    await store.putRecord('drafts', 'during', { n: 2 });
    expect((await store.claimOnce('batch', 'outage', 'me')).claimed).toBe(true);

    await startAgain();
    await waitUntil(() => store.kind === 'redis', 'the client to reconnect', 10_000);
    expect(await store.health()).toMatchObject({ kind: 'redis', healthy: true, degraded: false });
    // Redis lost its data (no persistence); the outage write is found through the dual read and backfilled.
    expect((await store.getRecord('drafts', 'during'))?.value).toEqual({ n: 2 });
    expect(await store.claimOnce('batch', 'outage', 'you')).toEqual({ claimed: false, by: 'me' });
  });

  it('Redis stopped with REDIS_REQUIRED=true: clear errors within the timeout, then recovers', async () => {
    const store = await select({ REDIS_URL: redis.url, REDIS_REQUIRED: 'true' });
    expect((await store.claimOnce('batch', 'x', 'me')).claimed).toBe(true);
    await stopRedis();

    const calls: (() => Promise<unknown>)[] = [
      () => store.getRecord('drafts', 'a'),
      () => store.consume('k', 5, 60),
      () => store.acquireLock('l', 1000),
    ];
    for (const call of calls) {
      const settled = await settlesWithin(call(), 5_000);
      expect(settled.status).toBe('rejected');
      if (settled.status === 'rejected') {
        expect(isUserError(settled.reason)).toBe(true);
        expect(settled.reason).toMatchObject({ code: 'redis_unavailable' });
        expect(String(settled.reason.message)).toMatch(
          /Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unavailable/,
        );
      }
    }
    expect(await store.health()).toMatchObject({ kind: 'redis', healthy: false, degraded: false });

    await startAgain();
    await waitUntil(async () => (await store.health()).healthy, 'the client to reconnect', 10_000);
    expect((await store.claimOnce('batch', 'y', 'me')).claimed).toBe(true);
  });
});

describeRedis('a paused Redis (SIGSTOP): commands time out instead of hanging', () => {
  let server: ChildProcess | undefined;
  afterEach(() => {
    server?.kill('SIGCONT');
    server?.kill('SIGKILL');
    server = undefined;
  });

  it('fails calls with redis_unavailable within the command timeout, then recovers on SIGCONT', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const url = `redis://127.0.0.1:${port}`;
    await waitUntil(async () => {
      const probe = createRedisStateStore(redisStoreConfig(url, 'probe'), FAST);
      const up = await probe.connect().then(
        () => true,
        () => false,
      );
      await probe.close();
      return up;
    }, 'redis-server to start');

    const store = await select({ REDIS_URL: url, REDIS_REQUIRED: 'true' });
    expect((await store.claimOnce('batch', 'before', 'me')).claimed).toBe(true);
    server.kill('SIGSTOP');
    const settled = await settlesWithin(store.claimOnce('batch', 'paused', 'me'), 5_000);
    expect(settled.status).toBe('rejected');
    if (settled.status === 'rejected') expect(settled.reason).toMatchObject({ code: 'redis_unavailable' });
    server.kill('SIGCONT');
    await waitUntil(async () => (await store.health()).healthy, 'the paused server to answer again');
    expect(await store.claimOnce('batch', 'before', 'you')).toEqual({ claimed: false, by: 'me' });
  });
});
