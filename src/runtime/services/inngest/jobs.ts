/**
 * The bodies of the four scheduled/evented functions (SPEC 6.3). Each calls services and returns a
 * JSON summary; the Inngest functions and the in-process scheduler run exactly these. A service that
 * is not part of this build yet makes its job report `skipped` with the reason.
 */
import type { Config } from '../../config.js';
import {
  agingIncident,
  replayIncident,
  type Incident,
  type IncidentKind,
} from '../../domain/notifications/incident.js';
import type { ProcessOutcome, WebhookProcessor } from '../webhook-processor.js';

export interface JobDeps {
  config: Config;
  processor: WebhookProcessor;
  queue?: { escalateBreaches?(actor?: string): Promise<unknown>; metrics?(): Promise<unknown> } | undefined;
  traces?: { prune?(olderThanDays?: number): Promise<unknown> | unknown } | undefined;
  replay?: { runGate?(): Promise<unknown> } | undefined;
  /** Escalations to NOTIFY_WEBHOOK_URL (services/notifier.ts); never awaited by the job. */
  notifier?:
    | {
        raise(incident: Incident | undefined): void;
        resolve(kind: IncidentKind): Promise<number>;
        retryFailed(): Promise<number>;
      }
    | undefined;
  /** Writes approved call briefs through the calendar adapter (every aging-watch tick). */
  meetingPrep?: { publishApproved?(): Promise<unknown> } | undefined;
  now?: () => number;
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
  if (deps.queue?.escalateBreaches) {
    const result = await deps.queue.escalateBreaches('scheduler');
    notifyAging(deps, result);
    const briefs = deps.meetingPrep?.publishApproved ? await deps.meetingPrep.publishApproved() : undefined;
    return { status: 'ok', result: briefs === undefined ? result : { ...(result as object), briefs } };
  }
  if (deps.queue?.metrics)
    return { status: 'ok', result: { metrics: await deps.queue.metrics(), escalated: null } };
  return skipped('the queue service is not available');
}

/** Mondays: run the replay gate and store its scorecard row. */
export async function replayGateJob(deps: JobDeps): Promise<JobResult> {
  if (!deps.replay?.runGate) return skipped('the replay service is not available');
  const result = await deps.replay.runGate();
  notifyReplay(deps, result);
  return { status: 'ok', result };
}

/** Raise (or close) the aging incident from an escalation result; retry undelivered notifications. */
export function notifyAging(deps: Pick<JobDeps, 'notifier' | 'config' | 'now'>, result: unknown): void {
  const notifier = deps.notifier;
  if (!notifier || result === null || typeof result !== 'object') return;
  const { breaches, escalated } = result as { breaches?: unknown; escalated?: unknown };
  const ids = Array.isArray(escalated) ? escalated.filter((id): id is string => typeof id === 'string') : [];
  const now = (deps.now ?? Date.now)();
  notifier.raise(agingIncident({ escalated: ids, slaMinutes: deps.config.QUEUE_AGING_SLA_MINUTES }, now));
  if (breaches === 0) void notifier.resolve('aging_breach').catch(() => undefined);
  void notifier.retryFailed().catch(() => undefined);
}

export function notifyReplay(deps: Pick<JobDeps, 'notifier' | 'now'>, result: unknown): void {
  const notifier = deps.notifier;
  if (!notifier || result === null || typeof result !== 'object') return;
  const report = result as {
    pass_rate?: unknown;
    threshold?: unknown;
    block_build?: unknown;
    critical_failures?: unknown;
    stored_run_id?: unknown;
    ran_at?: unknown;
  };
  if (typeof report.pass_rate !== 'number' || typeof report.threshold !== 'number') return;
  const incident = replayIncident(
    {
      runId: String(report.stored_run_id ?? report.ran_at ?? ''),
      passRate: report.pass_rate,
      threshold: report.threshold,
      blockBuild: report.block_build === true,
      criticalFailures: Array.isArray(report.critical_failures) ? report.critical_failures.length : 0,
    },
    (deps.now ?? Date.now)(),
  );
  if (incident) notifier.raise(incident);
  else {
    void notifier.resolve('replay_below_threshold').catch(() => undefined);
    void notifier.resolve('replay_critical').catch(() => undefined);
  }
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
