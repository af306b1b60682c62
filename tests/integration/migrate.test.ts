import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as migrateCommand from '../../src/commands/migrate.js';
import { parseConfig } from '../../src/runtime/config.js';
import { runMigrate } from '../../src/runtime/services/migrate.js';
import { createRedisStateStore } from '../../src/runtime/stores/redis/redis-state-store.js';
import { createStateStore } from '../../src/runtime/stores/select-store.js';
import { openDatabase } from '../../src/runtime/stores/sqlite/database.js';
import { createSqliteStateStore } from '../../src/runtime/stores/sqlite/sqlite-state-store.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { describeRedis } from '../helpers/redis-suite.js';
import { runCommand } from '../helpers/store-command.js';
import { redisStoreConfig } from '../helpers/store-config.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

function envFor(url: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: url,
    STATE_REDIS_PREFIX: `${prefix}:state`,
    CONTEXT_REDIS_PREFIX: `${prefix}:context`,
    RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:ratelimit`,
    ...extra,
  };
}

/** An embedded store with some of every kind of state. */
async function seedHive(): Promise<string> {
  const hive = tempDir();
  const db = openDatabase(join(hive, 'caio.db'));
  const store = createSqliteStateStore(db, { CONTEXT_STATE_TTL_SECONDS: 7200 });
  for (let i = 0; i < 5; i++) await store.putRecord('drafts', `d${i}`, { status: 'pending', i });
  await store.putRecord('drafts', 'd0', { status: 'approved', i: 0 });
  await store.putRecord('batches', 'b1', { items: ['d0'] });
  await store.setContext('session:1', { step: 2 }, 3600);
  await store.increment('sends:2026-11-21', 3, 86_400);
  await store.increment('ramp:clean-days', 2);
  await store.claimOnce('batch-execute', 'b1', 'hos@acme.io');
  const lock = await store.acquireLock('dispatch', 60_000);
  if (lock) await store.releaseLock(lock);
  db.close();
  return hive;
}

describe('caio migrate without Redis', () => {
  it('is a configuration error when REDIS_URL is unset', async () => {
    const hive = await seedHive();
    await expect(
      runCommand(migrateCommand, ['--hive-dir', hive], { cwd: hive, env: {} }),
    ).rejects.toMatchObject({
      code: 'redis_url_missing',
      exitCode: 2,
    });
  });

  it('is a configuration error when the hive dir holds no database', async () => {
    const empty = tempDir();
    await expect(
      runMigrate({ config: parseConfig(envFor('redis://127.0.0.1:1', 'x')), hiveDir: empty, dryRun: false }),
    ).rejects.toMatchObject({ code: 'hive_dir_missing', exitCode: 2 });
  });

  it('reports not ok (exit 1) when Redis is unreachable, without leaking the password', async () => {
    const hive = await seedHive();
    const result = await runCommand(migrateCommand, ['--hive-dir', hive], {
      cwd: hive,
      env: envFor('redis://:topsecretpassword@127.0.0.1:1', 'x'),
    });
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { ok: boolean; errors: { kind: string }[] };
    expect(summary.ok).toBe(false);
    expect(summary.errors[0]?.kind).toBe('redis');
    expect(result.stdout).not.toContain('topsecretpassword');
  });
});

describeRedis('caio migrate into a real Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('copies everything, verifies, and a rerun migrates nothing new', async () => {
    const hive = await seedHive();
    const prefix = `t-${randomUUID()}`;
    const env = envFor(redis.url, prefix);

    const dry = await runCommand(migrateCommand, ['--hive-dir', hive, '--dry-run'], { cwd: hive, env });
    expect(dry.code).toBe(0);
    const drySummary = JSON.parse(dry.stdout) as Record<string, unknown>;
    expect(drySummary).toMatchObject({
      ok: true,
      dry_run: true,
      migrated: { records: { drafts: 5, batches: 1 }, contexts: 1, counters: 2, claims: 1, fences: 1 },
      verified: null,
    });
    const direct = createRedisStateStore(redisStoreConfig(redis.url, prefix));
    await direct.connect();
    expect(await direct.countRecords('drafts')).toBe(0);

    const first = await runCommand(migrateCommand, ['--hive-dir', hive], { cwd: hive, env });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      ok: true,
      dry_run: false,
      source: join(hive, 'caio.db'),
      migrated: { records: { drafts: 5, batches: 1 }, contexts: 1, counters: 2, claims: 1, fences: 1 },
      skipped: { records: { drafts: 0, batches: 0 }, contexts: 0, counters: 0, claims: 0, fences: 0 },
      verified: { records: { drafts: 5, batches: 1 }, contexts: 1, counters: 2, claims: 1, fences: 1 },
      errors: [],
    });

    const second = await runCommand(migrateCommand, ['--hive-dir', hive], { cwd: hive, env });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      ok: true,
      migrated: { records: { drafts: 0, batches: 0 }, contexts: 0, counters: 0, claims: 0, fences: 0 },
      skipped: { records: { drafts: 5, batches: 1 }, contexts: 1, counters: 2, claims: 1, fences: 1 },
    });

    // With dual read off, a runtime over an empty embedded store reads the migrated data from Redis.
    const emptyDb = openDatabase(join(tempDir(), 'caio.db'));
    const store = await createStateStore(parseConfig({ ...env, STATE_DUAL_READ_ENABLED: 'false' }), {
      db: emptyDb,
    });
    expect(store.kind).toBe('redis');
    expect(await store.getRecord('drafts', 'd0')).toEqual({
      id: 'd0',
      value: { status: 'approved', i: 0 },
      version: 2,
    });
    expect(await store.countRecords('drafts')).toBe(5);
    expect(await store.getContext('session:1')).toEqual({ step: 2 });
    expect(await store.getCounter('sends:2026-11-21')).toBe(3);
    expect(await store.claimOnce('batch-execute', 'b1', 'someone')).toEqual({
      claimed: false,
      by: 'hos@acme.io',
    });
    expect((await store.acquireLock('dispatch', 1_000))?.fence).toBe(2);
    expect(await direct.client.pttl(`${prefix}:context:session:1`)).toBeGreaterThan(3_500_000);
    await store.close();
    emptyDb.close();
    await direct.close();
  });

  it('never overwrites newer Redis data and reports a conflicting claim', async () => {
    const hive = await seedHive();
    const prefix = `t-${randomUUID()}`;
    const direct = createRedisStateStore(redisStoreConfig(redis.url, prefix));
    await direct.connect();
    for (let i = 0; i < 3; i++) await direct.putRecord('drafts', 'd1', { status: 'sent' });
    await direct.claimOnce('batch-execute', 'b1', 'someone-else');

    const summary = await runMigrate({
      config: parseConfig(envFor(redis.url, prefix)),
      hiveDir: hive,
      dryRun: false,
    });
    expect(summary.ok).toBe(false);
    expect(summary.migrated.records.drafts).toBe(4);
    expect(summary.skipped.records.drafts).toBe(1);
    expect(summary.errors).toEqual([
      {
        kind: 'claims',
        key: 'batch-execute/b1',
        message: 'claimed by "someone-else" in Redis, "hos@acme.io" here',
      },
    ]);
    expect(await direct.getRecord('drafts', 'd1')).toEqual({
      id: 'd1',
      value: { status: 'sent' },
      version: 3,
    });
    await direct.close();
  });
});
