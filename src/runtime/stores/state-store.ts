/**
 * The state interface (SPEC 5). Two implementations: Redis (shared by many runtime processes) and
 * embedded SQLite (single machine, the default). Services above it (queue, gatekeeper, dispatch,
 * ramp) use only this interface, so every behaviour is tested against both stores with one suite.
 *
 * Values are JSON; a service validates what it reads back with zod before trusting it.
 */
import { errorMessage } from '../errors.js';

/** A JSON document in a collection, with a version that increases by one on every write. */
export interface StoredRecord<T = unknown> {
  id: string;
  value: T;
  /** 1 after the first write; compare-and-set checks it. */
  version: number;
}

export type CasResult<T = unknown> =
  | { ok: true; record: StoredRecord<T> }
  /** Someone else won: `current` is what is stored now (undefined when absent). */
  | { ok: false; current: StoredRecord<T> | undefined };

export interface ConsumeResult {
  allowed: boolean;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface Lock {
  name: string;
  /** Random owner token: only the owner can extend or release. */
  owner: string;
  /** Monotonic fencing token: writers pass it and stale holders are refused. */
  fence: number;
  expiresAt: number;
}

export type ClaimResult = { claimed: true } | { claimed: false; by: string };

export interface StoreHealth {
  kind: 'redis' | 'sqlite';
  healthy: boolean;
  /** Redis configured but unreachable and not required: running on the embedded fallback. */
  degraded: boolean;
  latencyMs: number | undefined;
  error: string | undefined;
}

export interface StateStore {
  readonly kind: 'redis' | 'sqlite';

  // Records ------------------------------------------------------------------------------------
  getRecord<T = unknown>(collection: string, id: string): Promise<StoredRecord<T> | undefined>;
  getRecords<T = unknown>(collection: string, ids: readonly string[]): Promise<Map<string, StoredRecord<T>>>;
  listRecords<T = unknown>(collection: string): Promise<StoredRecord<T>[]>;
  countRecords(collection: string): Promise<number>;
  /** Unconditional upsert; returns the new version. */
  putRecord<T = unknown>(collection: string, id: string, value: T): Promise<StoredRecord<T>>;
  /** Write only when the stored version equals `expectedVersion` (0 = the record must not exist). */
  compareAndSet<T = unknown>(
    collection: string,
    id: string,
    expectedVersion: number,
    value: T,
  ): Promise<CasResult<T>>;
  deleteRecord(collection: string, id: string): Promise<boolean>;

  // Primitives ---------------------------------------------------------------------------------
  /** Fixed-window rate limit: at most `limit` calls per `windowSeconds` for `key`. */
  consume(key: string, limit: number, windowSeconds: number): Promise<ConsumeResult>;
  /** Context/session state with TTL (CONTEXT_STATE_TTL_SECONDS by default). */
  setContext(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  getContext<T = unknown>(key: string): Promise<T | undefined>;
  deleteContext(key: string): Promise<void>;
  /** Dispatch lock with owner token, TTL and fencing counter; undefined when held by someone else. */
  acquireLock(name: string, ttlMs: number): Promise<Lock | undefined>;
  extendLock(lock: Lock, ttlMs: number): Promise<Lock | undefined>;
  /** Compare-and-delete: only the owner releases. */
  releaseLock(lock: Lock): Promise<boolean>;
  /** True while `fence` is the latest fencing token issued for `name` and the lock is held by it. */
  checkFence(name: string, fence: number): Promise<boolean>;
  /** One-time claim: the first caller wins, forever. */
  claimOnce(namespace: string, token: string, owner: string): Promise<ClaimResult>;
  /** Atomic counter (ramp: sends per day); `ttlSeconds` set on creation. */
  increment(key: string, by?: number, ttlSeconds?: number): Promise<number>;
  getCounter(key: string): Promise<number>;

  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** Time one round trip to a store: healthy with its latency, or unhealthy with the reason. */
export async function probeHealth(kind: StoreHealth['kind'], roundTrip: () => unknown): Promise<StoreHealth> {
  const started = performance.now();
  try {
    await roundTrip();
    return { kind, healthy: true, degraded: false, latencyMs: performance.now() - started, error: undefined };
  } catch (error) {
    return { kind, healthy: false, degraded: false, latencyMs: undefined, error: errorMessage(error) };
  }
}
