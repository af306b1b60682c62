import { describe, expect, it } from 'vitest';
import { computeQueueMetrics, percentile } from '../../../../../src/runtime/domain/queue/metrics.js';
import { makeDraft } from '../../../../helpers/queue/drafts.js';

const now = Date.parse('2026-01-05T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();

describe('queue metrics', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([], 95)).toBe(0);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  });

  it('counts, aging, SLA breaches, capacity and approval rate', () => {
    const drafts = [
      ...[10, 20, 30, 150, 200].map((m, i) => makeDraft({ id: `p${i}`, created_at: minutesAgo(m) })),
      makeDraft({ id: 'a1', status: 'approved', decided_by: 'maria', decided_at: minutesAgo(5) }),
      makeDraft({ id: 'a2', status: 'sent', decided_by: 'maria', decided_at: minutesAgo(6) }),
      makeDraft({ id: 'a3', status: 'approved', decided_by: 'joe', decided_at: minutesAgo(7) }),
      makeDraft({ id: 'r1', status: 'rejected', decided_by: 'maria', decided_at: minutesAgo(8) }),
      makeDraft({ id: 'old', status: 'approved', decided_by: 'maria', decided_at: minutesAgo(3 * 24 * 60) }),
      makeDraft({ id: 'dup', status: 'duplicate' }),
    ];
    const m = computeQueueMetrics(drafts, { now, slaMinutes: 120, capacityPerReviewer: 30 });
    expect(m.total).toBe(11);
    expect(m.counts).toMatchObject({
      pending: 5,
      approved: 3,
      sent: 1,
      rejected: 1,
      duplicate: 1,
      batched: 0,
    });
    expect(m.aging).toEqual({ p50_minutes: 30, p95_minutes: 200, max_minutes: 200, pending: 5 });
    expect(m.sla).toEqual({ minutes: 120, breaches: 2, breached_ids: ['p3', 'p4'] });
    expect(m.capacity.reviewers).toEqual([
      { reviewer: 'joe', used: 1, remaining: 29 },
      { reviewer: 'maria', used: 2, remaining: 28 },
    ]);
    expect(m.approval_rate.day).toEqual({ approved: 3, decided: 4, rate: 0.75 });
    expect(m.approval_rate.week).toEqual({ approved: 4, decided: 5, rate: 0.8 });
  });

  it('an empty queue has zero aging and no rate', () => {
    const m = computeQueueMetrics([], { now, slaMinutes: 120, capacityPerReviewer: 30 });
    expect(m.aging.max_minutes).toBe(0);
    expect(m.approval_rate.day.rate).toBeNull();
  });
});
