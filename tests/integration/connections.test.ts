import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Inngest } from 'inngest';
import { serve } from 'inngest/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInngest, checkRedis } from '../../src/runtime/tasks/connections.js';
import { SIGNING_KEY } from '../helpers/env-fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { describeRedis } from '../helpers/redis-suite.js';

describeRedis('validate --check-connections: Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('a live Redis passes PING with a measured latency and warns about missing persistence', async () => {
    const checks = await checkRedis(redis.url, 2000);
    expect(checks[0]).toMatchObject({ status: 'PASS', name: 'redis.ping' });
    expect(checks[0]?.reason).toMatch(/^PONG in \d+\.\d ms from redis:\/\/127\.0\.0\.1:\d+/);
    expect(checks[1]).toMatchObject({ status: 'WARN', name: 'redis.persistence' });
  });

  it('a stopped Redis fails with a clear reason', async () => {
    await redis.stop();
    try {
      const checks = await checkRedis(redis.url, 1000);
      expect(checks).toHaveLength(1);
      expect(checks[0]?.status).toBe('FAIL');
      expect(checks[0]?.reason).toMatch(/cannot reach redis:\/\/127\.0\.0\.1:\d+\/?: .*ECONNREFUSED/);
    } finally {
      await redis.start();
    }
  });
});

describe('validate --check-connections: hosts that never answer', () => {
  let silent: TcpServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a server that accepts but never speaks fails the PING at the deadline instead of hanging', async () => {
    const { port } = silent.address() as AddressInfo;
    const checks = await checkRedis(`redis://127.0.0.1:${port}`, 500);
    expect(checks[0]?.status).toBe('FAIL');
    expect(checks[0]?.reason).toMatch(/timed out|timeout/i);
  });

  it('the Inngest probe fails at its deadline too', async () => {
    const { port } = silent.address() as AddressInfo;
    const check = await checkInngest(`http://127.0.0.1:${port}/inngest`, SIGNING_KEY, 500);
    expect(check.status).toBe('FAIL');
    expect(check.reason).toMatch(/cannot reach/);
  });
});

describe('validate --check-connections: signed GET against the real Inngest SDK handler', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const client = new Inngest({ id: 'caio-test', signingKey: SIGNING_KEY, isDev: false });
    const fn = client.createFunction({ id: 'noop', triggers: [{ event: 'test/noop' }] }, async () => 'ok');
    server = createHttpServer(serve({ client, functions: [fn] }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inngest`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('the right key gets authentication_succeeded: true in cloud mode', async () => {
    const check = await checkInngest(url, SIGNING_KEY, 3000);
    expect(check).toMatchObject({ status: 'PASS', name: 'inngest.signed_get' });
    expect(check.reason).toBe('authentication_succeeded: true, mode=cloud, function_count=1');
  });

  it('a wrong key fails', async () => {
    const check = await checkInngest(url, `signkey-prod-${'ab'.repeat(32)}`, 3000);
    expect(check.status).toBe('FAIL');
    expect(check.reason).toMatch(/authentication_succeeded: (false|absent)/);
  });
});
