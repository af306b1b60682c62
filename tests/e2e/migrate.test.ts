/**
 * `caio migrate` as an operator runs it (bin/caio): a host used on its embedded record moves onto a
 * private PostgreSQL record and a private Redis; `--json` is the summary with "ok"; a rerun copies
 * nothing; the other commands then read the shared record. A wrong DATABASE_URL is one line, exit 2.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../helpers/record.js';
import { REDIS_AVAILABLE, startRedis, type TestRedis } from '../helpers/redis-server.js';

const SAMPLES = fileURLToPath(new URL('../../samples/drafts.jsonl', import.meta.url));
const run = REDIS_AVAILABLE && POSTGRES_FOR_TESTS ? describe : describe.skip;

interface Summary {
  ok: boolean;
  record_id: string;
  migrated: { record: Record<string, number>; redis: Record<string, unknown> };
  skipped: { record: Record<string, number> };
  errors: unknown[];
}

run('caio migrate (one host -> shared record and Redis)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'caio-migrate-'));
  const hive = join(cwd, 'hive');
  let redis: TestRedis;
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    redis = await startRedis();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await redis.close();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('copies, seeds, prints ok true with --json, and a rerun copies nothing', async () => {
    const local = { HIVE_DIR: hive, CAIO_OPERATOR: 'maria' };
    expect((await runCli(['queue', 'import', SAMPLES], { cwd, env: local })).code).toBe(0);
    const listed = await runCli(['queue', 'list', '--status', 'pending', '--json'], { cwd, env: local });
    const pending = JSON.parse(listed.stdout) as { id: string }[];
    expect((await runCli(['queue', 'approve', pending[0]!.id], { cwd, env: local })).code).toBe(0);

    const prefix = `e2e-${randomUUID()}`;
    const shared = {
      ...local,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      STATE_REDIS_PREFIX: `${prefix}:state`,
      CONTEXT_REDIS_PREFIX: `${prefix}:context`,
      RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:ratelimit`,
    };
    const first = await runCli(['migrate', '--hive-dir', hive, '--json'], {
      cwd,
      env: shared,
      timeoutMs: 60_000,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as Summary;
    expect(summary).toMatchObject({ ok: true, errors: [], migrated: { redis: { record_id: 1 } } });
    expect(summary.migrated.record.drafts).toBe(24);
    expect(summary.migrated.record.audit_log).toBeGreaterThan(0);

    const second = await runCli(['migrate', '--hive-dir', hive, '--json'], {
      cwd,
      env: shared,
      timeoutMs: 60_000,
    });
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as Summary;
    expect(again.ok).toBe(true);
    expect(Object.values(again.migrated.record).every((n) => n === 0)).toBe(true);
    expect(again.skipped.record.drafts).toBe(24);

    // Another host (its own HIVE_DIR) on the shared record sees the queue and the same audit chain.
    const elsewhere = { ...shared, HIVE_DIR: join(cwd, 'other-host') };
    const approved = await runCli(['queue', 'list', '--status', 'approved', '--json'], {
      cwd,
      env: elsewhere,
    });
    expect((JSON.parse(approved.stdout) as { id: string }[]).map((i) => i.id)).toEqual([pending[0]!.id]);
    const verify = await runCli(['audit', 'verify'], { cwd, env: elsewhere });
    expect(verify.code).toBe(0);
  });

  it('an unreachable DATABASE_URL is one line naming it, exit 2', async () => {
    const result = await runCli(['migrate', '--hive-dir', hive, '--json'], {
      cwd,
      env: { HIVE_DIR: hive, DATABASE_URL: 'postgres://caio:secretpw@127.0.0.1:1/caio' },
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/DATABASE_URL/);
    expect(result.stderr).not.toContain('secretpw');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
