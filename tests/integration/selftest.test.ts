import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as selftestCommand from '../../src/commands/selftest.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { describeRedis } from '../helpers/redis-suite.js';
import { runCommand } from '../helpers/store-command.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const CHECKS = [
  'store.health',
  'state.compare_and_set',
  'state.context_ttl',
  'lock.dispatch',
  'limiter.consume',
  'claim.one_time',
  'counter.increment',
  'signature.inngest',
  'signature.webhook',
];

interface JsonResult {
  target: string;
  store: { kind: string; degraded: boolean };
  checks: { name: string; status: string; detail: string }[];
  result: string;
}

async function selftest(env: Record<string, string>, json = true) {
  const hive = tempDir();
  return runCommand(selftestCommand, json ? ['--json'] : [], { cwd: hive, env: { HIVE_DIR: hive, ...env } });
}

describe('caio selftest on the embedded store', () => {
  it('passes every check and prints PASS lines', async () => {
    const result = await selftest({}, false);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Self-test against embedded .*coordination\.db$/);
    for (const name of CHECKS)
      expect(lines.some((line) => line.startsWith('PASS') && line.includes(name))).toBe(true);
    expect(lines.at(-1)).toBe('Result: PASS');
    expect(result.stdout).toContain('9 passed, 0 failed');
  });

  it('fails store.health (exit 1) when Redis is configured but unreachable, still testing the fallback', async () => {
    const result = await selftest({
      REDIS_URL: 'redis://:hunter2hunter2@127.0.0.1:1',
      REDIS_REQUIRED: 'false',
    });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as JsonResult;
    expect(json.store).toMatchObject({ kind: 'sqlite', degraded: true });
    expect(json.checks.find((c) => c.name === 'store.health')).toMatchObject({ status: 'FAIL' });
    expect(json.checks.filter((c) => c.status === 'PASS')).toHaveLength(8);
    expect(result.stdout).not.toContain('hunter2hunter2');
  });

  it('fails (exit 1) when Redis is required and unreachable', async () => {
    const result = await selftest({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_REQUIRED: 'true' });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as JsonResult;
    expect(json.result).toBe('FAIL');
    expect(json.checks[0]?.detail).toMatch(/REDIS_REQUIRED=true but Redis at .* is unreachable/);
  });
});

describeRedis('caio selftest on Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('passes every check against the configured Redis', async () => {
    const prefix = `t-${randomUUID()}`;
    const result = await selftest({
      REDIS_URL: redis.url,
      STATE_REDIS_PREFIX: `${prefix}:state`,
      CONTEXT_REDIS_PREFIX: `${prefix}:context`,
      RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:ratelimit`,
    });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as JsonResult;
    expect(json.store).toMatchObject({ kind: 'redis', degraded: false });
    expect(json.checks.map((c) => [c.name, c.status])).toEqual(CHECKS.map((name) => [name, 'PASS']));
    expect(json.target).toMatch(/^redis redis:\/\/127\.0\.0\.1:\d+/);
  });
});
