/**
 * The Friday release-readiness checks of the ritual (SPEC 10): queue aging p95 within
 * QUEUE_AGING_SLA_MINUTES, and no critical replay failure this week (a groundedness or
 * negative-constraint miss in any stored replay run since Monday 00:00 UTC).
 */
import type { QueueMetrics } from '../domain/queue/metrics.js';
import { isoWeekOf } from '../domain/rubric/scorecard.js';
import type { CheckFn } from './release-checks.js';

export interface AgingSource {
  metrics(): Promise<QueueMetrics>;
}

export interface ReplayRunsSource {
  list(options?: {
    since?: string;
    until?: string;
    limit?: number;
  }):
    | readonly { id: number; ran_at: string; critical_count: number }[]
    | Promise<readonly { id: number; ran_at: string; critical_count: number }[]>;
}

export function queueAgingCheck(queue: AgingSource): CheckFn {
  return async () => {
    const metrics = await queue.metrics();
    const { p95_minutes: p95, pending } = metrics.aging;
    const sla = metrics.sla.minutes;
    const within = p95 <= sla;
    return {
      outcome: within ? 'pass' : 'fail',
      summary: within
        ? `pending drafts age p95 ${Math.round(p95)} min, within the ${sla}-min SLA (${pending} pending)`
        : `queue aging p95 is ${Math.round(p95)} min, over the ${sla}-min SLA: ${metrics.sla.breaches} drafts breach it; clear the queue before releasing`,
      measured: `p95 ${Math.round(p95)} min`,
      threshold: `<= ${sla} min (QUEUE_AGING_SLA_MINUTES)`,
    };
  };
}

export function criticalFailuresWeekCheck(runs: ReplayRunsSource, now: () => number = Date.now): CheckFn {
  return async () => {
    const week = isoWeekOf(now());
    const list = await runs.list({ since: week.from, until: week.to, limit: 1000 });
    const critical = list.filter((run) => run.critical_count > 0);
    const count = critical.reduce((sum, run) => sum + run.critical_count, 0);
    if (list.length === 0)
      return {
        outcome: 'inconclusive',
        summary: `no replay run stored this week (${week.key}): run the replay gate first`,
        measured: '0 runs',
        threshold: '0 critical failures',
      };
    return {
      outcome: count === 0 ? 'pass' : 'fail',
      summary:
        count === 0
          ? `${list.length} replay runs this week (${week.key}), none with a critical failure`
          : `${count} critical failures this week (${week.key}) in runs ${critical.map((run) => `#${run.id} (${run.ran_at.slice(0, 10)})`).join(', ')}`,
      measured: `${count} critical failures in ${list.length} runs`,
      threshold: '0 critical failures',
    };
  };
}
