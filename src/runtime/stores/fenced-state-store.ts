/**
 * The coordination store of a process that may be a split brain (its record is not the one the other
 * hosts on this Redis use): every write that other hosts would see — records, context, locks, claims,
 * counters — first calls `assert`, which throws while the process is refused. Reads pass (they change
 * nothing), and so do the rate limiter (it protects this host only) and releasing a lock already held.
 */
import type { StateStore } from './state-store.js';

export function fencedStateStore(store: StateStore, assert: () => void): StateStore {
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      assert();
      return call(...args);
    };
  return {
    get kind() {
      return store.kind;
    },
    getRecord: (collection, id) => store.getRecord(collection, id),
    getRecords: (collection, ids) => store.getRecords(collection, ids),
    listRecords: (collection) => store.listRecords(collection),
    countRecords: (collection) => store.countRecords(collection),
    putRecord: guard((collection: string, id: string, value: unknown) =>
      store.putRecord(collection, id, value),
    ) as StateStore['putRecord'],
    compareAndSet: guard((collection: string, id: string, expected: number, value: unknown) =>
      store.compareAndSet(collection, id, expected, value),
    ) as StateStore['compareAndSet'],
    deleteRecord: guard((collection: string, id: string) => store.deleteRecord(collection, id)),
    consume: (key, limit, windowSeconds) => store.consume(key, limit, windowSeconds),
    setContext: guard((key: string, value: unknown, ttlSeconds?: number) =>
      store.setContext(key, value, ttlSeconds),
    ),
    getContext: (key) => store.getContext(key),
    deleteContext: guard((key: string) => store.deleteContext(key)),
    acquireLock: guard((name: string, ttlMs: number) => store.acquireLock(name, ttlMs)),
    extendLock: guard((lock: Parameters<StateStore['extendLock']>[0], ttlMs: number) =>
      store.extendLock(lock, ttlMs),
    ),
    releaseLock: (lock) => store.releaseLock(lock),
    checkFence: (name, fence) => store.checkFence(name, fence),
    claimOnce: guard((namespace: string, token: string, owner: string) =>
      store.claimOnce(namespace, token, owner),
    ),
    increment: guard((key: string, by?: number, ttlSeconds?: number) => store.increment(key, by, ttlSeconds)),
    getCounter: (key) => store.getCounter(key),
    health: () => store.health(),
    close: () => store.close(),
  };
}
