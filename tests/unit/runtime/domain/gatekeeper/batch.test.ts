import { describe, expect, it } from 'vitest';
import {
  batchStatus,
  checkExecution,
  type Batch,
  type BatchRun,
} from '../../../../../src/runtime/domain/gatekeeper/batch.js';

const batch: Batch = {
  id: 'b1',
  hash: 'a'.repeat(64),
  mode: 'log-only',
  scope: { motion: 'all', ids: null },
  created_at: '2026-01-05T10:00:00.000Z',
  expires_at: '2026-01-05T10:15:00.000Z',
  previewed_by: 'maria',
  triggered_by: 'joe',
  ramp: { tier: 0, daily_limit: 10, remaining_today: 10 },
  items: [],
  excluded: [],
};
const run: BatchRun = {
  batch_id: 'b1',
  status: 'executed',
  executed_by: 'maria',
  started_at: '2026-01-05T10:01:00.000Z',
  finished_at: '2026-01-05T10:02:00.000Z',
  counts: { sent: 1, failed: 0, skipped: 0, unknown: 0 },
  resumes: 0,
};
const inTime = Date.parse('2026-01-05T10:05:00.000Z');
const ok = {
  batch,
  run: undefined,
  hash: batch.hash,
  actor: 'maria',
  now: inTime,
  resume: false,
  twoPersonRule: false,
};

describe('checkExecution', () => {
  it('passes a fresh batch with the right hash', () => {
    expect(checkExecution(ok)).toBeUndefined();
    expect(checkExecution({ ...ok, hash: ` ${batch.hash.toUpperCase()} ` })).toBeUndefined();
  });

  it.each([
    ['hash_mismatch', { hash: 'b'.repeat(64) }],
    ['already_executed', { run }],
    ['already_executed', { run: { ...run, status: 'executing' as const } }],
    ['batch_expired', { now: Date.parse(batch.expires_at) }],
    ['two_person_rule', { actor: 'joe', twoPersonRule: true }],
    ['not_started', { resume: true }],
    ['already_executed', { resume: true, run }],
  ])('refuses with %s', (code, overrides) => {
    expect(checkExecution({ ...ok, ...overrides })?.code).toBe(code);
  });

  it('tells how to resume a started run, and lets resume run past expiry', () => {
    const started = { ...run, status: 'executing' as const };
    // The CLI words it as a command (`--resume`, tests/unit/runtime/error-kinds.test.ts); the domain does not.
    expect(checkExecution({ ...ok, run: started })?.nextStep).toMatch(/resume it/);
    expect(
      checkExecution({ ...ok, run: started, resume: true, now: Date.parse('2026-02-01T00:00:00Z') }),
    ).toBeUndefined();
  });

  it('two-person rule off: the trigger may execute', () => {
    expect(checkExecution({ ...ok, actor: 'joe' })).toBeUndefined();
  });

  it('derives the batch status', () => {
    expect(batchStatus(batch, undefined, inTime)).toBe('previewed');
    expect(batchStatus(batch, undefined, Date.parse(batch.expires_at))).toBe('expired');
    expect(batchStatus(batch, run, inTime)).toBe('executed');
  });
});
