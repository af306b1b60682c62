/**
 * The release ritual as a new user meets it: a production env over a real private Redis, the
 * in-process runtime, the built CLI, the evidence in the record. Production is NO-GO naming staging
 * until the same release's staging validation and smoke pass, and listing the pending sign-offs;
 * sign-offs come from pto operators, never silently over someone else's; `report` prints the
 * completion report with targets and sign-offs and exits 1 on NO-GO; Redis stopped -> NO-GO naming
 * Redis.
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

  it('walks NO-GO (pending, staging missing) -> pto sign-offs -> staging -> GO -> report -> --force, unconfirm -> Redis down', async () => {
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

    for (const [name, role] of [
      ['pat', 'pto'],
      ['sam', 'pto'],
      ['rev', 'reviewer'],
    ]) {
      const added = await cli('operators', 'add', name!, '--role', role!, '--by', 'admin');
      expect(added.code).toBe(0);
    }

    const first = await cli('release', 'check', '--release', 'r1', '--by', 'ci');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('target: in-process runtime (http://127.0.0.1:');
    expect(first.stdout).toContain('Blocking: confirm_pto_inputs (pending), staging_stable_24h (pending)\n');
    expect(first.stdout).toContain(
      '- staging validation (validate_env_staging) has not run for this release: run `caio release check --env staging` first (validate_env_staging)',
    );
    expect(first.stdout).toContain('- staging smoke (auth_smoke_staging) has not run for this release');
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('Release Decision: NO-GO');
    expect(first.code).toBe(1);

    // only a pto (or admin) signs off
    const reviewer = await cli('release', 'confirm', 'all', '--release', 'r1', '--by', 'rev');
    expect(reviewer.code).toBe(1);
    expect(reviewer.stderr).toContain('needs the pto or admin role; rev is a reviewer');
    expect(reviewer.stderr).toContain('Next: Sign off as a pto or admin operator: --by NAME');

    const confirm = await cli(
      'release',
      'confirm',
      'all',
      '--release',
      'r1',
      '--by',
      'pat',
      '--note',
      'tokens rotated',
    );
    expect(confirm.stdout).toContain('Confirmed confirm_pto_inputs for release r1 by pat at ');
    expect(confirm.stdout).toContain('(note: tokens rotated)');
    expect(confirm.code).toBe(0);

    // everything else passes, but staging has not: still NO-GO, naming staging
    const noStaging = await cli('release', 'check', '--release', 'r1', '--json');
    expect(noStaging.code).toBe(1);
    expect((JSON.parse(noStaging.stdout) as { reasons: string[] }).reasons).toEqual([
      'no-go: staging validation (validate_env_staging) has not run for this release: run `caio release check --env staging` first',
      'no-go: staging smoke (auth_smoke_staging) has not run for this release: run `caio release check --env staging` first',
    ]);

    const staging = await cli(
      'release',
      'check',
      '--env',
      'staging',
      '--release',
      'r1',
      '--by',
      'ci-staging',
    );
    expect(staging.stdout).toMatch(/PASS\s+validate_env_staging/);
    expect(staging.stdout).toMatch(/PASS\s+auth_smoke_staging/);

    const go = await cli('release', 'check', '--release', 'r1', '--json');
    const verdict = JSON.parse(go.stdout) as {
      decision: string;
      reasons: string[];
      steps: { id: string; outcome: string }[];
      run: { audit_seq: number; audit_hash: string };
    };
    expect(verdict.reasons).toEqual([]);
    expect(verdict.decision).toBe('GO');
    expect(verdict.steps.every((step) => step.outcome === 'pass')).toBe(true);
    expect(verdict.run.audit_seq).toBeGreaterThan(0);
    expect(verdict.run.audit_hash).toMatch(/^[0-9a-f]{64}$/);
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
    expect(lines.slice(12, 15)).toEqual(['', 'Release Decision: GO', 'Open Issues: none']);
    // each check's target, who ran it and when; staging's; every sign-off with its note
    expect(report.stdout).toMatch(
      /\n- validate_env_staging \(staging\): PASS on in-process runtime \(http:\/\/127\.0\.0\.1:\d+\), by ci-staging at 20\d\d-/,
    );
    expect(report.stdout).toMatch(
      /\n- runtime_dependencies: PASS on in-process runtime \(http:\/\/127\.0\.0\.1:\d+\), by cli:(?!unknown)\S+ at 20\d\d-/,
    );
    expect(report.stdout).toMatch(/\n- confirm_pto_inputs: confirmed by pat at \S+ — note: tokens rotated\n/);
    // `caio release report` is the same report
    const same = await cli('release', 'report', '--release', 'r1');
    expect(same.stdout).toBe(report.stdout);

    // nobody silently overwrites another's sign-off
    const other = await cli('release', 'confirm', 'staging_stable_24h', '--release', 'r1', '--by', 'sam');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /staging_stable_24h was confirmed by pat at \S+: re-confirming it as sam needs --force/,
    );
    const all = await cli('release', 'confirm', 'all', '--release', 'r1', '--by', 'sam');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /^Skipped confirm_pto_inputs is already confirmed by pat at \S+: left as it is$/m,
    );
    expect(all.stdout).not.toContain('Confirmed');
    const forced = await cli(
      'release',
      'confirm',
      'staging_stable_24h',
      '--release',
      'r1',
      '--by',
      'sam',
      '--force',
    );
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('forced over an earlier sign-off, kept in the history');

    // unconfirm withdraws: the report is NO-GO (exit 1) and names the step as not confirmed
    const withdrawn = await cli(
      'release',
      'unconfirm',
      'staging_stable_24h',
      '--release',
      'r1',
      '--by',
      'pat',
    );
    expect(withdrawn.code).toBe(0);
    expect(withdrawn.stdout).toMatch(
      /Withdrew staging_stable_24h for release r1: the sign-off by pat at .*\n.*the sign-off by sam at/,
    );
    const after = await cli('report', '--release', 'r1');
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('Release Decision: NO-GO');
    expect(after.stdout).toContain('- staging_stable_24h: not confirmed');
    expect(after.stdout).toContain('- staging_stable_24h: PENDING — manual step not confirmed');
    const again = await cli('release', 'confirm', 'staging_stable_24h', '--release', 'r1', '--by', 'sam');
    expect(again.code).toBe(0);

    await redis.stop();
    try {
      const down = await cli('release', 'check', '--release', 'r1', '--timeout-ms', '20000');
      expect(down.code).toBe(1);
      expect(down.stdout).toMatch(/No-go conditions:\n- redis \(required\) is unhealthy/);
      // the aging and weekly checks need the runtime too: they say why they could not run
      expect(down.stdout).toMatch(/INCONCLUSIVE\s+queue_aging_within_sla.*\n\s+the runtime did not start: /);
      expect(down.stdout).toMatch(
        /INCONCLUSIVE\s+no_critical_failures_week.*\n\s+the runtime did not start: /,
      );
      expect(down.stdout).not.toContain('not available in this build');
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
  }, 240_000);

  it('answers usage errors with exit 2 and the next step', async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, '.env'),
      toEnvFile(productionEnv({ REDIS_URL: redis.url, HIVE_DIR: join(cwd, 'hive') })),
    );
    const stranger = await runCli(['release', 'confirm', 'all'], { cwd, env: { CAIO_OPERATOR: 'stranger' } });
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('stranger is not an operator');
    expect(stranger.stderr).toContain('caio operators add NAME --role pto');
    const noStep = await runCli(['release', 'unconfirm'], { cwd });
    expect(noStep.code).toBe(2);
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
