import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RUBRIC_CONFIG,
  calibrate,
  createRubric,
  decisionOf,
  type QueueDecisionRecord,
} from '../../../../../src/runtime/domain/rubric/index.js';
import { editBody, goodInput } from './fixtures.js';

const rubric = createRubric(DEFAULT_RUBRIC_CONFIG);

function record(
  id: string,
  overrides: Partial<QueueDecisionRecord> = {},
  body?: string,
): QueueDecisionRecord {
  const input =
    body === undefined ? goodInput() : editBody(body.split('|')[0] as string, body.split('|')[1] as string);
  return {
    id,
    status: 'approved',
    lead: input.lead,
    context: input.context,
    subject: input.draft.subject,
    body: input.draft.body,
    decided_at: '2026-11-20T10:00:00.000Z',
    decided_by: 'hos',
    rejection: null,
    ...overrides,
  };
}

describe('decisionOf', () => {
  it('approved stays approved once batched or sent; rejected carries its category; undecided is null', () => {
    expect(decisionOf(record('a'))?.decision).toBe('approved');
    expect(decisionOf(record('b', { status: 'sent' }))?.decision).toBe('approved');
    expect(decisionOf(record('c', { status: 'batched' }))?.decision).toBe('approved');
    expect(
      decisionOf(record('d', { status: 'rejected', rejection: { category: 'tone', note: null } })),
    ).toMatchObject({ decision: 'rejected', category: 'tone' });
    expect(decisionOf(record('e', { status: 'pending', decided_at: null, decided_by: null }))).toBeNull();
    expect(decisionOf(record('f', { status: 'duplicate' }))).toBeNull();
  });
});

describe('calibrate', () => {
  const decisions = [
    record('ok'),
    // Approved although it has an invented number: the rubric disagrees (it would fail it).
    record('approved-invented', {}, 'within a day|within a day, 40% faster'),
    record(
      'rejected-accuracy',
      { status: 'rejected', rejection: { category: 'accuracy' }, decided_at: '2026-11-21T10:00:00.000Z' },
      'within a day|within a day, 37% faster',
    ),
    record('rejected-tone-missed', { status: 'rejected', rejection: { category: 'tone' } }),
    record('rejected-custom', { status: 'rejected', rejection: { category: 'timing' } }),
  ]
    .map((item) => decisionOf(item))
    .filter((item) => item !== null);

  it('lists approved drafts it would fail, rejected drafts it would pass and missed categories, with ids', () => {
    const report = calibrate(decisions, rubric);
    expect(report).toMatchObject({ decided: 5, approved: 2, rejected: 3, agreeing: 2 });
    expect(report.verdict_agreement).toBe(0.4);
    expect(report.approved_would_fail).toEqual([
      expect.objectContaining({
        id: 'approved-invented',
        reviewer: 'approved',
        rules: ['groundedness.number'],
      }),
    ]);
    // Ordered by decision time, then id.
    expect(report.rejected_would_pass.map((item) => item.id)).toEqual([
      'rejected-custom',
      'rejected-tone-missed',
    ]);
    expect(report.rejected_category_missed.map((item) => item.id)).toEqual(['rejected-tone-missed']);
    expect(report.other_rejections).toEqual([{ id: 'rejected-custom', category: 'timing' }]);
    expect(report.rules.find((rule) => rule.rule === 'groundedness.number')).toEqual({
      rule: 'groundedness.number',
      category: 'accuracy',
      effect: 'fail',
      fired: 2,
      on_rejected_same_category: ['rejected-accuracy'],
      on_rejected_other: [],
      on_approved: ['approved-invented'],
      agreement: 0.5,
    });
    const accuracy = report.categories.find((category) => category.category === 'accuracy');
    expect(accuracy).toMatchObject({
      expected: 1,
      caught: ['rejected-accuracy'],
      false_alarms: ['approved-invented'],
    });
  });

  it('--since keeps only later decisions', () => {
    const report = calibrate(decisions, rubric, { since: '2026-11-21T00:00:00.000Z' });
    expect(report.decided).toBe(1);
    expect(report.rejected).toBe(1);
    expect(calibrate([], rubric).verdict_agreement).toBe(1);
  });
});
