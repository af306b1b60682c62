/**
 * The release ritual as a new user meets it (issue 8, "done when"): a production env over a real
 * private Redis, the in-process runtime, the built CLI. Unconfirmed -> NO-GO listing the pending
 * steps; after `release confirm all` -> GO; `report` prints the completion report; Redis stopped ->
 * NO-GO naming Redis.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { productionEnv, toEnvFile } from '../helpers/env-fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { describeRedis } from '../helpers/redis-suite.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

describeRedis('caio release / report / status (spawned CLI, production env)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('walks NO-GO (pending) -> confirm -> GO -> report -> Redis down -> NO-GO naming Redis', async () => {
    const cwd = tempDir();
    const prefix = `caio:e2e-release-${process.pid}-${Date.now()}`;
    writeFileSync(
      join(cwd, '.env'),
      toEnvFile(
        productionEnv({
          REDIS_URL: redis.url,
          HIVE_DIR: join(cwd, 'hive'),
          STATE_REDIS_PREFIX: `${prefix}:state`,
          CONTEXT_REDIS_PREFIX: `${prefix}:context`,
          RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:ratelimit`,
        }),
      ),
    );
    const cli = (...args: string[]) => runCli(args, { cwd, timeoutMs: 60_000 });

    const first = await cli('release', 'check', '--release', 'r1', '--by', 'ci');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('target: in-process runtime (http://127.0.0.1:');
    expect(first.stdout).toContain('Blocking: confirm_pto_inputs (pending), staging_stable_24h (pending)\n');
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('Release Decision: NO-GO');
    expect(first.code).toBe(1);

    const confirm = await cli(
      'release',
      'confirm',
      'all',
      '--release',
      'r1',
      '--by',
      'Pat PTO',
      '--note',
      'tokens rotated',
    );
    expect(confirm.stdout).toContain('Confirmed confirm_pto_inputs for release r1 by Pat PTO');
    expect(confirm.code).toBe(0);

    const go = await cli('release', 'check', '--release', 'r1', '--json');
    const verdict = JSON.parse(go.stdout) as {
      decision: string;
      reasons: string[];
      steps: { id: string; outcome: string }[];
    };
    expect(verdict.reasons).toEqual([]);
    expect(verdict.decision).toBe('GO');
    expect(verdict.steps.every((step) => step.outcome === 'pass')).toBe(true);
    expect(go.code).toBe(0);

    const report = await cli('report', '--release', 'r1');
    expect(report.code).toBe(0); // GO
    const lines = report.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 11)).toEqual([
      'CAIO Runtime Reliability Checkpoint Complete.',
      '',
      'Environment: production',
      'REDIS_REQUIRED: true',
      'INNGEST_REQUIRED: true',
      '',
      'Checks:',
      '- validate_runtime_env: PASS',
      '- /api/runtime/dependencies: ready=true',
      '- /api/health/ready: 200',
      '- /inngest: mode=cloud, function_count=4',
    ]);
    expect(lines[11]).toMatch(/^- replay_harness: pass_rate=(0\.9[5-9]|1\.00), block_build=false$/);
    expect(lines.slice(12)).toEqual(['', 'Release Decision: GO', 'Open Issues: none']);

    await redis.stop();
    try {
      const down = await cli('release', 'check', '--release', 'r1', '--timeout-ms', '20000');
      expect(down.code).toBe(1);
      expect(down.stdout).toMatch(/No-go conditions:\n- redis \(required\) is unhealthy/);
      expect(down.stdout.trimEnd().split('\n').at(-1)).toBe('Release Decision: NO-GO');

      const status = await cli('status', '--json');
      expect(status.code).toBe(1);
      expect(JSON.parse(status.stdout)).toMatchObject({
        store: { available: true, kind: 'redis', healthy: false },
        release: { available: true, release_id: 'r1', decision: 'NO-GO' },
      });
      const text = await cli('status');
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/DEPENDENCY DOWN: Redis \(REDIS_REQUIRED=true\) is down/);
      expect(text.stdout).not.toMatch(/Last release\s+(NO-)?GO/);
      const markdown = await cli('report', '--release', 'r1', '--format', 'markdown');
      expect(markdown.code).toBe(1);
      expect(markdown.stdout).toContain('**Release Decision: NO-GO**');
      expect(markdown.stdout).toContain('### Open Issues');
    } finally {
      await redis.start();
    }
  }, 120_000);

  it('answers usage errors with exit 2 and the next step', async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, '.env'),
      toEnvFile(productionEnv({ REDIS_URL: redis.url, HIVE_DIR: join(cwd, 'hive') })),
    );
    const noBy = await runCli(['release', 'confirm', 'all'], { cwd });
    expect(noBy.code).toBe(2);
    expect(noBy.stderr).toContain('Missing --by NAME');
    const auto = await runCli(['release', 'confirm', 'replay_gate', '--by', 'Pat'], { cwd });
    expect(auto.code).toBe(2);
    expect(auto.stderr).toMatch(
      /automatic.*\nNext: Manual steps: confirm_pto_inputs, staging_stable_24h, or "all"\./,
    );
    const badRitual = join(cwd, 'ritual.json');
    writeFileSync(badRitual, '{"version": 1, "steps": []}');
    const invalid = await runCli(['release', 'check', '--ritual', badRitual], { cwd });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('Invalid ritual');
  });
});
