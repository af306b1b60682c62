import { describe, expect, it } from 'vitest';
import { flattenRows, unwrapMetrics } from '../../../src/screens/runtime-services.js';

describe('scorecard rows for the console', () => {
  it('shows a metric value, or why it is unavailable', () => {
    const rows = flattenRows(
      unwrapMetrics({
        week: '2026-W47',
        bounces: { status: 'unavailable', reason: 'nothing records bounces per week yet' },
        approval_rate: { status: 'ok', value: { approved: 3, decided: 4, rate: 0.75 } },
        groundedness_failures: { status: 'ok', value: 0 },
      }),
    );
    expect(rows).toEqual([
      { label: 'bounces', value: 'unavailable (nothing records bounces per week yet)' },
      { label: 'approval rate.approved', value: '3' },
      { label: 'approval rate.decided', value: '4' },
      { label: 'approval rate.rate', value: '0.75' },
      { label: 'groundedness failures', value: '0' },
    ]);
  });
});
