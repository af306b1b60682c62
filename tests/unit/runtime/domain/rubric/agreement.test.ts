import { describe, expect, it } from 'vitest';
import { measureAgreement } from '../../../../../src/runtime/domain/rubric/index.js';

const fail = (rule: string, category: 'tone' | 'accuracy') => ({
  rule,
  category,
  severity: 'major' as const,
});

describe('measureAgreement', () => {
  it('counts caught, missed and false alarms per category, and per rule the ids behind each number', () => {
    const agreement = measureAgreement([
      { id: 'a', expected: ['tone'], findings: [fail('tone.pressure', 'tone')] },
      { id: 'b', expected: [], findings: [fail('tone.pressure', 'tone')] },
      { id: 'c', expected: ['accuracy'], findings: [] },
      {
        id: 'd',
        expected: [],
        findings: [{ rule: 'tone.body_length', category: 'tone', severity: 'advice' }],
      },
    ]);
    const tone = agreement.categories.find((entry) => entry.category === 'tone');
    expect(tone).toEqual({
      category: 'tone',
      expected: 1,
      caught: ['a'],
      missed: [],
      false_alarms: ['b'],
      agreement: 0.75,
    });
    expect(agreement.categories.find((entry) => entry.category === 'accuracy')).toMatchObject({
      missed: ['c'],
      agreement: 0.75,
    });
    // In catalog order: tone.body_length comes before tone.pressure.
    expect(agreement.rules).toEqual([
      {
        rule: 'tone.body_length',
        category: 'tone',
        effect: 'advise',
        fired: 1,
        agreed: [],
        disagreed: ['d'],
        agreement: 0,
      },
      {
        rule: 'tone.pressure',
        category: 'tone',
        effect: 'fail',
        fired: 2,
        agreed: ['a'],
        disagreed: ['b'],
        agreement: 0.5,
      },
    ]);
  });
});
