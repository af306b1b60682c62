import { describe, expect, it } from 'vitest';
import type { QueueMetrics } from '../../../../src/runtime/domain/queue/metrics.js';
import {
  criticalFailuresWeekCheck,
  queueAgingCheck,
} from '../../../../src/runtime/services/release-readiness-checks.js';
import type { CheckContext } from '../../../../src/runtime/services/release-checks.js';

const ctx = {} as CheckContext;
const metrics = (p95: number, breaches: number): QueueMetrics =>
  ({
    aging: { p50_minutes: p95 / 2, p95_minutes: p95, max_minutes: p95 + 10, pending: 40 },
    sla: { minutes: 120, breaches, breached_ids: [] },
  }) as unknown as QueueMetrics;

describe('queue aging within SLA', () => {
  it('fails at p95 180 min against a 120-min SLA, naming both', async () => {
    const out = await queueAgingCheck({ metrics: async () => metrics(180, 7) })(ctx);
    expect(out.outcome).toBe('fail');
    expect(out.summary).toMatch(/p95 is 180 min, over the 120-min SLA: 7 drafts/);
  });
  it('passes within the SLA', async () => {
    expect((await queueAgingCheck({ metrics: async () => metrics(45, 0) })(ctx)).outcome).toBe('pass');
  });
});

describe('no critical replay failure this week', () => {
  const now = () => Date.parse('2026-11-27T15:00:00Z'); // a Friday
  it('asks for the window Monday to Monday and fails on any critical failure in it', async () => {
    let asked: unknown;
    const out = await criticalFailuresWeekCheck(
      {
        list: (options) => {
          asked = options;
          return [
            { id: 3, ran_at: '2026-11-26T09:00:00Z', critical_count: 0 },
            { id: 2, ran_at: '2026-11-24T09:00:00Z', critical_count: 2 },
          ];
        },
      },
      now,
    )(ctx);
    expect(asked).toMatchObject({ since: '2026-11-23T00:00:00.000Z', until: '2026-11-30T00:00:00.000Z' });
    expect(out.outcome).toBe('fail');
    expect(out.summary).toMatch(/2 critical failures this week \(2026-W48\) in runs #2/);
  });
  it('passes with clean runs and is inconclusive with none', async () => {
    const clean = criticalFailuresWeekCheck(
      { list: async () => [{ id: 1, ran_at: '2026-11-24T09:00:00Z', critical_count: 0 }] },
      now,
    );
    expect((await clean(ctx)).outcome).toBe('pass');
    expect((await criticalFailuresWeekCheck({ list: () => [] }, now)(ctx)).outcome).toBe('inconclusive');
  });
});
