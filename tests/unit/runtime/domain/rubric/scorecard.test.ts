import { describe, expect, it } from 'vitest';
import {
  computeScorecard,
  isoWeekOf,
  parseIsoWeek,
  type ScorecardDraft,
  type ScorecardInputs,
} from '../../../../../src/runtime/domain/rubric/scorecard.js';

describe('ISO weeks', () => {
  it.each([
    ['2026-11-21T11:00:00Z', '2026-W47', '2026-11-16T00:00:00.000Z'],
    ['2026-01-01T00:00:00Z', '2026-W01', '2025-12-29T00:00:00.000Z'],
    ['2021-01-03T23:59:59Z', '2020-W53', '2020-12-28T00:00:00.000Z'],
    ['2026-11-16T00:00:00Z', '2026-W47', '2026-11-16T00:00:00.000Z'],
  ])('%s is in %s', (at, key, from) => {
    const week = isoWeekOf(Date.parse(at));
    expect(week).toMatchObject({ key, from });
    expect(parseIsoWeek(key)).toEqual(week);
  });

  it('refuses weeks that do not exist', () => {
    expect(parseIsoWeek('2025-W53')).toBeUndefined();
    expect(parseIsoWeek('2026-W00')).toBeUndefined();
    expect(parseIsoWeek('2026-47')).toBeUndefined();
    expect(parseIsoWeek('2026-W53')?.from).toBe('2026-12-28T00:00:00.000Z');
  });
});

const week = isoWeekOf(Date.parse('2026-11-18T12:00:00Z'));
const base: ScorecardInputs = { week, current: true, reasons: { default: 'queue not in this build' } };

describe('computeScorecard', () => {
  it('missing sources are unavailable with the reason, never 0', () => {
    const card = computeScorecard(base);
    for (const key of [
      'replay_pass_rate',
      'groundedness_failures',
      'negative_constraint_violations',
      'approval_rate',
      'rejections_by_category',
      'queue_aging_p95_minutes',
      'time_to_decision_minutes',
      'sends',
      'bounces',
      'replies',
      'scheduler_success',
      'release_decision',
      'sign_off',
    ] as const) {
      expect(card[key].status, key).toBe('unavailable');
    }
    expect(card.approval_rate).toEqual({ status: 'unavailable', reason: 'queue not in this build' });
  });

  it('counts only what happened inside the week', () => {
    const draft = (over: Partial<ScorecardDraft>): ScorecardDraft => ({
      status: 'pending',
      created_at: '2026-11-17T09:00:00.000Z',
      decided_at: null,
      rejection: null,
      findings: [],
      ...over,
    });
    const card = computeScorecard({
      ...base,
      drafts: [
        draft({ findings: [{ rule: 'groundedness.number', category: 'accuracy' }] }),
        draft({ findings: [{ rule: 'compliance.guarantee', category: 'compliance' }] }),
        draft({
          created_at: '2026-11-10T09:00:00.000Z',
          findings: [{ rule: 'groundedness.name', category: 'accuracy' }],
        }),
        draft({ status: 'approved', decided_at: '2026-11-17T09:30:00.000Z' }),
        draft({ status: 'sent', decided_at: '2026-11-17T11:00:00.000Z' }),
        draft({
          status: 'rejected',
          decided_at: '2026-11-17T10:00:00.000Z',
          rejection: { category: 'tone' },
        }),
        draft({
          status: 'rejected',
          decided_at: '2026-11-24T10:00:00.000Z',
          rejection: { category: 'accuracy' },
        }),
      ],
      replayRuns: [
        {
          ran_at: '2026-11-18T06:00:00.000Z',
          pass_rate: 0.97,
          threshold: 0.95,
          block_build: false,
          critical_count: 0,
        },
        {
          ran_at: '2026-11-16T06:00:00.000Z',
          pass_rate: 0.96,
          threshold: 0.95,
          block_build: false,
          critical_count: 0,
        },
        {
          ran_at: '2026-11-09T06:00:00.000Z',
          pass_rate: 1,
          threshold: 0.95,
          block_build: false,
          critical_count: 0,
        },
      ],
      agingP95Minutes: 42,
      sendDays: [
        { day: '2026-11-15', sent: 9, failed: 0 },
        { day: '2026-11-17', sent: 10, failed: 1 },
      ],
      releaseDecision: { decision: 'GO', subject: 'r2/staging', by: 'pto', at: '2026-11-19T12:00:00.000Z' },
      signOffs: [
        {
          signed_by: 'ana',
          signed_at: '2026-11-21T12:00:00.000Z',
          role: 'admin',
          note: null,
          forced: true,
          decision: 'GO',
        },
        {
          signed_by: 'pat',
          signed_at: '2026-11-20T12:00:00.000Z',
          role: 'pto',
          note: 'ok',
          forced: false,
          decision: 'NO-GO',
        },
      ],
    });
    expect(card.groundedness_failures).toEqual({ status: 'ok', value: 1 });
    expect(card.negative_constraint_violations).toEqual({ status: 'ok', value: 1 });
    expect(card.approval_rate).toEqual({ status: 'ok', value: { approved: 2, decided: 3, rate: 0.6667 } });
    expect(card.rejections_by_category).toEqual({ status: 'ok', value: { tone: 1 } });
    expect(card.time_to_decision_minutes).toEqual({ status: 'ok', value: { decided: 3, p50: 60, p95: 120 } });
    expect(card.replay_pass_rate).toMatchObject({
      status: 'ok',
      value: { pass_rate: 0.97, runs_this_week: 2, trend: [0.96, 0.97], change_vs_previous_week: -0.03 },
    });
    expect(card.queue_aging_p95_minutes).toEqual({ status: 'ok', value: 42, note: 'snapshot now' });
    expect(card.sends).toEqual({ status: 'ok', value: { sent: 10, failed: 1 } });
    expect(card.release_decision).toMatchObject({
      status: 'ok',
      value: { decision: 'GO', subject: 'r2/staging' },
    });
    // The newest sign-off stands; the earlier one is counted, and each keeps the decision of its time.
    expect(card.sign_off).toEqual({
      status: 'ok',
      value: {
        by: 'ana',
        at: '2026-11-21T12:00:00.000Z',
        role: 'admin',
        note: null,
        forced: true,
        decision_at_sign_off: 'GO',
        earlier: 1,
      },
    });
  });

  it('a week nobody signed off says so; an unreadable record makes both unavailable', () => {
    const card = computeScorecard({ ...base, releaseDecision: null, signOffs: [] });
    expect(card.sign_off).toEqual({ status: 'ok', value: null });
    expect(card.release_decision).toEqual({ status: 'ok', value: null });
    const unread = computeScorecard({ ...base, reasons: { record: 'failed: the record is down' } });
    expect(unread.sign_off).toEqual({ status: 'unavailable', reason: 'failed: the record is down' });
    expect(unread.release_decision).toEqual({ status: 'unavailable', reason: 'failed: the record is down' });
  });

  it('a past week has no aging snapshot', () => {
    const card = computeScorecard({ ...base, current: false, agingP95Minutes: 5 });
    expect(card.queue_aging_p95_minutes.status).toBe('unavailable');
  });
});
