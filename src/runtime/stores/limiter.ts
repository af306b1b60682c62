/**
 * `consume(key, limit, window)` on top of rate-limiter-flexible (Redis Lua and better-sqlite3 upsert,
 * both atomic). The library fixes `points` and `duration` per limiter instance, so each store keeps one
 * instance per (limit, window) pair, built on first use. Why this library and not hand-written code:
 * docs/state.md.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ConsumeResult } from './state-store.js';
import { requirePositiveInt } from './validate-args.js';

export type LimiterFactory = (points: number, durationSeconds: number) => RateLimiterAbstract;

export type Consume = (key: string, limit: number, windowSeconds: number) => Promise<ConsumeResult>;

export function createConsume(make: LimiterFactory): Consume {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (limit: number, windowSeconds: number) => {
    const id = `${limit}/${windowSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = make(limit, windowSeconds);
      limiters.set(id, limiter);
    }
    return limiter;
  };

  return async (key, limit, windowSeconds) => {
    requirePositiveInt(limit, 'limit');
    requirePositiveInt(windowSeconds, 'windowSeconds');
    try {
      const res = await limiterFor(limit, windowSeconds).consume(key, 1);
      return toResult(true, res);
    } catch (rejection) {
      // The library rejects with a RateLimiterRes when the limit is reached, with an Error when the store fails.
      if (rejection instanceof RateLimiterRes) return toResult(false, rejection);
      throw rejection;
    }
  };
}

function toResult(allowed: boolean, res: RateLimiterRes): ConsumeResult {
  return { allowed, remaining: Math.max(0, res.remainingPoints), resetMs: Math.max(0, res.msBeforeNext) };
}
