import { describe } from 'vitest';
import { REDIS_AVAILABLE } from './redis-server.js';

/** `describe` for suites that need redis-server: skipped (loudly, by global setup) only when it is absent. */
export const describeRedis = REDIS_AVAILABLE ? describe : describe.skip;
