import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envEntries, parseEnvFile } from '../../src/runtime/env-file.js';
import { runCli } from '../helpers/cli.js';
import { SIGNING_KEY } from '../helpers/env-fixtures.js';
import { useTempDir } from '../helpers/temp.js';

const mode600 = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('caio bootstrap (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('creates a file with mode 0600, a strong token and production strict flags; a second run changes nothing', async () => {
    const dir = tempDir();
    const first = await runCli(
      [
        'bootstrap',
        '--mode',
        'production',
        '--env-file',
        'prod.env',
        '--redis-url',
        'rediss://:pw@redis.acme.io:6380',
        '--inngest-signing-key',
        SIGNING_KEY,
      ],
      { cwd: dir },
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const path = join(dir, 'prod.env');
    expect(mode600(path)).toBe('600');
    const values = envEntries(parseEnvFile(readFileSync(path, 'utf8')));
    expect(values).toMatchObject({
      CAIO_MODE: 'production',
      REDIS_REQUIRED: 'true',
      INNGEST_REQUIRED: 'true',
      DASHBOARD_AUTH_STRICT: 'true',
    });
    expect(values.DASHBOARD_AUTH_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(values.STATE_REDIS_PREFIX).toBe('caio:production:state');
    // Changed keys are reported masked: never the token or the signing key.
    expect(first.stdout).toContain('DASHBOARD_AUTH_TOKEN');
    expect(first.stdout).not.toContain(values.DASHBOARD_AUTH_TOKEN as string);
    expect(first.stdout).not.toContain(SIGNING_KEY);
    expect(first.stdout).toContain('rediss://:***@redis.acme.io:6380');

    const before = readFileSync(path, 'utf8');
    const second = await runCli(['bootstrap', '--mode', 'production', '--env-file', 'prod.env'], {
      cwd: dir,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('no keys changed');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((name) => name.includes('.bak-'))).toEqual([]);
  });

  it('keeps every other line and comment, backs up the old file, and rotates the token on request', async () => {
    const dir = tempDir();
    const path = join(dir, 'staging.env');
    const original = `# ops notes: do not remove\nCUSTOM_THING=keep me\n\nDASHBOARD_AUTH_TOKEN=Zk3pQ8vR2mX7wL4nB9cT1yH6jD5sF0gA3eK8uP2q\n# trailing comment\n`;
    writeFileSync(path, original);
    const result = await runCli(
      ['bootstrap', '--mode', 'staging', '--env-file', 'staging.env', '--rotate-token'],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# ops notes: do not remove\nCUSTOM_THING=keep me\n');
    expect(text).toContain('# trailing comment\n');
    const values = envEntries(parseEnvFile(text));
    expect(values.DASHBOARD_AUTH_TOKEN).not.toBe('Zk3pQ8vR2mX7wL4nB9cT1yH6jD5sF0gA3eK8uP2q');
    expect(values.CAIO_MODE).toBe('staging');
    const backups = readdirSync(dir).filter((name) => name.startsWith('staging.env.bak-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0] as string), 'utf8')).toBe(original);
    expect(mode600(join(dir, backups[0] as string))).toBe('600');
    expect(mode600(path)).toBe('600');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces a placeholder token but keeps a real one', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'dev.env'), 'DASHBOARD_AUTH_TOKEN=your-dashboard-token-at-least-32-chars\n');
    await runCli(['bootstrap', '--mode', 'development', '--env-file', 'dev.env'], { cwd: dir });
    const token = envEntries(parseEnvFile(readFileSync(join(dir, 'dev.env'), 'utf8'))).DASHBOARD_AUTH_TOKEN;
    expect(token).not.toContain('your-');
    const again = await runCli(['bootstrap', '--mode', 'development', '--env-file', 'dev.env'], { cwd: dir });
    expect(again.stdout).toContain('no keys changed');
  });

  it('--validate chains into validate and reports its result', async () => {
    const dir = tempDir();
    const result = await runCli(['bootstrap', '--mode', 'production', '--env-file', 'p.env', '--validate'], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL REDIS_URL/m);
    expect(result.stdout).toMatch(/^PASS DASHBOARD_AUTH_TOKEN/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('Result: FAIL');
  });

  it('refuses a malformed --inngest-signing-key without writing anything', async () => {
    const dir = tempDir();
    const result = await runCli(
      ['bootstrap', '--mode', 'staging', '--env-file', 's.env', '--inngest-signing-key', 'nope'],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('INNGEST_SIGNING_KEY must be signkey-<env>-<hex>');
    expect(existsSync(join(dir, 's.env'))).toBe(false);
  });

  it('requires --mode and --env-file', async () => {
    const dir = tempDir();
    const result = await runCli(['bootstrap', '--env-file', 'x.env'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Missing --mode');
  });
});
