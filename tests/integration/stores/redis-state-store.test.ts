import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisStateStore } from '../../../src/runtime/stores/redis/redis-state-store.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { defineStateStoreContract } from '../../helpers/store-contract.js';
import { redisStoreConfig } from '../../helpers/store-config.js';

describeRedis('redis state store', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  defineStateStoreContract('redis', async () => {
    const store = createRedisStateStore(redisStoreConfig(redis.url, `t-${randomUUID()}`));
    await store.connect();
    return { store, cleanup: () => store.close() };
  });

  it('keeps keys under the configured prefixes', async () => {
    const prefix = `t-${randomUUID()}`;
    const store = createRedisStateStore(redisStoreConfig(redis.url, prefix));
    await store.connect();
    await store.putRecord('drafts', 'd1', { a: 1 });
    await store.setContext('s', 1);
    await store.consume('ip', 5, 60);
    await store.increment('n');
    await store.claimOnce('batch', 'b', 'me');
    await store.acquireLock('dispatch', 60_000);
    const keys = (await store.client.keys(`${prefix}:*`)).sort();
    expect(keys).toEqual([
      `${prefix}:context:s`,
      `${prefix}:ratelimit:ip`,
      `${prefix}:state:claim:batch`,
      `${prefix}:state:counter:n`,
      `${prefix}:state:fence:dispatch`,
      `${prefix}:state:lock:dispatch`,
      `${prefix}:state:rec:drafts`,
    ]);
    expect(await store.client.ttl(`${prefix}:context:s`)).toBeGreaterThan(7000);
    await store.close();
  });
});
