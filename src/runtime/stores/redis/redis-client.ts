/**
 * The one ioredis client of a runtime process. Nothing waits forever:
 * - `commandTimeout` bounds every command (a paused or unreachable server fails the call);
 * - no offline queue: while disconnected, calls fail at once instead of piling up;
 * - `maxRetriesPerRequest: 0`: a command in flight when the socket drops fails rather than being
 *   replayed after reconnect (a replayed INCR or claim would double-apply);
 * - `retryStrategy` keeps reconnecting in the background with capped backoff, so the client recovers
 *   by itself when Redis returns.
 * ioredis multiplexes every command over one connection (auto-pipelined), so a process uses one
 * connection, well under REDIS_MAX_CONNECTIONS (see docs/state.md).
 */
import { Redis } from 'ioredis';
import { UserError, errorMessage } from '../../errors.js';
import { maskUrl } from '../../mask.js';

export interface RedisClientOptions {
  url: string;
  /** Per-command deadline (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Deadline for the first connection (default 2000 ms). */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts (default 2000 ms). */
  maxReconnectDelayMs?: number;
}

export function createRedisClient(options: RedisClientOptions): Redis {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), options.maxReconnectDelayMs ?? 2_000),
  });
  // Without a listener ioredis prints every reconnect failure; health() reports the state instead.
  client.on('error', () => undefined);
  return client;
}

/** Wait until the client is ready, or fail after `timeoutMs` (the client keeps retrying in the background). */
export async function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') client.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
  });
}

/** A Redis reply error (script bug, wrong type) is ours; everything else means Redis is unavailable. */
export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

export class RedisUnavailableError extends UserError {
  constructor(url: string, cause: unknown) {
    super(`Redis at ${maskUrl(url)} is unavailable: ${errorMessage(cause)}`, {
      exitCode: 1,
      code: 'redis_unavailable',
      nextStep:
        'Check that Redis is running and REDIS_URL is right; unset REDIS_URL to use the embedded store.',
      cause,
    });
    this.name = 'RedisUnavailableError';
  }
}

export function isRedisUnavailable(error: unknown): error is RedisUnavailableError {
  return error instanceof RedisUnavailableError;
}
