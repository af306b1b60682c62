/**
 * The release evidence repository (SPEC 10) on both records: results keyed by release, environment
 * and target (newest row is current, history kept), sign-offs with history and unconfirm, decisions
 * with the audit head they saw, shared by a second opener (another host).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import type { StepResult } from '../../../src/runtime/domain/ritual/index.js';
import { describeRecords } from '../../helpers/record.js';

const result = (step: string, outcome: StepResult['outcome'], by: string, at: string, target: string) =>
  ({
    step_id: step,
    outcome,
    summary: `${step} ${outcome}`,
    evidence: { by, at, target, measured: 'm', duration_ms: 3 },
    ...(outcome === 'pass' ? { facts: { readiness_status: 200 } } : {}),
  }) satisfies StepResult;

describeRecords('record release evidence', ({ open, reopen }) => {
  it('keeps every result; the newest per (release, env, step) is current, with target, who and when', async () => {
    const { record, config } = await open();
    await record.release.putResult(
      'r1',
      'staging',
      result('smoke', 'fail', 'ann', '2026-11-20T10:00:00.000Z', 'https://a.example'),
    );
    await record.release.putResult(
      'r1',
      'staging',
      result('smoke', 'pass', 'bob', '2026-11-20T11:00:00.000Z', 'https://b.example'),
    );
    await record.release.putResult(
      'r1',
      'staging',
      result('validate', 'pass', 'ann', '2026-11-20T10:00:01.000Z', 'https://a.example'),
    );
    await record.release.putResult(
      'r1',
      'production',
      result('smoke', 'fail', 'cy', '2026-11-20T12:00:00.000Z', 'https://p.example'),
    );
    await record.release.putResult(
      'r2',
      'staging',
      result('smoke', 'fail', 'cy', '2026-11-20T12:00:00.000Z', 'https://a.example'),
    );

    // another host over the same record reads the same evidence
    const other = await reopen(config);
    const staging = await other.release.results('r1', 'staging');
    expect([...staging.keys()].sort()).toEqual(['smoke', 'validate']);
    expect(staging.get('smoke')).toEqual({
      step_id: 'smoke',
      outcome: 'pass',
      summary: 'smoke pass',
      evidence: {
        by: 'bob',
        at: '2026-11-20T11:00:00.000Z',
        target: 'https://b.example',
        measured: 'm',
        duration_ms: 3,
      },
      facts: { readiness_status: 200 },
    });
    expect((await other.release.results('r1', 'production')).get('smoke')?.outcome).toBe('fail');
    expect((await other.release.results('r3', 'staging')).size).toBe(0);
    const history = await other.release.resultHistory('r1', 'staging', 'smoke');
    expect(history.map((r) => [r.outcome, r.evidence.by, r.evidence.target])).toEqual([
      ['pass', 'bob', 'https://b.example'],
      ['fail', 'ann', 'https://a.example'],
    ]);
  });

  it('appends sign-offs, keeps the history, and an unconfirm withdraws the current one', async () => {
    const { record } = await open();
    await record.release.confirm('r1', {
      step_id: 'pto',
      by: 'Pat',
      at: '2026-11-20T10:00:00.000Z',
      note: 'tokens rotated',
    });
    await record.release.confirm('r1', {
      step_id: 'pto',
      by: 'Sam',
      at: '2026-11-20T11:00:00.000Z',
      forced: true,
    });
    await record.release.confirm('r1', { step_id: 'stable', by: 'Pat', at: '2026-11-20T11:30:00.000Z' });
    await record.release.confirm('r2', { step_id: 'pto', by: 'Lee', at: '2026-11-20T11:30:00.000Z' });

    let current = await record.release.confirmations('r1');
    expect(current.get('pto')).toMatchObject({ by: 'Sam', forced: true, revoked_at: null });
    expect(current.get('stable')).toMatchObject({ by: 'Pat', forced: false });

    const withdrawn = await record.transaction((tx) =>
      tx.release.unconfirm('r1', 'pto', 'Sam', '2026-11-20T12:00:00.000Z'),
    );
    expect(withdrawn.map((c) => c.by)).toEqual(['Pat', 'Sam']);
    current = await record.release.confirmations('r1');
    expect(current.has('pto')).toBe(false);
    expect(current.has('stable')).toBe(true);
    expect(await record.release.unconfirm('r1', 'pto', 'Sam', '2026-11-20T12:01:00.000Z')).toEqual([]);
    expect((await record.release.confirmations('r2')).get('pto')?.by).toBe('Lee');

    const history = await record.release.confirmationHistory('r1', 'pto');
    expect(history.map((c) => [c.by, c.note ?? null, c.forced, c.revoked_by])).toEqual([
      ['Pat', 'tokens rotated', false, 'Sam'],
      ['Sam', null, true, 'Sam'],
    ]);
    await record.release.confirm('r1', { step_id: 'pto', by: 'Pat', at: '2026-11-20T13:00:00.000Z' });
    expect((await record.release.confirmations('r1')).get('pto')?.by).toBe('Pat');
    expect(await record.release.confirmationHistory('r1')).toHaveLength(4);
  });

  it('stores each decision with the audit head it saw, in the same transaction as its audit row', async () => {
    const { record } = await open();
    const run = {
      release_id: 'r1',
      env: 'production' as const,
      target: 'https://p.example',
      actor: 'ci',
      started_at: '2026-11-20T10:00:00.000Z',
      finished_at: '2026-11-20T10:00:05.000Z',
      decision: 'NO-GO' as const,
      redis_required: true,
      inngest_required: false,
      reasons: ['staging: smoke missing'],
    };
    const id = await record.transaction(async (tx) => {
      const row = await tx.audit.append({
        actor: 'ci',
        action: 'release.decision',
        subject: 'r1/production',
      });
      return tx.release.putDecision({ ...run, audit_seq: row.seq, audit_hash: row.hash });
    });
    const head = await record.audit.head();
    expect(await record.release.latestDecision('r1', 'production')).toEqual({
      id,
      ...run,
      audit_seq: head!.seq,
      audit_hash: head!.hash,
    });
    expect(await record.release.latestDecision('r1', 'staging')).toBeUndefined();
    expect(await record.release.decisionHeads()).toEqual([
      { id, release_id: 'r1', env: 'production', seq: head!.seq, hash: head!.hash, at: run.finished_at },
    ]);

    // a failing transaction leaves neither the decision nor its audit row
    const before = await record.audit.count();
    await expect(
      record.transaction(async (tx) => {
        const row = await tx.audit.append({ actor: 'ci', action: 'release.decision', subject: 'r1/staging' });
        await tx.release.putDecision({ ...run, env: 'staging', audit_seq: row.seq, audit_hash: row.hash });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await record.audit.count()).toBe(before);
    expect(await record.release.latestDecision('r1', 'staging')).toBeUndefined();
    expect((await record.release.latestDecision())?.id).toBe(id);
  });
});

describeRecords('record release evidence, upgrade', ({ kind, reopen }) => {
  it.runIf(kind === 'sqlite')(
    'copies the old embedded release results and sign-offs into the record once',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'caio-release-legacy-'));
      try {
        const old = new Database(join(dir, 'caio.db'));
        old.exec(`
          CREATE TABLE release_results (release_id TEXT NOT NULL, env TEXT NOT NULL, step_id TEXT NOT NULL,
            outcome TEXT NOT NULL, summary TEXT NOT NULL, evidence TEXT NOT NULL, facts TEXT,
            PRIMARY KEY (release_id, env, step_id));
          CREATE TABLE release_confirmations (release_id TEXT NOT NULL, step_id TEXT NOT NULL, by TEXT NOT NULL,
            at TEXT NOT NULL, note TEXT, PRIMARY KEY (release_id, step_id));`);
        old
          .prepare('INSERT INTO release_results VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(
            'r1',
            'staging',
            'smoke',
            'pass',
            'ok',
            JSON.stringify({ by: 'ci', at: '2026-11-01T00:00:00.000Z', target: 'https://s.example' }),
            null,
          );
        old
          .prepare('INSERT INTO release_confirmations VALUES (?, ?, ?, ?, ?)')
          .run('r1', 'pto', 'Pat', '2026-11-01T01:00:00.000Z', 'rotated');
        old.close();

        const record = await reopen({ HIVE_DIR: dir });
        expect((await record.release.results('r1', 'staging')).get('smoke')?.evidence).toMatchObject({
          by: 'ci',
          target: 'https://s.example',
        });
        expect((await record.release.confirmations('r1')).get('pto')).toMatchObject({
          by: 'Pat',
          note: 'rotated',
          forced: false,
        });
        await record.close();
        const again = await reopen({ HIVE_DIR: dir });
        expect(await again.release.confirmationHistory('r1')).toHaveLength(1);
        await again.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
