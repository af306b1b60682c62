/**
 * The four Inngest functions of SPEC 6.3, thin wrappers around the job bodies in jobs.ts.
 */
import type { Inngest } from 'inngest';
import { z } from 'zod';
import {
  CRONS,
  WEBHOOK_EVENT,
  queueAgingJob,
  replayGateJob,
  traceRetentionJob,
  webhookReceivedJob,
  type JobDeps,
} from './jobs.js';

const webhookEventData = z.object({
  id: z.number().int().positive(),
  correlation_id: z.string().max(128).optional(),
});

export function createFunctions(client: Inngest, deps: JobDeps) {
  return [
    client.createFunction(
      { id: 'trace-retention', name: 'Trace retention (daily)', triggers: [{ cron: CRONS.traceRetention }] },
      async ({ step }) => step.run('prune-traces', () => traceRetentionJob(deps)),
    ),
    client.createFunction(
      {
        id: 'queue-aging-watch',
        name: 'Queue aging watch (every 15 min)',
        triggers: [{ cron: CRONS.queueAging }],
      },
      async ({ step }) => step.run('escalate-aging', () => queueAgingJob(deps)),
    ),
    client.createFunction(
      {
        id: 'weekly-replay-gate',
        name: 'Weekly replay gate (Monday)',
        triggers: [{ cron: CRONS.replayGate }],
      },
      async ({ step }) => step.run('replay-gate', () => replayGateJob(deps)),
    ),
    client.createFunction(
      { id: 'webhook-processor', name: 'Webhook processor', triggers: [{ event: WEBHOOK_EVENT }] },
      async ({ event, step }) => {
        const { id, correlation_id: correlationId } = webhookEventData.parse(event.data);
        const outcome = await step.run('process-webhook', () => webhookReceivedJob(deps, id, correlationId));
        // A failure throws so Inngest retries; `deferred` waits for the periodic sweep instead.
        if (outcome.status === 'failed') throw new Error(`webhook event ${id}: ${outcome.error}`);
        return outcome;
      },
    ),
  ];
}
