/**
 * Tampering that the chain alone cannot show (SPEC 5): a cut tail, an emptied or dropped table, a
 * dropped trigger. `caio audit verify` fails every time, run after run, and never writes to the
 * database it checks; only `caio audit repair-triggers` repairs, and a cut tail still fails after it.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/runtime/services/audit.js';
import { openDatabase } from '../../src/runtime/stores/sqlite/database.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

/** 6 rows, with a release decision recording the head at row 5. */
function seed(hiveDir: string): void {
  const db = openDatabase(join(hiveDir, 'caio.db'));
  const audit = createAuditLog(db);
  for (let i = 1; i <= 4; i++) audit.append({ actor: 'ann', action: 'queue.approve', subject: `d-${i}` });
  db.transaction(() => {
    audit.append({
      actor: 'pto',
      action: 'release.decision',
      subject: 'r1/staging',
      details: { decision: 'GO' },
    });
    audit.recordHead('release.decision r1/staging');
  }).immediate();
  audit.append({ actor: 'ann', action: 'queue.reject', subject: 'd-5' });
  db.close();
}

function tamper(hiveDir: string, ...sql: string[]): void {
  const raw = new Database(join(hiveDir, 'caio.db'));
  for (const statement of sql) raw.exec(statement);
  raw.close();
}

/** What verify must leave exactly as it found it. */
function fingerprint(hiveDir: string): string {
  const hash = createHash('sha256');
  for (const name of ['caio.db', 'caio.db-wal']) {
    const path = join(hiveDir, name);
    hash.update(name).update(existsSync(path) ? readFileSync(path) : Buffer.alloc(0));
  }
  return hash.digest('hex');
}

describe('caio audit verify against tampering', () => {
  const tempDir = useTempDir();

  async function verifyTwice(cwd: string) {
    const hive = join(cwd, 'hive');
    const before = fingerprint(hive);
    const env = { HIVE_DIR: 'hive' };
    const first = await runCli(['audit', 'verify', '--json'], { cwd, env });
    const second = await runCli(['audit', 'verify'], { cwd, env });
    expect(fingerprint(hive)).toBe(before);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(second.code, second.stdout + second.stderr).toBe(1);
    return { json: JSON.parse(first.stdout) as Record<string, unknown>, text: second.stdout };
  }

  it('passes an intact trail and checks the recorded head', async () => {
    const cwd = tempDir();
    seed(join(cwd, 'hive'));
    const ok = await runCli(['audit', 'verify'], { cwd, env: { HIVE_DIR: 'hive' } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('PASS audit chain intact: 6 rows');
    expect(ok.stdout).toContain('1 recorded heads hold');
  });

  it('fails a cut tail every time, and still after the triggers are repaired', async () => {
    const cwd = tempDir();
    const hive = join(cwd, 'hive');
    seed(hive);
    tamper(hive, 'DROP TRIGGER audit_log_no_delete', 'DELETE FROM audit_log WHERE seq >= 4');
    const { json, text } = await verifyTwice(cwd);
    expect(json).toMatchObject({ ok: false, broken: { seq: 5, problem: 'head_missing' } });
    expect(text).toContain('FAIL audit chain broken at row 5 (head_missing)');
    expect(text).toContain('the trail now ends at row 3');
    expect(text).toContain('FAIL append-only trigger audit_log_no_delete is missing');

    const repair = await runCli(['audit', 'repair-triggers'], { cwd, env: { HIVE_DIR: 'hive' } });
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain('Restored audit_log_no_delete');
    const after = await verifyTwice(cwd);
    expect(after.json).toMatchObject({ broken: { problem: 'head_missing' } });
  });

  it('fails when every row is deleted', async () => {
    const cwd = tempDir();
    const hive = join(cwd, 'hive');
    seed(hive);
    tamper(hive, 'DROP TRIGGER audit_log_no_delete', 'DELETE FROM audit_log');
    expect((await verifyTwice(cwd)).json).toMatchObject({ broken: { seq: 5, problem: 'head_missing' } });
  });

  it('fails a dropped table, also once the runtime has recreated an empty one', async () => {
    const cwd = tempDir();
    const hive = join(cwd, 'hive');
    seed(hive);
    tamper(hive, 'DROP TABLE audit_log');
    const { json, text } = await verifyTwice(cwd);
    expect(json).toMatchObject({ broken: { problem: 'table_missing' } });
    expect(text).toContain('the audit_log table is missing');

    // The runtime opening the file creates a fresh table and appends: the recorded head still fails it.
    const db = openDatabase(join(hive, 'caio.db'));
    createAuditLog(db).append({ actor: 'ann', action: 'queue.approve', subject: 'd-9' });
    db.close();
    expect((await verifyTwice(cwd)).json).toMatchObject({ broken: { seq: 5, problem: 'head_missing' } });
  });

  it('fails a dropped trigger (or heads table) until repair-triggers restores it', async () => {
    const cwd = tempDir();
    const hive = join(cwd, 'hive');
    seed(hive);
    tamper(hive, 'DROP TRIGGER audit_log_no_update');
    const { json } = await verifyTwice(cwd);
    expect(json).toMatchObject({ broken: { problem: 'trigger_missing' } });
    // A writer opening the file does not quietly restore it either.
    const db = openDatabase(join(hive, 'caio.db'));
    createAuditLog(db).append({ actor: 'ann', action: 'queue.approve', subject: 'd-7' });
    db.close();
    await verifyTwice(cwd);

    const env = { HIVE_DIR: 'hive', USER: 'ops' };
    expect((await runCli(['audit', 'repair-triggers'], { cwd, env })).code).toBe(0);
    const ok = await runCli(['audit', 'verify'], { cwd, env });
    expect(ok.code, ok.stdout).toBe(0);
    const tail = await runCli(['audit', 'tail', '-n', '1', '--json'], { cwd, env });
    expect(JSON.parse(tail.stdout)).toMatchObject([
      { actor: 'cli:ops', action: 'audit.repair_triggers', details: { restored: ['audit_log_no_update'] } },
    ]);

    tamper(hive, 'DROP TRIGGER audit_heads_no_delete', 'DELETE FROM audit_heads');
    expect((await verifyTwice(cwd)).json).toMatchObject({ broken: { problem: 'trigger_missing' } });
  });
});
