import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextAuditRow } from '../../src/runtime/domain/audit-chain.js';
import { createRecordStore } from '../../src/runtime/stores/record/record.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../helpers/record.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

const TOKEN = 'tok_e2e_0123456789abcdefghijklmnopqrstuv';

async function seed(hiveDir: string, rows: number): Promise<void> {
  const record = await createRecordStore({ HIVE_DIR: hiveDir });
  for (let i = 1; i <= rows; i++) {
    await record.audit.append({
      actor: 'ann',
      action: 'queue.approve',
      subject: `draft-${i}`,
      details: { i },
    });
  }
  await record.audit.append({
    actor: 'ops',
    action: 'bootstrap.rotate_token',
    subject: '.env',
    details: { leaked: TOKEN },
  });
  await record.close();
}

describe('caio audit', () => {
  const tempDir = useTempDir();

  it('verifies an intact chain, tails it, and masks secrets in the output', async () => {
    const cwd = tempDir();
    await seed(join(cwd, 'hive'), 4);
    const env = { HIVE_DIR: 'hive', DASHBOARD_AUTH_TOKEN: TOKEN };

    const verify = await runCli(['audit', 'verify'], { cwd, env });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('PASS audit chain intact: 5 rows, head #5');

    const tail = await runCli(['audit', 'tail', '-n', '2', '--json'], { cwd, env });
    expect(tail.code).toBe(0);
    const rows = JSON.parse(tail.stdout) as { seq: number; action: string }[];
    expect(rows.map((row) => [row.seq, row.action])).toEqual([
      [4, 'queue.approve'],
      [5, 'bootstrap.rotate_token'],
    ]);
    expect(tail.stdout).not.toContain(TOKEN);

    const text = await runCli(['audit', 'tail'], { cwd, env });
    expect(text.stdout.trim().split('\n')).toHaveLength(5);
    expect(text.stdout).toMatch(
      /#1 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}ann {2}queue\.approve +draft-1 {2}\{"i":1\}/,
    );
    expect(text.stdout).not.toContain(TOKEN);
  });

  it('exits 1 naming the first row edited by hand after the trigger was dropped', async () => {
    const cwd = tempDir();
    await seed(join(cwd, 'hive'), 4);
    const raw = new Database(join(cwd, 'hive', 'caio.db'));
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.exec(`UPDATE audit_log SET details = '{"i":99}' WHERE seq = 2`);
    raw.close();

    const result = await runCli(['audit', 'verify'], { cwd, env: { HIVE_DIR: 'hive' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL append-only trigger audit_log_no_update is missing');
    expect(result.stdout).toContain('FAIL audit chain broken at row 2 (hash_mismatch)');
    expect(result.stdout).toContain('1 rows before it verified.');

    const json = await runCli(['audit', 'verify', '--json'], { cwd, env: { HIVE_DIR: 'hive' } });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      checked: 1,
      broken: { seq: 2, problem: 'hash_mismatch' },
    });
  });

  it('--expect-head catches a trail truncated at the end, which the chain alone cannot show', async () => {
    const cwd = tempDir();
    await seed(join(cwd, 'hive'), 4);
    const env = { HIVE_DIR: 'hive' };
    const first = JSON.parse((await runCli(['audit', 'verify', '--json'], { cwd, env })).stdout) as {
      head: { seq: number; hash: string };
    };
    const head = `${first.head.seq}:${first.head.hash.slice(0, 16)}`;
    const same = await runCli(['audit', 'verify', '--expect-head', head], { cwd, env });
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`PASS row 5 matches the recorded head ${first.head.hash.slice(0, 16)}`);

    const raw = new Database(join(cwd, 'hive', 'caio.db'));
    raw.exec('DROP TRIGGER audit_log_no_delete');
    raw.exec('DELETE FROM audit_log WHERE seq >= 4');
    raw.close();
    // Without a recorded head, the dropped trigger alone already fails the plain verify.
    const plain = await runCli(['audit', 'verify'], { cwd, env });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('trigger_missing');
    const anchored = await runCli(['audit', 'verify', '--expect-head', head], { cwd, env });
    expect(anchored.code).toBe(1);
    expect(anchored.stdout).toContain('FAIL row 5 is gone (the trail now ends at row 3)');

    const bad = await runCli(['audit', 'verify', '--expect-head', 'five'], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expect-head must look like SEQ:HASH');
  });

  it.skipIf(!POSTGRES_FOR_TESTS)(
    "with PostgreSQL, reports a chain left in this host's caio.db as a legacy chain, apart from the shared one",
    async () => {
      const cwd = tempDir();
      const hive = join(cwd, 'hive');
      const database = await createTestDatabase();
      try {
        const record = await createRecordStore({ HIVE_DIR: hive, DATABASE_URL: database.url });
        await record.audit.append({ actor: 'ann', action: 'queue.approve', subject: 'shared-1' });
        await record.close();
        // What this host's old SQLite audit log left behind (two rows of its own chain).
        mkdirSync(hive, { recursive: true });
        const local = new Database(join(hive, 'caio.db'));
        local.exec(
          'CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE)',
        );
        const one = nextAuditRow(undefined, {
          time: '2026-11-01T10:00:00.000Z',
          actor: 'bo',
          action: 'golden.add',
          subject: 'g1',
        });
        const two = nextAuditRow(one, {
          time: '2026-11-01T10:01:00.000Z',
          actor: 'bo',
          action: 'pipeline.run',
          subject: 'p1',
        });
        const insert = local.prepare(
          'INSERT INTO audit_log VALUES (@seq, @time, @actor, @action, @subject, @details, @prev_hash, @hash)',
        );
        insert.run(one);
        insert.run(two);
        local.close();

        const env = { HIVE_DIR: 'hive', DATABASE_URL: database.url };
        const verify = await runCli(['audit', 'verify'], { cwd, env });
        expect(verify.code, verify.stdout + verify.stderr).toBe(0);
        expect(verify.stdout).toContain('PASS audit chain intact: 1 rows');
        expect(verify.stdout).toMatch(
          /WARN .*caio\.db holds a legacy audit chain of 2 rows .*its own chain verifies/,
        );
        expect(verify.stdout).not.toContain(database.url);
      } finally {
        await database.drop();
      }
    },
    60_000,
  );

  it('reports an absent trail as empty, and usage errors with exit 2', async () => {
    const cwd = tempDir();
    const empty = await runCli(['audit', 'verify', '--hive-dir', 'nowhere'], { cwd });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No audit trail yet');

    const missing = await runCli(['audit'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing audit command');
    const unknown = await runCli(['audit', 'verify', '--bogus'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown flag --bogus');
    const help = await runCli(['audit', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: caio audit verify');
  });
});
