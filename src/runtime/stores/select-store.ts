/**
 * Which state store a runtime gets (SPEC 5):
 * - REDIS_URL unset: the embedded SQLite store;
 * - REDIS_URL set and reachable: Redis (with the dual-read fallthrough when STATE_DUAL_READ_ENABLED);
 * - set but unreachable: REDIS_REQUIRED=true fails fast with a UserError (serve refuses to start);
 *   otherwise the embedded store serves, health() says degraded, and Redis takes over again as soon as
 *   the client reconnects.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { maskUrl } from '../mask.js';
import { createRedisStateStore, type RedisStateStoreOptions } from './redis/redis-state-store.js';
import { createRoutedStateStore } from './routed-state-store.js';
import type { SqliteDatabase } from './sqlite/database.js';
import { createSqliteStateStore } from './sqlite/sqlite-state-store.js';
import type { StateStore } from './state-store.js';

export interface StateStoreDeps {
  db: SqliteDatabase;
  /** Timeouts for the Redis client (tests shorten them). */
  redis?: RedisStateStoreOptions;
  now?: () => number;
}

export async function createStateStore(config: Config, deps: StateStoreDeps): Promise<StateStore> {
  const embedded = createSqliteStateStore(deps.db, config, deps.now ? { now: deps.now } : {});
  const url = config.REDIS_URL;
  if (url === undefined) return embedded;

  const redis = createRedisStateStore({ ...config, REDIS_URL: url }, deps.redis);
  try {
    await redis.connect();
  } catch (error) {
    if (config.REDIS_REQUIRED) {
      await redis.close();
      throw new UserError(`REDIS_REQUIRED=true but Redis at ${maskUrl(url)} is unreachable`, {
        exitCode: 1,
        code: 'redis_unavailable',
        nextStep:
          'Start Redis or fix REDIS_URL; set REDIS_REQUIRED=false only outside production to run on the embedded store.',
        cause: error,
      });
    }
    // Not required: keep the client reconnecting in the background and serve from the embedded store.
  }
  return createRoutedStateStore({
    redis,
    embedded,
    required: config.REDIS_REQUIRED,
    dualRead: config.STATE_DUAL_READ_ENABLED,
    redisUrl: url,
  });
}
