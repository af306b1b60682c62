/**
 * `caio serve`, `caio smoke`, `caio webhooks list` and `caio validate --verify-inngest-route` as an
 * operator runs them: the built CLI, a production env file and a private Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signInngestRequest } from '../../src/runtime/inngest-signature.js';
import { CAIO_BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { SIGNING_KEY, productionEnv, toEnvFile } from '../helpers/env-fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { describeRedis } from '../helpers/redis-suite.js';
import { useTempDir } from '../helpers/temp.js';

interface Serving {
  child: ChildProcess;
  url: string;
  output(): string;
  exit: Promise<number | null>;
}

function serve(cwd: string, args: string[]): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const child = spawn(CAIO_BIN, ['serve', ...args], { cwd, env: cleanEnv() });
    let out = '';
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*caio serve listening/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1], output: () => out, exit });
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exit.then((code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

describeRedis('caio serve (spawned CLI, production env, private Redis)', () => {
  const tempDir = useTempDir();
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis.close());

  const envFile = (dir: string, overrides: Record<string, string> = {}) => {
    const env = productionEnv({
      REDIS_URL: redis.url,
      HIVE_DIR: join(dir, 'hive'),
      STATE_REDIS_PREFIX: `caio:e2e:${Date.now()}:state`,
      // No event key: deliveries are processed in-process instead of being sent to Inngest Cloud.
      INNGEST_EVENT_KEY: '',
      ...overrides,
    });
    writeFileSync(join(dir, 'prod.env'), toEnvFile(env));
    return env;
  };

  it('a second signal ends the process at once with 143 while the first one is still draining', async () => {
    const dir = tempDir();
    const env = envFile(dir);
    const server = await serve(dir, ['--env-file', 'prod.env', '--port', '0']);
    // A request whose body never finishes keeps the drain waiting (up to its deadline).
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/queue HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${env.DASHBOARD_AUTH_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"lead":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (!server.output().includes('shutting down') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.output()).toContain('shutting down');
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(143);
    socket.destroy();
  });

  it('serves, passes caio smoke, answers the signed /inngest, stores webhooks, stops on SIGTERM with exit 0', async () => {
    const dir = tempDir();
    const env = envFile(dir);
    const server = await serve(dir, ['--env-file', 'prod.env', '--port', '0']);
    try {
      const smoke = await runCli(
        ['smoke', '--base-url', server.url, '--token', env.DASHBOARD_AUTH_TOKEN as string],
        { cwd: dir },
      );
      expect(smoke.stdout).toContain('Result: PASS');
      expect(smoke.code).toBe(0);
      expect(smoke.stdout).not.toContain(env.DASHBOARD_AUTH_TOKEN);

      const unsigned = await fetch(`${server.url}/inngest`);
      expect(unsigned.status).toBe(401);
      const signed = await fetch(`${server.url}/inngest`, {
        headers: { 'x-inngest-signature': signInngestRequest(SIGNING_KEY) },
      });
      expect(await signed.json()).toMatchObject({
        authentication_succeeded: true,
        mode: 'cloud',
        function_count: 4,
      });

      const ready = await fetch(`${server.url}/api/health/ready`);
      expect(await ready.json()).toMatchObject({
        ready: true,
        dependencies: { redis: { mode: 'redis', healthy: true } },
      });

      const delivered = await fetch(`${server.url}/webhooks/clay?secret=${env.CLAY_WEBHOOK_SECRET}`, {
        method: 'POST',
        body: JSON.stringify({ email: 'e2e@acme.io', id: 'row-1' }),
      });
      expect(delivered.status).toBe(200);
      await fetch(`${server.url}/webhooks/clay?secret=${env.CLAY_WEBHOOK_SECRET}`, {
        method: 'POST',
        body: '{"nope": 1}',
      });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
    // bin/caio gives serve its larger young generation (cleanEnv sets no NODE_OPTIONS).
    expect(server.output()).toMatch(/"node_flags":"[^"]*--max-semi-space-size=64/);
    for (const secret of [env.DASHBOARD_AUTH_TOKEN, env.CLAY_WEBHOOK_SECRET, env.INNGEST_SIGNING_KEY]) {
      expect(server.output()).not.toContain(secret);
    }

    const list = await runCli(['webhooks', 'list', '--env-file', 'prod.env', '--json'], { cwd: dir });
    expect(list.code).toBe(0);
    const page = JSON.parse(list.stdout) as {
      events: { source: string; status: string; idempotency_key: string }[];
    };
    expect(page.events.map((e) => [e.source, e.status])).toEqual([
      ['clay', 'quarantined'],
      ['clay', expect.stringMatching(/stored|processed/)],
    ]);
    const quarantined = await runCli(
      ['webhooks', 'list', '--env-file', 'prod.env', '--status', 'quarantined'],
      { cwd: dir },
    );
    expect(quarantined.stdout).toMatch(/clay\s+quarantined .*email/);
  }, 60_000);

  it('says clearly that the port is taken (exit 2)', async () => {
    const dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    envFile(dir, { PORT: String(port) });
    try {
      const result = await runCli(['serve', '--env-file', 'prod.env'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('refuses to start when REDIS_REQUIRED=true and Redis is unreachable', async () => {
    const dir = tempDir();
    envFile(dir, { REDIS_URL: 'redis://127.0.0.1:1' });
    const result = await runCli(['serve', '--env-file', 'prod.env', '--port', '0'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REDIS_REQUIRED=true');
  });

  it('caio smoke reports an unreachable host within its timeout (exit 1)', async () => {
    const dir = tempDir();
    const result = await runCli(
      ['smoke', '--base-url', 'http://127.0.0.1:1', '--token', 'x'.repeat(40), '--timeout-ms', '1000'],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cannot reach http://127.0.0.1:1');
    expect(result.stdout).toContain('Result: FAIL');
  });

  it('caio validate --verify-inngest-route boots the app and checks the signed answer', async () => {
    const dir = tempDir();
    envFile(dir);
    const result = await runCli(
      ['validate', '--mode', 'production', '--env-file', 'prod.env', '--verify-inngest-route'],
      { cwd: dir },
    );
    expect(result.stdout).toMatch(
      /^PASS inngest\.route\s+unsigned GET 401; signed GET 200: authentication_succeeded=true, mode=cloud, function_count=4/m,
    );
  });
});
