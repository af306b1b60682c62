import type { RedisStoreConfig } from '../../src/runtime/stores/redis/redis-state-store.js';

/** Store config with every key under `prefix`, so tests sharing one Redis never see each other's keys. */
export function redisStoreConfig(url: string, prefix: string): RedisStoreConfig {
  return {
    REDIS_URL: url,
    STATE_REDIS_PREFIX: `${prefix}:state`,
    CONTEXT_REDIS_PREFIX: `${prefix}:context`,
    RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:ratelimit`,
    CONTEXT_STATE_TTL_SECONDS: 7200,
    REDIS_MAX_CONNECTIONS: 50,
  };
}
