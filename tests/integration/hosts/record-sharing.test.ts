/**
 * One record per Redis (SPEC 5): processes on one private Redis with different records (two SQLite
 * files) — the second is a split brain. `serve` stays up fenced (readiness 503 `records_not_shared`,
 * every shared write and every request but health refused); a CLI or console process refuses to
 * start (exit 2). After FLUSHALL the host that shares the record registers its id again; the split
 * brain does not. When the registered record has no live host left and none has confirmed it for the
 * heartbeat TTL, a restarted host takes over; a restart of the deployment is no opening for a stray.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { createRuntime, type Runtime } from '../../../src/runtime/services/runtime.js';
import { collectStatus } from '../../../src/runtime/services/status.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { createTestDatabase } from '../../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../../helpers/record.js';
import { REDIS_AVAILABLE, startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { useTempDir } from '../../helpers/temp.js';
import { TOKEN, SECRETS } from '../server/harness.js';

/** One host's configuration: its own data folder, the shared Redis under `prefix`. */
function hostConfig(redisUrl: string, hive: string, prefix: string, extra: Record<string, string> = {}) {
  return parseConfig({
    HIVE_DIR: hive,
    REDIS_URL: redisUrl,
    REDIS_REQUIRED: 'true',
    STATE_REDIS_PREFIX: `${prefix}:state`,
    CONTEXT_REDIS_PREFIX: `${prefix}:ctx`,
    RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:rl`,
    DASHBOARD_AUTH_TOKEN: TOKEN,
    ...SECRETS,
    ...extra,
  });
}

const run = REDIS_AVAILABLE ? describe : describe.skip;
const runWithPostgres = REDIS_AVAILABLE && POSTGRES_FOR_TESTS ? describe : describe.skip;

interface ReadyBody {
  ready: boolean;
  code?: string;
  message?: string;
  dependencies: { record?: Record<string, unknown> };
}

run('one record per Redis', () => {
  let redis: TestRedis;
  const tempDir = useTempDir();
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });
  const closeAll = async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  };

  const configFor = (hive: string, prefix: string) => hostConfig(redis.url, hive, prefix);
  const serve = async (runtime: Runtime): Promise<RunningServer> => {
    const server = await startServer(runtime, { port: 0, host: '127.0.0.1', background: false });
    open.push(server);
    return server;
  };
  const flush = () => {
    const flushed = spawnSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL'], { encoding: 'utf8' });
    expect(flushed.stdout.trim()).toBe('OK');
  };

  it('refuses a second record on the same Redis: serve fenced and 503, the CLI and console exit 2', async () => {
    const prefix = `caio:test:${randomUUID()}`;
    const a = await createRuntime(configFor(join(tempDir(), 'a'), prefix), {
      role: 'serve',
      heartbeatIntervalMs: 100,
    });
    open.push(a);
    expect(a.hosts.sharing()).toMatchObject({ shared: true, registered_record_id: a.record.db.id });

    const otherHive = join(tempDir(), 'b');
    for (const role of ['cli', 'console'] as const) {
      const refused = createRuntime(configFor(otherHive, prefix), { role });
      await expect(refused).rejects.toMatchObject({
        code: 'records_not_shared',
        exitCode: 2,
        message: expect.stringContaining('(records_not_shared)'),
        nextStep: expect.stringContaining('DATABASE_URL'),
      });
    }

    const b = await createRuntime(configFor(otherHive, prefix), { role: 'serve', heartbeatIntervalMs: 100 });
    open.push(b);
    expect(b.hosts.sharing()).toMatchObject({
      shared: false,
      record_id: b.record.db.id,
      registered_record_id: a.record.db.id,
    });
    // Nothing shared is written: the dispatch lock, claims, counters, cached records.
    for (const write of [
      () => b.state.acquireLock('dispatch', 1000),
      () => b.state.claimOnce('batch-execute', 'x', 'me'),
      () => b.state.increment('sends', 1),
      () => b.state.putRecord('drafts', 'd1', {}),
      () => b.state.setContext('k', 1),
    ])
      await expect(write()).rejects.toMatchObject({ code: 'records_not_shared' });
    await expect(b.gatekeeper.execute('bat_x', 'h', 'maria')).rejects.toMatchObject({
      code: 'records_not_shared',
    });
    expect(await a.state.getCounter('sends')).toBe(0);

    const [serverA, serverB] = [await serve(a), await serve(b)];
    const ready = async (server: RunningServer) => {
      const response = await fetch(`${server.url}/api/health/ready`);
      return { status: response.status, body: (await response.json()) as ReadyBody };
    };
    const readyA = await ready(serverA);
    expect(readyA.status).toBe(200);
    expect(readyA.body.dependencies.record).toMatchObject({
      healthy: true,
      dialect: 'sqlite',
      record_id: a.record.db.id,
      shared: true,
      schema_version: expect.any(Number),
    });
    const readyB = await ready(serverB);
    expect(readyB.status).toBe(503);
    expect(readyB.body).toMatchObject({
      ready: false,
      code: 'records_not_shared',
      message: expect.stringContaining('DATABASE_URL'),
      dependencies: { record: { shared: false, registered_record_id: a.record.db.id } },
    });
    // Every request but health is refused, webhooks included (the sender retries elsewhere).
    for (const [method, path] of [
      ['GET', '/api/queue'],
      ['POST', '/api/batches/bat_x/execute'],
      ['POST', '/webhooks/instantly'],
    ] as const) {
      const response = await fetch(`${serverB.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        code: 'records_not_shared',
        message: expect.stringContaining('DATABASE_URL'),
      });
    }
    expect(
      (await fetch(`${serverA.url}/api/queue`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(200);

    // Both hosts are listed with their record ids.
    const live = await a.hosts.list();
    expect(live.map((beat) => [beat.role, beat.record_id]).sort()).toEqual(
      [
        ['serve', a.record.db.id],
        ['serve', b.record.db.id],
      ].sort(),
    );

    // FLUSHALL: the host that shares the record registers it again; the split brain stays refused.
    flush();
    for (let i = 0; i < 3; i++) {
      expect(await b.hosts.check()).toMatchObject({ shared: false, registered_record_id: a.record.db.id });
      const registered = await b.state.getRecord<{ record_id: string }>('record-registration', 'record_id');
      expect([undefined, a.record.db.id]).toContain(registered?.value.record_id);
    }
    expect(await a.hosts.check()).toMatchObject({ shared: true, registered_record_id: a.record.db.id });
    expect(await b.hosts.check()).toMatchObject({ shared: false, registered_record_id: a.record.db.id });
    await closeAll();
  }, 60_000);

  it('a flush never refuses the deployment: the next check registers the record again', async () => {
    const prefix = `caio:test:${randomUUID()}`;
    const hive = join(tempDir(), 'a');
    const a = await createRuntime(configFor(hive, prefix), { role: 'serve', heartbeatIntervalMs: 50 });
    open.push(a);
    flush();
    // The heartbeat re-registers by itself (poll, no fixed sleep); a CLI process on the same record agrees.
    const deadline = Date.now() + 5_000;
    while ((await a.state.getRecord('record-registration', 'record_id')) === undefined) {
      if (Date.now() > deadline) throw new Error('the record id was not registered again');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(a.hosts.sharing().shared).toBe(true);
    expect((await a.hosts.list()).map((beat) => beat.record_id)).toEqual([a.record.db.id]);
    await closeAll();
  }, 30_000);

  it('a stray host on another SQLite file does not take over while the deployment restarts', async () => {
    const prefix = `caio:test:${randomUUID()}`;
    const timing = { role: 'serve' as const, heartbeatIntervalMs: 50, heartbeatTtlMs: 300 };
    const hive = join(tempDir(), 'deployment');
    const deployment = await createRuntime(configFor(hive, prefix), timing);
    const stray = await createRuntime(configFor(join(tempDir(), 'stray'), prefix), timing);
    open.push(stray);
    expect(await stray.hosts.check()).toMatchObject({ shared: false });
    // The registration grows older than the heartbeat TTL while the deployment runs.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await stray.hosts.check()).toMatchObject({ shared: false });
    // A restart: for a moment no host of the deployment beats. The stray keeps being refused...
    await deployment.close();
    expect(await stray.hosts.check()).toMatchObject({
      shared: false,
      registered_record_id: deployment.record.db.id,
    });
    // ...and the deployment comes back on its record and is served at once.
    const restarted = await createRuntime(configFor(hive, prefix), timing);
    open.push(restarted);
    expect(restarted.hosts.sharing()).toMatchObject({ shared: true });
    expect(await stray.hosts.check()).toMatchObject({ shared: false });
    await closeAll();
  }, 30_000);

  it('takes over the registration once no live host runs the registered record (fixed and restarted)', async () => {
    const prefix = `caio:test:${randomUUID()}`;
    const timing = { heartbeatIntervalMs: 50, heartbeatTtlMs: 300 };
    const stray = await createRuntime(configFor(join(tempDir(), 'stray'), prefix), {
      role: 'serve',
      ...timing,
    });
    const good = await createRuntime(configFor(join(tempDir(), 'good'), prefix), {
      role: 'serve',
      ...timing,
    });
    open.push(good);
    expect(good.hosts.sharing().shared).toBe(false);
    // While the stray host beats, the registration stays its own, however old it gets.
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      expect(await good.hosts.check()).toMatchObject({ shared: false });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The stray host stops (its heartbeat goes with it): the deployment's next check takes over.
    await stray.close();
    // `caio status` on yet another record only looks: it never takes the registration over.
    const observer = await createRuntime(configFor(join(tempDir(), 'observer'), prefix), {
      allowSplitBrain: true,
      ...timing,
    });
    expect(await observer.hosts.check()).toMatchObject({ shared: false });
    const registered = await observer.state.getRecord<{ record_id: string }>(
      'record-registration',
      'record_id',
    );
    expect(registered?.value.record_id).not.toBe(observer.record.db.id);
    await observer.close();
    // Once no host has confirmed the stray's registration for the heartbeat TTL (poll, no fixed sleep).
    const deadline = Date.now() + 5_000;
    while (!(await good.hosts.check()).shared) {
      if (Date.now() > deadline) throw new Error('the deployment never took the registration over');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(good.hosts.sharing()).toMatchObject({ shared: true, registered_record_id: good.record.db.id });
    await expect(good.state.increment('sends', 1)).resolves.toBe(1);
    await closeAll();
  }, 30_000);
});

runWithPostgres('one record per Redis: a PostgreSQL deployment and a host on its own SQLite file', () => {
  let redis: TestRedis;
  let database: { url: string; drop(): Promise<void> };
  const tempDir = useTempDir();
  beforeAll(async () => {
    redis = await startRedis();
    database = await createTestDatabase('caio_hosts_takeover');
  });
  afterAll(async () => {
    await redis?.close();
    await database?.drop();
  });

  it('a stray SQLite host never takes over while the deployment restarts', async () => {
    const prefix = `caio:test:${randomUUID()}`;
    const configFor = (hive: string, extra: Record<string, string> = {}) =>
      hostConfig(redis.url, hive, prefix, extra);
    const timing = { role: 'serve' as const, heartbeatIntervalMs: 50, heartbeatTtlMs: 300 };
    const shared = configFor(join(tempDir(), 'a'), { DATABASE_URL: database.url });
    const deployment = await createRuntime(shared, timing);
    // Registered the way `caio migrate` (or an older caio) does, without the dialect: a check adds it.
    await deployment.state.putRecord('record-registration', 'record_id', {
      record_id: deployment.record.db.id,
      registered_at: new Date(Date.now() - 60_000).toISOString(),
      by: 'caio migrate',
    });
    await deployment.hosts.check();
    const stray = await createRuntime(configFor(join(tempDir(), 'stray')), timing);
    try {
      expect(await stray.hosts.check()).toMatchObject({ shared: false });
      // The deployment's only host stops (a restart); its registration outlives the heartbeat TTL.
      await deployment.close();
      const until = Date.now() + 1_000;
      while (Date.now() < until) {
        expect(await stray.hosts.check()).toMatchObject({
          shared: false,
          registered_record_id: deployment.record.db.id,
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // It comes back on the same record and is served at once; the stray stays refused.
      const restarted = await createRuntime(shared, timing);
      try {
        expect(restarted.hosts.sharing()).toMatchObject({ shared: true });
        expect(await stray.hosts.check()).toMatchObject({ shared: false });
      } finally {
        await restarted.close();
      }
    } finally {
      await stray.close();
    }
  }, 30_000);
});

describe('hosts without Redis (embedded coordination)', () => {
  const tempDir = useTempDir();

  it('lists this machine’s console in the status, with its record id', async () => {
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: join(tempDir(), 'hive') }), {
      role: 'console',
    });
    try {
      const report = await collectStatus({
        config: runtime.config,
        version: '1.2.3',
        hosts: runtime.hosts,
      });
      expect(report.hosts).toMatchObject({
        available: true,
        shared: true,
        record_id: runtime.record.db.id,
        live: [{ role: 'console', record_id: runtime.record.db.id, pid: process.pid, split_brain: false }],
      });
      expect(report.problems).toEqual([]);
    } finally {
      await runtime.close();
    }
    // A clean stop takes the host off the list.
    const after = await createRuntime(parseConfig({ HIVE_DIR: runtime.config.HIVE_DIR }));
    try {
      expect(await after.hosts.list()).toEqual([]);
    } finally {
      await after.close();
    }
  });
});
