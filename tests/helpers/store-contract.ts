/**
 * The one behaviour suite every StateStore must pass (SPEC 5). Each store's test file calls
 * `defineStateStoreContract` with a factory that builds a fresh, isolated store per test
 * (temp SQLite file, or a unique Redis key prefix).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/runtime/stores/state-store.js';

export interface ContractStore {
  store: StateStore;
  cleanup(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractStore>;

/** Poll until `check` returns true, failing after `timeoutMs` (no fixed sleeps). */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function defineStateStoreContract(name: string, factory: ContractFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    let current: ContractStore;
    let store: StateStore;
    beforeEach(async () => {
      current = await factory();
      store = current.store;
    });
    afterEach(async () => {
      await current.cleanup();
    });

    describe('records', () => {
      it('puts, reads, lists, counts and deletes with increasing versions', async () => {
        expect(await store.getRecord('drafts', 'd1')).toBeUndefined();
        expect(await store.putRecord('drafts', 'd1', { status: 'pending' })).toEqual({
          id: 'd1',
          value: { status: 'pending' },
          version: 1,
        });
        expect((await store.putRecord('drafts', 'd1', { status: 'approved' })).version).toBe(2);
        await store.putRecord('drafts', 'd2', { status: 'pending', n: [1, 2] });
        await store.putRecord('batches', 'b1', 'text value');

        expect(await store.getRecord('drafts', 'd1')).toEqual({
          id: 'd1',
          value: { status: 'approved' },
          version: 2,
        });
        const many = await store.getRecords('drafts', ['d1', 'd2', 'missing']);
        expect([...many.keys()].sort()).toEqual(['d1', 'd2']);
        expect(many.get('d2')?.value).toEqual({ status: 'pending', n: [1, 2] });
        expect((await store.getRecords('drafts', [])).size).toBe(0);
        expect((await store.listRecords('drafts')).map((r) => r.id).sort()).toEqual(['d1', 'd2']);
        expect(await store.countRecords('drafts')).toBe(2);
        expect(await store.countRecords('batches')).toBe(1);
        expect(await store.countRecords('nothing')).toBe(0);

        expect(await store.deleteRecord('drafts', 'd1')).toBe(true);
        expect(await store.deleteRecord('drafts', 'd1')).toBe(false);
        expect(await store.countRecords('drafts')).toBe(1);
      });

      it('refuses a value that is not JSON', async () => {
        await expect(store.putRecord('drafts', 'x', undefined)).rejects.toThrow(/JSON/);
      });
    });

    describe('compare-and-set', () => {
      it('creates with expected version 0 once and reports the winner to the loser', async () => {
        const first = await store.compareAndSet('drafts', 'd1', 0, { status: 'pending' });
        expect(first).toEqual({ ok: true, record: { id: 'd1', value: { status: 'pending' }, version: 1 } });
        const second = await store.compareAndSet('drafts', 'd1', 0, { status: 'other' });
        expect(second).toEqual({
          ok: false,
          current: { id: 'd1', value: { status: 'pending' }, version: 1 },
        });
      });

      it('moves from the expected version only', async () => {
        await store.putRecord('drafts', 'd1', { status: 'pending' });
        expect((await store.compareAndSet('drafts', 'd1', 1, { status: 'approved' })).ok).toBe(true);
        const stale = await store.compareAndSet('drafts', 'd1', 1, { status: 'rejected' });
        expect(stale).toEqual({
          ok: false,
          current: { id: 'd1', value: { status: 'approved' }, version: 2 },
        });
        const missing = await store.compareAndSet('drafts', 'nope', 3, { status: 'x' });
        expect(missing).toEqual({ ok: false, current: undefined });
      });

      it('resolves approve and reject racing on one draft to exactly one outcome', async () => {
        await store.putRecord('drafts', 'd1', { status: 'pending' });
        const attempts = Array.from({ length: 20 }, (_, i) =>
          store.compareAndSet('drafts', 'd1', 1, { status: i % 2 === 0 ? 'approved' : 'rejected', by: i }),
        );
        const results = await Promise.all(attempts);
        const winners = results.filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        const stored = await store.getRecord('drafts', 'd1');
        expect(stored?.version).toBe(2);
        for (const loser of results.filter((r) => !r.ok)) {
          expect(loser.ok === false && loser.current).toEqual(stored);
        }
      });
    });

    describe('rate limiter', () => {
      it('allows `limit` calls per window, then refuses with the time to reset', async () => {
        const results = [];
        for (let i = 0; i < 6; i++) results.push(await store.consume('ip:1', 5, 60));
        expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
        expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
        const last = results[5];
        expect(last?.resetMs).toBeGreaterThan(0);
        expect(last?.resetMs).toBeLessThanOrEqual(60_000);
        expect((await store.consume('ip:2', 5, 60)).allowed).toBe(true);
      });

      it('allows exactly `limit` of many concurrent calls', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, () => store.consume('burst', 10, 60)));
        expect(results.filter((r) => r.allowed)).toHaveLength(10);
      });

      it('opens again when the window ends', async () => {
        expect((await store.consume('short', 1, 1)).allowed).toBe(true);
        expect((await store.consume('short', 1, 1)).allowed).toBe(false);
        await waitUntil(async () => (await store.consume('short', 1, 1)).allowed, 'the 1 s window to reset');
      });

      it('rejects a limit that is not a positive integer', async () => {
        await expect(store.consume('k', 0, 60)).rejects.toThrow(/limit/);
        await expect(store.consume('k', 5, 1.5)).rejects.toThrow(/windowSeconds/);
      });
    });

    describe('context', () => {
      it('stores, reads and deletes JSON values', async () => {
        expect(await store.getContext('session:a')).toBeUndefined();
        await store.setContext('session:a', { step: 2, refs: ['x'] });
        expect(await store.getContext('session:a')).toEqual({ step: 2, refs: ['x'] });
        await store.setContext('session:a', { step: 3 }, 60);
        expect(await store.getContext('session:a')).toEqual({ step: 3 });
        await store.deleteContext('session:a');
        expect(await store.getContext('session:a')).toBeUndefined();
      });

      it('forgets a value after its TTL', async () => {
        await store.setContext('session:ttl', 'soon gone', 1);
        expect(await store.getContext('session:ttl')).toBe('soon gone');
        await waitUntil(async () => (await store.getContext('session:ttl')) === undefined, 'context expiry');
      });
    });

    describe('dispatch lock', () => {
      it('has one holder at a time; only the owner extends and releases', async () => {
        const lock = await store.acquireLock('dispatch', 10_000);
        expect(lock).toBeDefined();
        if (!lock) return;
        expect(lock.fence).toBeGreaterThanOrEqual(1);
        expect(lock.expiresAt).toBeGreaterThan(Date.now());
        expect(await store.acquireLock('dispatch', 10_000)).toBeUndefined();
        expect(await store.checkFence('dispatch', lock.fence)).toBe(true);

        const impostor = { ...lock, owner: 'someone-else' };
        expect(await store.extendLock(impostor, 10_000)).toBeUndefined();
        expect(await store.releaseLock(impostor)).toBe(false);

        const extended = await store.extendLock(lock, 20_000);
        expect(extended?.expiresAt).toBeGreaterThan(lock.expiresAt);
        expect(extended?.fence).toBe(lock.fence);

        expect(await store.releaseLock(lock)).toBe(true);
        expect(await store.releaseLock(lock)).toBe(false);
        expect(await store.checkFence('dispatch', lock.fence)).toBe(false);

        const next = await store.acquireLock('dispatch', 10_000);
        expect(next?.fence).toBe(lock.fence + 1);
        expect(await store.checkFence('dispatch', lock.fence)).toBe(false);
        expect(await store.acquireLock('other-lock', 10_000)).toBeDefined();
      });

      it('expires, and the stale holder is fenced off', async () => {
        const stale = await store.acquireLock('dispatch', 150);
        if (!stale) throw new Error('first acquire failed');
        let fresh: Awaited<ReturnType<StateStore['acquireLock']>>;
        await waitUntil(
          async () => (fresh = await store.acquireLock('dispatch', 10_000)) !== undefined,
          'lock expiry',
        );
        if (!fresh) throw new Error('unreachable');
        expect(fresh.fence).toBeGreaterThan(stale.fence);
        expect(await store.checkFence('dispatch', stale.fence)).toBe(false);
        expect(await store.checkFence('dispatch', fresh.fence)).toBe(true);
        expect(await store.extendLock(stale, 10_000)).toBeUndefined();
        expect(await store.releaseLock(stale)).toBe(false);
        expect(await store.checkFence('dispatch', fresh.fence)).toBe(true);
      });

      it('gives the lock to exactly one of many concurrent contenders', async () => {
        const locks = await Promise.all(Array.from({ length: 20 }, () => store.acquireLock('race', 10_000)));
        expect(locks.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('one-time claim', () => {
      it('is won once, forever', async () => {
        expect(await store.claimOnce('batch', 'b1', 'alice')).toEqual({ claimed: true });
        expect(await store.claimOnce('batch', 'b1', 'bob')).toEqual({ claimed: false, by: 'alice' });
        expect(await store.claimOnce('batch', 'b1', 'alice')).toEqual({ claimed: false, by: 'alice' });
        expect(await store.claimOnce('other', 'b1', 'bob')).toEqual({ claimed: true });
      });

      it('has exactly one winner among 50 concurrent claims', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.claimOnce('batch', 'token', `owner-${i}`)),
        );
        const winners = results.flatMap((r, i) => (r.claimed ? [`owner-${i}`] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) if (!r.claimed) expect(r.by).toBe(winners[0]);
      });
    });

    describe('counters', () => {
      it('increments atomically', async () => {
        expect(await store.getCounter('sends:2026-11-21')).toBe(0);
        expect(await store.increment('sends:2026-11-21')).toBe(1);
        expect(await store.increment('sends:2026-11-21', 5)).toBe(6);
        const all = await Promise.all(Array.from({ length: 30 }, () => store.increment('sends:2026-11-21')));
        expect(new Set(all).size).toBe(30);
        expect(await store.getCounter('sends:2026-11-21')).toBe(36);
      });

      it('expires a counter created with a TTL', async () => {
        expect(await store.increment('daily', 1, 1)).toBe(1);
        expect(await store.increment('daily', 1, 1)).toBe(2);
        await waitUntil(async () => (await store.getCounter('daily')) === 0, 'counter expiry');
        expect(await store.increment('daily', 1, 1)).toBe(1);
      });
    });

    it('reports itself healthy', async () => {
      const health = await store.health();
      expect(health).toMatchObject({ kind: store.kind, healthy: true, degraded: false, error: undefined });
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    });
  });
}
