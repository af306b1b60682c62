import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAuditLog, repairAuditTriggers } from '../../src/runtime/services/audit.js';
import { openDatabase } from '../../src/runtime/stores/sqlite/database.js';
import { useTempDir } from '../helpers/temp.js';

const WORKER = fileURLToPath(new URL('./audit-writer.worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function spawnWriter(db: string, actor: string, count: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WORKER, db, actor, String(count)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitFor(child: ChildProcess, text: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`worker did not print "${text}": ${err}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      if (!out.includes(text)) {
        clearTimeout(timer);
        reject(new Error(`worker exited ${code} before "${text}": ${err}`));
      }
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function pollUntil(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('audit log over a real SQLite file', () => {
  const tempDir = useTempDir();

  it('appends chained rows and tails them oldest first', () => {
    const db = openDatabase(join(tempDir(), 'caio.db'));
    let clock = Date.parse('2026-11-21T10:00:00.000Z');
    const audit = createAuditLog(db, { now: () => (clock += 1000) });
    const first = audit.append({
      actor: 'ann',
      action: 'queue.approve',
      subject: 'd1',
      details: { b: 1, a: 2 },
    });
    audit.append({ actor: 'bob', action: 'queue.reject', subject: 'd2' });
    audit.append({ actor: 'ann', action: 'batch.preview', subject: 'b1', details: ['x'] });
    expect(first).toMatchObject({ seq: 1, time: '2026-11-21T10:00:01.000Z', details: { a: 2, b: 1 } });
    expect(audit.count()).toBe(3);
    expect(audit.tail(2).map((row) => [row.seq, row.action, row.details])).toEqual([
      [2, 'queue.reject', null],
      [3, 'batch.preview', ['x']],
    ]);
    expect(audit.tail(2)[1]?.prev_hash).toBe(audit.tail(2)[0]?.hash);
    expect(audit.get(2)).toMatchObject({ seq: 2, actor: 'bob', subject: 'd2' });
    expect(audit.get(4)).toBeUndefined();
    expect(audit.verify()).toMatchObject({ ok: true, count: 3, head: { seq: 3 } });
    db.close();
  });

  it('refuses an entry without actor or action', () => {
    const db = openDatabase(join(tempDir(), 'caio.db'));
    const audit = createAuditLog(db);
    expect(() => audit.append({ actor: ' ', action: 'x', subject: 's' })).toThrow(/actor is required/);
    expect(audit.count()).toBe(0);
    db.close();
  });

  it('commits with the caller transaction and rolls back with it', () => {
    const db = openDatabase(join(tempDir(), 'caio.db'));
    const audit = createAuditLog(db);
    db.exec('CREATE TABLE drafts (id TEXT PRIMARY KEY, status TEXT)');
    const approve = db.transaction((id: string, fail: boolean) => {
      db.prepare("INSERT INTO drafts VALUES (?, 'approved')").run(id);
      audit.append({ actor: 'ann', action: 'queue.approve', subject: id });
      if (fail) throw new Error('boom after the audit row');
    });
    approve.immediate('d1', false);
    expect(() => approve.immediate('d2', true)).toThrow('boom');
    expect(db.prepare('SELECT id FROM drafts').pluck().all()).toEqual(['d1']);
    expect(audit.tail(10).map((row) => row.subject)).toEqual(['d1']);
    audit.append({ actor: 'ann', action: 'queue.approve', subject: 'd3' });
    expect(audit.verify()).toMatchObject({ ok: true, count: 2 });
    db.close();
  });

  it('refuses UPDATE and DELETE through triggers', () => {
    const db = openDatabase(join(tempDir(), 'caio.db'));
    const audit = createAuditLog(db);
    audit.append({ actor: 'ann', action: 'queue.approve', subject: 'd1' });
    expect(() => db.exec("UPDATE audit_log SET actor = 'mallory'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log')).toThrow(/append-only/);
    expect(audit.tail(1)[0]?.actor).toBe('ann');
    db.close();
  });

  it('catches a row edited by hand after dropping the trigger, and leaves the trigger missing for repair', () => {
    const path = join(tempDir(), 'caio.db');
    const db = openDatabase(path);
    const audit = createAuditLog(db);
    for (let i = 1; i <= 5; i++) audit.append({ actor: 'ann', action: 'queue.approve', subject: `d${i}` });
    db.close();

    // Someone with the file and the sqlite CLI (here: a plain connection, no caio code).
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    raw.close();

    const reopened = openDatabase(path);
    const again = createAuditLog(reopened);
    const result = again.verify();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.checked).toBe(2);
    expect(result.broken).toMatchObject({ seq: 3, problem: 'hash_mismatch' });
    expect(result.failures.join('\n')).toContain('audit_log_no_update is missing');
    // Opening never repairs (that would erase the evidence): only the explicit repair does.
    expect(() => reopened.exec("UPDATE audit_log SET actor = 'x' WHERE seq = 3")).not.toThrow();
    expect(repairAuditTriggers(reopened, 'ops')).toEqual(['audit_log_no_update']);
    expect(() => reopened.exec("UPDATE audit_log SET actor = 'x'")).toThrow(/append-only/);
    reopened.close();
  });

  it('catches a deleted row after dropping the trigger', () => {
    const path = join(tempDir(), 'caio.db');
    const db = openDatabase(path);
    const audit = createAuditLog(db);
    for (let i = 1; i <= 4; i++) audit.append({ actor: 'ann', action: 'queue.approve', subject: `d${i}` });
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.exec('DELETE FROM audit_log WHERE seq = 2');
    const result = audit.verify();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.broken).toMatchObject({ seq: 3, problem: 'seq_gap' });
    db.close();
  });

  it('keeps one chain when several processes append to the same file at once', async () => {
    const path = join(tempDir(), 'caio.db');
    createAuditLog(openDatabase(path));
    const writers = ['w1', 'w2', 'w3'].map((actor) => spawnWriter(path, actor, 150));
    const codes = await Promise.all(writers.map(exited));
    expect(codes).toEqual([0, 0, 0]);

    const db = openDatabase(path);
    const audit = createAuditLog(db);
    expect(audit.verify()).toMatchObject({ ok: true, count: 450 });
    const byActor = db
      .prepare('SELECT actor, count(*) AS n FROM audit_log GROUP BY actor ORDER BY actor')
      .all();
    expect(byActor).toEqual([
      { actor: 'w1', n: 150 },
      { actor: 'w2', n: 150 },
      { actor: 'w3', n: 150 },
    ]);
    db.close();
  }, 90_000);

  it('survives kill -9 of writers mid-loop: integrity ok, chain verifies, no change without its audit row', async () => {
    const path = join(tempDir(), 'caio.db');
    const rounds = 5;
    for (let round = 1; round <= rounds; round++) {
      const before = (() => {
        const db = openDatabase(path);
        const n = createAuditLog(db).count();
        db.close();
        return n;
      })();
      // Two writers per round, so a kill can land while the other one waits for the write lock.
      const writers = [spawnWriter(path, `r${round}a`, 0), spawnWriter(path, `r${round}b`, 0)];
      await Promise.all(writers.map((child) => waitFor(child, 'ready')));
      const watcher = new Database(path, { readonly: true });
      await pollUntil(
        () => (watcher.prepare('SELECT count(*) FROM audit_log').pluck().get() as number) >= before + 100,
      );
      watcher.close();
      for (const child of writers) child.kill('SIGKILL');
      await Promise.all(writers.map(exited));
    }

    const db = openDatabase(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const audit = createAuditLog(db);
    const result = audit.verify();
    expect(result).toMatchObject({ ok: true });
    const changes = db.prepare('SELECT count(*) FROM worker_changes').pluck().get() as number;
    expect(audit.count()).toBe(changes);
    expect(changes).toBeGreaterThanOrEqual(rounds * 100);
    db.close();
  }, 180_000);
});
