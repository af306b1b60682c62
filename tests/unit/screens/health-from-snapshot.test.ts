/**
 * The console's health view of a readiness snapshot: failing Inngest events show as degraded with
 * the reason and the backlog; a snapshot from an older server (no `degraded`) reads as not degraded.
 */
import { expect, it } from 'vitest';
import type { DependencySnapshot } from '../../../src/runtime/services/readiness.js';
import { healthFromSnapshot } from '../../../src/screens/runtime-services.js';

const snapshot = (inngest: Partial<DependencySnapshot['inngest']>): DependencySnapshot => ({
  ready: true,
  checked_at: '2026-11-30T06:00:00.000Z',
  redis: { required: true, healthy: true, mode: 'redis', degraded: false, latency_ms: 1, error: null },
  inngest: {
    required: true,
    healthy: true,
    mode: 'cloud',
    function_count: 9,
    degraded: false,
    events_pending: 0,
    error: null,
    ...inngest,
  },
  webhooks: { healthy: true, missing_secrets: [], error: null },
});

it('shows failing Inngest events as degraded, with the reason and the events pending', () => {
  const error =
    'events to Inngest failing since 2026-11-30T05:59:00.000Z: answered 503; 120 kept and retried';
  const view = healthFromSnapshot(snapshot({ degraded: true, events_pending: 120, error }));
  expect(view.inngest).toMatchObject({
    healthy: true,
    degraded: true,
    error,
    detail: '9 functions, 120 events pending',
  });
  expect(view.ready).toBe(true);
});

it('reads a snapshot without `degraded` (an older server) as not degraded', () => {
  const old = snapshot({});
  delete (old.inngest as Partial<DependencySnapshot['inngest']>).degraded;
  (old.inngest as { events_pending?: unknown }).events_pending = undefined;
  expect(healthFromSnapshot(old).inngest).toMatchObject({ degraded: false, detail: '9 functions' });
});
