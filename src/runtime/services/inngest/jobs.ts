/**
 * The bodies of the four scheduled/evented functions (SPEC 6.3). Each calls services and returns a
 * JSON summary; the Inngest functions and the in-process scheduler run exactly these. A service that
 * is not part of this build yet makes its job report `skipped` with the reason.
 */
import type { Config } from '../../config.js';
import type { ProcessOutcome, WebhookProcessor } from '../webhook-processor.js';

export interface JobDeps {
  config: Config;
  processor: WebhookProcessor;
  queue?: { escalateBreaches?(actor?: string): Promise<unknown>; metrics?(): Promise<unknown> } | undefined;
  traces?: { prune?(olderThanDays?: number): Promise<unknown> | unknown } | undefined;
  replay?: { runGate?(): Promise<unknown> } | undefined;
}

export type JobResult = { status: 'ok'; result: unknown } | { status: 'skipped'; reason: string };

const skipped = (reason: string): JobResult => ({ status: 'skipped', reason });

/** Daily: drop trace envelopes older than TRACE_RETENTION_DAYS. */
export async function traceRetentionJob(deps: JobDeps): Promise<JobResult> {
  if (!deps.config.TRACE_CLEANUP_ENABLED) return skipped('TRACE_CLEANUP_ENABLED=false');
  if (!deps.traces?.prune) return skipped('the trace service (prune) is not available');
  return { status: 'ok', result: await deps.traces.prune(deps.config.TRACE_RETENTION_DAYS) };
}

/** Every 15 minutes: escalate drafts pending longer than QUEUE_AGING_SLA_MINUTES. */
export async function queueAgingJob(deps: JobDeps): Promise<JobResult> {
  if (deps.queue?.escalateBreaches)
    return { status: 'ok', result: await deps.queue.escalateBreaches('scheduler') };
  if (deps.queue?.metrics)
    return { status: 'ok', result: { metrics: await deps.queue.metrics(), escalated: null } };
  return skipped('the queue service is not available');
}

/** Mondays: run the replay gate and store its scorecard row. */
export async function replayGateJob(deps: JobDeps): Promise<JobResult> {
  if (!deps.replay?.runGate) return skipped('the replay service is not available');
  return { status: 'ok', result: await deps.replay.runGate() };
}

/** Event `caio/webhook.received`: apply the effects of one stored webhook event. */
export async function webhookReceivedJob(
  deps: JobDeps,
  id: number,
  correlationId?: string,
): Promise<ProcessOutcome> {
  return deps.processor.processEvent(id, correlationId);
}

export const CRONS = {
  traceRetention: '0 3 * * *',
  queueAging: '*/15 * * * *',
  replayGate: '0 6 * * 1',
} as const;

export const WEBHOOK_EVENT = 'caio/webhook.received';
