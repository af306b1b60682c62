/**
 * Queue metrics (SPEC 7) from a list of drafts: counts by status, aging of pending drafts
 * (p50/p95/max in minutes, nearest-rank percentiles), SLA breaches, approvals used per reviewer
 * today, approval rate (approved / decided) for the UTC day and the last 7 days. Pure.
 */
import { DRAFT_STATUSES, type Draft, type DraftStatus } from './draft.js';

export interface QueueMetrics {
  total: number;
  counts: Record<DraftStatus, number>;
  aging: { p50_minutes: number; p95_minutes: number; max_minutes: number; pending: number };
  sla: { minutes: number; breaches: number; breached_ids: string[] };
  capacity: { per_reviewer: number; reviewers: { reviewer: string; used: number; remaining: number }[] };
  approval_rate: { day: RateWindow; week: RateWindow };
}

export interface RateWindow {
  approved: number;
  decided: number;
  /** approved / decided, or null when nothing was decided in the window. */
  rate: number | null;
}

/** Statuses a draft can only reach through an approval. */
const APPROVED_LINE: readonly DraftStatus[] = ['approved', 'batched', 'sent', 'failed'];

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function computeQueueMetrics(
  drafts: readonly Draft[],
  options: { now: number; slaMinutes: number; capacityPerReviewer: number },
): QueueMetrics {
  const counts = Object.fromEntries(DRAFT_STATUSES.map((s) => [s, 0])) as Record<DraftStatus, number>;
  const ages: number[] = [];
  const breached: string[] = [];
  const usedByReviewer = new Map<string, number>();
  const today = utcDay(options.now);
  const weekStart = options.now - 7 * 24 * 60 * 60 * 1000;
  const day = { approved: 0, decided: 0 };
  const week = { approved: 0, decided: 0 };

  for (const draft of drafts) {
    counts[draft.status] += 1;
    if (draft.status === 'pending') {
      const minutes = Math.max(0, (options.now - Date.parse(draft.created_at)) / 60_000);
      ages.push(minutes);
      if (minutes > options.slaMinutes) breached.push(draft.id);
    }
    if (!draft.decided_at || !draft.decided_by) continue;
    const decidedMs = Date.parse(draft.decided_at);
    const approved = APPROVED_LINE.includes(draft.status);
    const decided = approved || draft.status === 'rejected';
    if (!decided) continue;
    if (utcDay(decidedMs) === today) {
      day.decided += 1;
      if (approved) {
        day.approved += 1;
        usedByReviewer.set(draft.decided_by, (usedByReviewer.get(draft.decided_by) ?? 0) + 1);
      }
    }
    if (decidedMs >= weekStart) {
      week.decided += 1;
      if (approved) week.approved += 1;
    }
  }
  ages.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const rate = (w: { approved: number; decided: number }): RateWindow => ({
    ...w,
    rate: w.decided === 0 ? null : Math.round((w.approved / w.decided) * 1000) / 1000,
  });
  return {
    total: drafts.length,
    counts,
    aging: {
      p50_minutes: round(percentile(ages, 50)),
      p95_minutes: round(percentile(ages, 95)),
      max_minutes: round(ages.at(-1) ?? 0),
      pending: ages.length,
    },
    sla: { minutes: options.slaMinutes, breaches: breached.length, breached_ids: breached },
    capacity: {
      per_reviewer: options.capacityPerReviewer,
      reviewers: [...usedByReviewer.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reviewer, used]) => ({
          reviewer,
          used,
          remaining: Math.max(0, options.capacityPerReviewer - used),
        })),
    },
    approval_rate: { day: rate(day), week: rate(week) },
  };
}
