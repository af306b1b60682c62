/**
 * Readiness follows Redis (SPEC 5, 6): under REDIS_REQUIRED=true an outage turns /api/health/ready
 * into 503 within ~2 s and recovery back into 200 within ~5 s; with REDIS_REQUIRED=false the runtime
 * stays ready, degraded, on the embedded store. Poll deadlines are the SPEC budgets plus slack.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { draftInput } from '../../helpers/queue/drafts.js';
import { TOKEN, startTestServer, waitFor, type TestServer } from './harness.js';

describeRedis('readiness with a real Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis.close());

  const readyStatus = async (server: TestServer) => (await fetch(`${server.url}/api/health/ready`)).status;

  it('REDIS_REQUIRED=true: 200, then 503 during an outage, then 200 after recovery', async () => {
    const prefix = `caio:test:${Date.now()}:ready`;
    const server = await startTestServer({
      REDIS_URL: redis.url,
      REDIS_REQUIRED: 'true',
      STATE_REDIS_PREFIX: `${prefix}:state`,
      RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:rl`,
      CONTEXT_REDIS_PREFIX: `${prefix}:ctx`,
    });
    try {
      expect(await readyStatus(server)).toBe(200);
      const deps = await (
        await fetch(`${server.url}/api/runtime/dependencies`, { headers: { 'x-dashboard-token': TOKEN } })
      ).json();
      expect(deps).toMatchObject({
        ready: true,
        redis: { required: true, healthy: true, mode: 'redis', latency_ms: expect.any(Number) },
      });

      // A batch ready to execute: executing it needs the dispatch lock, which lives in Redis.
      await server.runtime.queue.add(draftInput(1), 'api');
      await server.runtime.queue.approve('d00001', 'maria');
      const batch = (await server.runtime.gatekeeper.preview({ motion: 'all' }, 'maria')) as {
        id: string;
        hash: string;
      };

      await redis.stop();
      const down = Date.now();
      await waitFor(
        async () => (await readyStatus(server)) === 503,
        // Generous on a loaded machine: the 2 s / 5 s budgets are reported below, not asserted.
        15_000,
        'readiness 503 after Redis stopped',
      );
      const outageMs = Date.now() - down;
      const body = await (await fetch(`${server.url}/api/health/ready`)).json();
      expect(body).toMatchObject({
        ready: false,
        dependencies: { redis: { healthy: false, error: expect.any(String) } },
      });
      // A request that needs Redis is a retryable 503, never a 409, and never names where Redis is.
      // (Approving a draft no longer needs Redis: the record holds drafts and decisions.)
      const approve = await fetch(`${server.url}/api/batches/${batch.id}/execute`, {
        method: 'POST',
        headers: { 'x-dashboard-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ hash: batch.hash }),
      });
      const refusal = await approve.text();
      expect(approve.status, refusal).toBe(503);
      expect(JSON.parse(refusal)).toMatchObject({ code: 'dependency_unavailable', dependency: 'redis' });
      expect(refusal).not.toContain(new URL(redis.url).port);

      await redis.start();
      const up = Date.now();
      await waitFor(
        async () => (await readyStatus(server)) === 200,
        15_000,
        'readiness 200 after Redis restarted',
      );
      console.log(`readiness: outage seen after ${outageMs} ms, recovery after ${Date.now() - up} ms`);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('REDIS_REQUIRED=false: stays ready and serving, degraded, while Redis is down', async () => {
    const prefix = `caio:test:${Date.now()}:degraded`;
    const server = await startTestServer({
      REDIS_URL: redis.url,
      REDIS_REQUIRED: 'false',
      STATE_REDIS_PREFIX: `${prefix}:state`,
    });
    try {
      await redis.stop();
      const deps = await waitFor(
        async () => {
          const res = await fetch(`${server.url}/api/runtime/dependencies`, {
            headers: { 'x-dashboard-token': TOKEN },
          });
          const json = (await res.json()) as { redis: { degraded: boolean } };
          return json.redis.degraded ? json : undefined;
        },
        3_000,
        'degraded state',
      );
      expect(deps).toMatchObject({
        ready: true,
        redis: { required: false, healthy: false, mode: 'embedded-fallback' },
      });
      expect(await readyStatus(server)).toBe(200);
      await redis.start();
      await waitFor(
        async () => {
          const res = await fetch(`${server.url}/api/runtime/dependencies`, {
            headers: { 'x-dashboard-token': TOKEN },
          });
          return ((await res.json()) as { redis: { healthy: boolean } }).redis.healthy;
        },
        7_000,
        'Redis healthy again',
      );
    } finally {
      await server.stop();
    }
  }, 30_000);
});
