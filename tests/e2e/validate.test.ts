import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { productionEnv, toEnvFile } from '../helpers/env-fixtures.js';
import { useTempDir } from '../helpers/temp.js';

describe('caio validate (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('an empty production env prints FAIL lines naming REDIS_URL and the other missing keys', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.env'), '');
    const result = await runCli(['validate', '--mode', 'production', '--env-file', 'empty.env'], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL REDIS_URL\s+missing \(required in production\) — fix: Set REDIS_URL/m,
    );
    for (const key of [
      'INNGEST_SIGNING_KEY',
      'INNGEST_EVENT_KEY',
      'INNGEST_WEBHOOK_URL',
      'DASHBOARD_AUTH_TOKEN',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^FAIL ${key}\\s`, 'm'));
    }
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('Result: FAIL');
  });

  it('a complete production env prints Result: PASS and exits 0', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'prod.env'), toEnvFile(productionEnv()));
    const result = await runCli(['validate', '--mode', 'production', '--env-file', 'prod.env'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('Result: PASS');
    expect(result.code).toBe(0);
  });

  it('file values override the process environment', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'prod.env'), toEnvFile(productionEnv()));
    const result = await runCli(['validate', '--mode', 'production', '--env-file', 'prod.env'], {
      cwd: dir,
      env: { REDIS_REQUIRED: 'false', CORS_ALLOWED_ORIGINS: '*' },
    });
    expect(result.code).toBe(0);
  });

  it.each([
    [
      'a placeholder token',
      { DASHBOARD_AUTH_TOKEN: 'your-dashboard-token-at-least-32-chars' },
      'DASHBOARD_AUTH_TOKEN',
    ],
    ['CORS_ALLOWED_ORIGINS=*', { CORS_ALLOWED_ORIGINS: '*' }, 'CORS_ALLOWED_ORIGINS'],
    ['REDIS_REQUIRED=false', { REDIS_REQUIRED: 'false' }, 'REDIS_REQUIRED'],
    ['a malformed signing key', { INNGEST_SIGNING_KEY: 'signkey-prod-nothex!' }, 'INNGEST_SIGNING_KEY'],
    [
      'a non-https webhook URL',
      { INNGEST_WEBHOOK_URL: 'http://caio.acme.io/inngest' },
      'INNGEST_WEBHOOK_URL',
    ],
  ])('%s makes it fail', async (_label, override, key) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'prod.env'), toEnvFile(productionEnv(override)));
    const result = await runCli(['validate', '--mode', 'production', '--env-file', 'prod.env', '--json'], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      result: string;
      checks: { status: string; name: string }[];
    };
    expect(report.result).toBe('FAIL');
    expect(report.checks.filter((check) => check.status === 'FAIL').map((check) => check.name)).toEqual([
      key,
    ]);
  });

  it('never prints secret values', async () => {
    const dir = tempDir();
    const env = productionEnv({ DASHBOARD_AUTH_TOKEN: 'short-secret-token-value' });
    writeFileSync(join(dir, 'prod.env'), toEnvFile(env));
    const result = await runCli(['validate', '--mode', 'production', '--env-file', 'prod.env'], { cwd: dir });
    for (const key of [
      'DASHBOARD_AUTH_TOKEN',
      'INNGEST_SIGNING_KEY',
      'INNGEST_EVENT_KEY',
      'CLAY_WEBHOOK_SECRET',
    ] as const) {
      expect(result.stdout + result.stderr).not.toContain(env[key]);
    }
    expect(result.stdout).not.toContain('s3cr3tpassw0rd');
  });

  it('a missing env file is a one-line error with the fix, exit 2 (even though Node 20 parses --env-file)', async () => {
    const dir = tempDir();
    const result = await runCli(['validate', '--mode', 'production', '--env-file', 'nope.env'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Error: Env file not found:');
    expect(result.stderr).toContain('Next: Create it with `caio bootstrap');
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('an unparsable line names the file and line, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.env'), 'REDIS_URL=redis://x\nnot an assignment\n');
    const result = await runCli(['validate', '--env-file', 'bad.env'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.env:2: cannot parse/);
  });

  it('unknown flags and bad flag values exit 2 with the fix', async () => {
    const dir = tempDir();
    const unknown = await runCli(['validate', '--mood', 'production'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown flag --mood');
    const badMode = await runCli(['validate', '--mode', 'prod'], { cwd: dir });
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain('--mode must be one of development, staging, production');
  });
});
