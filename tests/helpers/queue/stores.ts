/**
 * Run one suite against the stores: the embedded coordination store and a private Redis, with the
 * record on SQLite; and Redis with the record on PostgreSQL (a fresh database per world). Skipped
 * loudly without redis-server or PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { createTestDatabase } from '../postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../record.js';
import { startRedis, type TestRedis } from '../redis-server.js';
import { describeRedis } from '../redis-suite.js';
import { useTempDir } from '../temp.js';
import { makeWorld, type World, type WorldOptions } from './world.js';

export type MakeWorld = (options?: Partial<Omit<WorldOptions, 'kind'>>) => Promise<World>;

export interface StoreTarget {
  kind: 'sqlite' | 'redis';
  /** Where the record is. */
  record: 'sqlite' | 'postgres';
  /** Set in beforeAll for Redis; read when a test builds its world. */
  redisUrl: string | undefined;
}

function suiteBody(target: StoreTarget, suite: (make: MakeWorld, target: StoreTarget) => void): void {
  const tempDir = useTempDir();
  const open: World[] = [];
  const drops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const world of open.splice(0)) await world.close();
  });
  afterAll(async () => {
    for (const drop of drops.splice(0)) await drop();
  });
  const make: MakeWorld = async (options = {}) => {
    let databaseUrl = options.databaseUrl;
    if (target.record === 'postgres' && !databaseUrl) {
      const database = await createTestDatabase();
      drops.push(() => database.drop());
      databaseUrl = database.url;
    }
    const world = await makeWorld({
      ...options,
      kind: target.kind,
      dir: options.dir ?? tempDir(),
      redisUrl: target.redisUrl,
      prefix: options.prefix ?? `t-${randomUUID()}`,
      databaseUrl,
    });
    open.push(world);
    return world;
  };
  suite(make, target);
}

export function describeStores(
  name: string,
  suite: (make: MakeWorld, target: StoreTarget) => void,
  /** Also run with the record on PostgreSQL (suites that read the record, not the embedded audit log). */
  options: { postgres?: boolean } = {},
): void {
  describe(`${name} [sqlite]`, () =>
    suiteBody({ kind: 'sqlite', record: 'sqlite', redisUrl: undefined }, suite));
  for (const record of options.postgres ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
    const run = record === 'postgres' && !POSTGRES_FOR_TESTS ? describe.skip : describeRedis;
    run(`${name} [redis${record === 'postgres' ? ', postgres record' : ''}]`, () => {
      const target: StoreTarget = { kind: 'redis', record, redisUrl: undefined };
      let redis: TestRedis;
      beforeAll(async () => {
        redis = await startRedis();
        target.redisUrl = redis.url;
      });
      afterAll(async () => {
        await redis.close();
      });
      suiteBody(target, suite);
    });
  }
}
