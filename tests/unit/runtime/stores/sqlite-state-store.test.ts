import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/runtime/stores/sqlite/database.js';
import { createSqliteStateStore } from '../../../../src/runtime/stores/sqlite/sqlite-state-store.js';
import { defineStateStoreContract } from '../../../helpers/store-contract.js';
import { useTempDir } from '../../../helpers/temp.js';

const config = { CONTEXT_STATE_TTL_SECONDS: 7200 };

defineStateStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'caio-state-'));
  const db = openDatabase(join(dir, 'caio.db'));
  const store = createSqliteStateStore(db, config);
  return {
    store,
    async cleanup() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite state store specifics', () => {
  const tempDir = useTempDir();

  it('keeps state across reopening the file (durable, shared by processes)', async () => {
    const path = join(tempDir(), 'caio.db');
    const db1 = openDatabase(path);
    const one = createSqliteStateStore(db1, config);
    await one.putRecord('drafts', 'd1', { status: 'pending' });
    await one.claimOnce('batch', 'b1', 'alice');
    const lock = await one.acquireLock('dispatch', 60_000);
    db1.close();

    const db2 = openDatabase(path);
    const two = createSqliteStateStore(db2, config);
    expect(await two.getRecord('drafts', 'd1')).toEqual({
      id: 'd1',
      value: { status: 'pending' },
      version: 1,
    });
    expect(await two.claimOnce('batch', 'b1', 'bob')).toEqual({ claimed: false, by: 'alice' });
    expect(await two.checkFence('dispatch', lock?.fence ?? -1)).toBe(true);
    db2.close();
  });

  it('uses the injected clock for TTLs and lock expiry', async () => {
    let now = 1_000_000;
    const db = openDatabase(join(tempDir(), 'caio.db'));
    const store = createSqliteStateStore(db, config, { now: () => now });
    await store.setContext('c', 1, 10);
    await store.setContext('default-ttl', 2);
    const lock = await store.acquireLock('l', 5_000);
    expect(lock?.expiresAt).toBe(1_005_000);
    now += 9_999;
    expect(await store.getContext('c')).toBe(1);
    expect(await store.checkFence('l', lock?.fence ?? -1)).toBe(false);
    now += 1;
    expect(await store.getContext('c')).toBeUndefined();
    now += 7_190_000 - 1;
    expect(await store.getContext('default-ttl')).toBe(2);
    now += 1;
    expect(await store.getContext('default-ttl')).toBeUndefined();
    db.close();
  });

  it('dumps live state for migration, with remaining TTLs and the last fence', async () => {
    let now = 5_000_000;
    const db = openDatabase(join(tempDir(), 'caio.db'));
    const store = createSqliteStateStore(db, config, { now: () => now });
    await store.putRecord('drafts', 'd1', { a: 1 });
    await store.putRecord('drafts', 'd1', { a: 2 });
    await store.putRecord('batches', 'b1', { b: 1 });
    await store.setContext('live', 'x', 100);
    await store.setContext('dead', 'y', 1);
    await store.increment('forever', 3);
    await store.increment('daily', 2, 100);
    await store.claimOnce('batch', 'b1', 'alice');
    const lock = await store.acquireLock('dispatch', 1_000);
    if (lock) await store.releaseLock(lock);
    await store.acquireLock('dispatch', 1_000);
    now += 2_000;

    expect(store.dumpCollections()).toEqual(['batches', 'drafts']);
    expect(store.dumpRecords('drafts')).toEqual([
      { collection: 'drafts', id: 'd1', value: { a: 2 }, version: 2 },
    ]);
    expect(store.dumpContexts()).toEqual([{ key: 'live', value: 'x', ttlMs: 98_000 }]);
    expect(store.dumpCounters()).toEqual([
      { key: 'daily', value: 2, ttlMs: 98_000 },
      { key: 'forever', value: 3, ttlMs: undefined },
    ]);
    expect(store.dumpClaims()).toEqual([{ namespace: 'batch', token: 'b1', owner: 'alice' }]);
    expect(store.dumpFences()).toEqual([{ name: 'dispatch', fence: 2 }]);
    db.close();
  });
});
