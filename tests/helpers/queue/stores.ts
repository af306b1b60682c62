/** Run one suite against the embedded store and against a private Redis (skipped loudly without redis-server). */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { startRedis, type TestRedis } from '../redis-server.js';
import { describeRedis } from '../redis-suite.js';
import { useTempDir } from '../temp.js';
import { makeWorld, type World, type WorldOptions } from './world.js';

export type MakeWorld = (options?: Partial<Omit<WorldOptions, 'kind'>>) => Promise<World>;

export interface StoreTarget {
  kind: 'sqlite' | 'redis';
  /** Set in beforeAll for Redis; read when a test builds its world. */
  redisUrl: string | undefined;
}

function suiteBody(target: StoreTarget, suite: (make: MakeWorld, target: StoreTarget) => void): void {
  const tempDir = useTempDir();
  const open: World[] = [];
  afterEach(async () => {
    for (const world of open.splice(0)) await world.close();
  });
  const make: MakeWorld = async (options = {}) => {
    const world = await makeWorld({
      ...options,
      kind: target.kind,
      dir: options.dir ?? tempDir(),
      redisUrl: target.redisUrl,
      prefix: options.prefix ?? `t-${randomUUID()}`,
    });
    open.push(world);
    return world;
  };
  suite(make, target);
}

export function describeStores(name: string, suite: (make: MakeWorld, target: StoreTarget) => void): void {
  describe(`${name} [sqlite]`, () => suiteBody({ kind: 'sqlite', redisUrl: undefined }, suite));
  describeRedis(`${name} [redis]`, () => {
    const target: StoreTarget = { kind: 'redis', redisUrl: undefined };
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
