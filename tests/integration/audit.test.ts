/**
 * The audit trail in the record (SPEC 5), on SQLite and PostgreSQL: one hash chain, append-only by
 * triggers, committed with the change it records, verified against every recorded head, and kept as
 * one chain when several processes (hosts) append at once.
 */
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nextAuditRow } from '../../src/runtime/domain/audit-chain.js';
import {
  createAuditService,
  repairAuditTriggers,
  verifyAuditTrail,
} from '../../src/runtime/services/audit.js';
import { createRecordStore, type RecordStore } from '../../src/runtime/stores/record/record.js';
import { recordHead } from '../../src/runtime/stores/record/tables/audit-heads.js';
import { describeRecords } from '../helpers/record.js';

const WORKER = fileURLToPath(new URL('./audit-writer.worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function spawnWriter(config: object, actor: string, count: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config), actor, String(count)], {
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

/** Statements as someone with direct database access would run them (no caio code). */
async function raw(record: RecordStore, statement: string): Promise<void> {
  await sql.raw(statement).execute(record.db.kysely);
}

const dropTrigger = (record: RecordStore, name: string, table: string) =>
  raw(record, record.dialect === 'postgres' ? `DROP TRIGGER ${name} ON ${table}` : `DROP TRIGGER ${name}`);

describeRecords('audit trail in the record', ({ kind, open, reopen }) => {
  it('appends chained rows and tails them oldest first', async () => {
    let clock = Date.parse('2026-11-21T10:00:00.000Z');
    const { record } = await open({ now: () => (clock += 1000) });
    const audit = createAuditService(record);
    const first = await audit.append({
      actor: 'ann',
      action: 'queue.approve',
      subject: 'd1',
      details: { b: 1, a: 2 },
    });
    await audit.append({ actor: 'bob', action: 'queue.reject', subject: 'd2' });
    await audit.append({ actor: 'ann', action: 'batch.preview', subject: 'b1', details: ['x'] });
    expect(first).toMatchObject({ seq: 1, time: '2026-11-21T10:00:01.000Z', details: { a: 2, b: 1 } });
    expect(await audit.count()).toBe(3);
    const tail = await audit.tail(2);
    expect(tail.map((row) => [row.seq, row.action, row.details])).toEqual([
      [2, 'queue.reject', null],
      [3, 'batch.preview', ['x']],
    ]);
    expect(tail[1]?.prev_hash).toBe(tail[0]?.hash);
    expect(await audit.get(2)).toMatchObject({ seq: 2, actor: 'bob', subject: 'd2' });
    expect(await audit.get(4)).toBeUndefined();
    expect(await audit.head()).toEqual({ seq: 3, hash: tail[1]?.hash });
    expect(await audit.verify()).toMatchObject({ ok: true, count: 3, head: { seq: 3 }, heads_checked: 0 });
  });

  it('refuses an entry without actor or action', async () => {
    const { record } = await open();
    const audit = createAuditService(record);
    await expect(audit.append({ actor: ' ', action: 'x', subject: 's' })).rejects.toThrow(
      /actor is required/,
    );
    expect(await audit.count()).toBe(0);
  });

  it('commits with the change it records and rolls back with it, head included', async () => {
    const { record } = await open();
    const audit = createAuditService(record);
    await record.transaction(async (tx) => {
      const row = await tx.audit.append({ actor: 'pto', action: 'release.decision', subject: 'r1/staging' });
      await recordHead(tx, { seq: row.seq, hash: row.hash, reason: 'release.decision r1/staging' });
    });
    await expect(
      record.transaction(async (tx) => {
        const row = await tx.audit.append({
          actor: 'pto',
          action: 'release.decision',
          subject: 'r2/staging',
        });
        await recordHead(tx, { seq: row.seq, hash: row.hash, reason: 'release.decision r2/staging' });
        throw new Error('boom after the audit row');
      }),
    ).rejects.toThrow('boom');
    expect((await audit.tail(10)).map((row) => row.subject)).toEqual(['r1/staging']);
    expect((await record.auditHeads.list()).map((head) => [head.seq, head.reason])).toEqual([
      [1, 'release.decision r1/staging'],
    ]);
    const withHead = await audit.append(
      { actor: 'pto', action: 'release.decision', subject: 'r3/staging' },
      { recordHead: 'release.decision r3/staging' },
    );
    expect(withHead.seq).toBe(2);
    expect(await audit.verify()).toMatchObject({ ok: true, count: 2, heads_checked: 2 });
  });

  it('refuses UPDATE and DELETE of rows and recorded heads through triggers', async () => {
    const { record } = await open();
    const audit = createAuditService(record);
    await audit.append({ actor: 'ann', action: 'queue.approve', subject: 'd1' }, { recordHead: 'test' });
    await expect(raw(record, "UPDATE audit_log SET actor = 'mallory'")).rejects.toThrow(/append-only/);
    await expect(raw(record, 'DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(raw(record, "UPDATE audit_heads SET hash = 'x'")).rejects.toThrow(/append-only/);
    await expect(raw(record, 'DELETE FROM audit_heads')).rejects.toThrow(/append-only/);
    expect((await audit.tail(1))[0]?.actor).toBe('ann');
  });

  it('names the first row edited by hand, and leaves the trigger missing until repaired', async () => {
    const { record, config } = await open();
    const audit = createAuditService(record);
    for (let i = 1; i <= 5; i++)
      await audit.append({ actor: 'ann', action: 'queue.approve', subject: `d${i}` });
    await dropTrigger(record, 'audit_log_no_update', 'audit_log');
    await raw(record, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");

    // Another process opening the record: verify reports, opening never repairs.
    const again = await reopen(config);
    const result = await verifyAuditTrail(again);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.checked).toBe(2);
    expect(result.broken).toMatchObject({ seq: 3, problem: 'hash_mismatch' });
    expect(result.failures.join('\n')).toContain('audit_log_no_update is missing');
    await expect(raw(again, "UPDATE audit_log SET actor = 'x' WHERE seq = 3")).resolves.toBeUndefined();
    expect(await repairAuditTriggers(again, 'ops')).toEqual(['audit_log_no_update']);
    await expect(raw(again, "UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
    expect((await audit.tail(1))[0]).toMatchObject({
      actor: 'ops',
      action: 'audit.repair_triggers',
      details: { restored: ['audit_log_no_update'] },
    });
  });

  it('catches a deleted row, and a tail cut below a recorded head', async () => {
    const { record } = await open();
    const audit = createAuditService(record);
    for (let i = 1; i <= 3; i++)
      await audit.append({ actor: 'ann', action: 'queue.approve', subject: `d${i}` });
    await audit.append({ actor: 'pto', action: 'release.decision', subject: 'r1' }, { recordHead: 'r1' });
    await dropTrigger(record, 'audit_log_no_delete', 'audit_log');
    await raw(record, 'DELETE FROM audit_log WHERE seq = 2');
    expect(await audit.verify()).toMatchObject({ ok: false, broken: { seq: 3, problem: 'seq_gap' } });
    await raw(record, 'DELETE FROM audit_log WHERE seq >= 2');
    expect(await audit.verify()).toMatchObject({ ok: false, broken: { seq: 4, problem: 'head_missing' } });
  });

  it(
    'keeps one chain when several processes append to the same record at once',
    async () => {
      const { record, config } = await open();
      const writers = ['w1', 'w2', 'w3'].map((actor) => spawnWriter(config, actor, 60));
      expect(await Promise.all(writers.map(exited))).toEqual([0, 0, 0]);
      const audit = createAuditService(record);
      expect(await audit.verify()).toMatchObject({ ok: true, count: 180 });
      const rows = await audit.tail(180);
      const byActor: Record<string, number> = {};
      for (const row of rows) byActor[row.actor] = (byActor[row.actor] ?? 0) + 1;
      expect(byActor).toEqual({ w1: 60, w2: 60, w3: 60 });
    },
    kind === 'postgres' ? 120_000 : 90_000,
  );

  it('survives kill -9 of writers mid-loop: the chain verifies, no change without its audit row', async () => {
    const { record, config } = await open();
    for (let round = 1; round <= 3; round++) {
      const before = await record.audit.count();
      const writers = [spawnWriter(config, `r${round}a`, 0), spawnWriter(config, `r${round}b`, 0)];
      await Promise.all(writers.map((child) => waitFor(child, 'ready')));
      const deadline = Date.now() + 60_000;
      while ((await record.audit.count()) < before + 40) {
        if (Date.now() > deadline) throw new Error('writers did not append in time');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const child of writers) child.kill('SIGKILL');
      await Promise.all(writers.map(exited));
    }
    const audit = createAuditService(record);
    expect(await audit.verify()).toMatchObject({ ok: true });
    const changes = await sql<{ n: number }>`select count(*) as n from worker_changes`.execute(
      record.db.kysely,
    );
    expect(await audit.count()).toBe(Number(changes.rows[0]?.n));
    expect(await audit.count()).toBeGreaterThanOrEqual(120);
  }, 180_000);
});

describe('an embedded record written by an earlier caio', () => {
  it('keeps its chain and recorded heads: migration 9 adopts the audit_heads table it already has', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caio-legacy-'));
    try {
      // What the old SQLite audit log left in caio.db: the chain, and a head recorded by a decision.
      const file = new Database(join(dir, 'caio.db'));
      file.exec(LEGACY_SCHEMA);
      const first = nextAuditRow(undefined, {
        time: '2026-11-01T10:00:00.000Z',
        actor: 'ann',
        action: 'queue.approve',
        subject: 'd1',
      });
      const second = nextAuditRow(first, {
        time: '2026-11-01T10:01:00.000Z',
        actor: 'pto',
        action: 'release.decision',
        subject: 'r1/staging',
      });
      const insert = file.prepare(
        'INSERT INTO audit_log VALUES (@seq, @time, @actor, @action, @subject, @details, @prev_hash, @hash)',
      );
      insert.run(first);
      insert.run(second);
      file
        .prepare(
          "INSERT INTO audit_heads (seq, hash, recorded_at, reason) VALUES (2, ?, '2026-11-01T10:01:00.000Z', 'release.decision r1/staging')",
        )
        .run(second.hash);
      file.close();

      const record = await createRecordStore({ HIVE_DIR: dir });
      try {
        const audit = createAuditService(record);
        expect(await audit.verify()).toMatchObject({ ok: true, count: 2, heads_checked: 1 });
        expect(await audit.append({ actor: 'ann', action: 'queue.reject', subject: 'd2' })).toMatchObject({
          seq: 3,
          prev_hash: second.hash,
        });
        await expect(raw(record, 'DELETE FROM audit_heads')).rejects.toThrow(/append-only/);
      } finally {
        await record.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const LEGACY_SCHEMA = `
CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  subject TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed'); END;
CREATE TABLE audit_heads (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL, recorded_at TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TRIGGER audit_heads_no_update BEFORE UPDATE ON audit_heads BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only: DELETE is not allowed'); END;
`;
