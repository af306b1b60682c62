/**
 * Processing of stored webhook events, after the reply (SPEC 6.2): parse the stored payload again,
 * derive its effects (domain/webhooks) and apply them through the queue and leads services. An event
 * stays `stored` until every effect succeeded, so a crash, an error or a service that does not exist
 * yet loses nothing: `processPending` (startup and the scheduler) picks it up again. Effects are
 * idempotent (suppress, record a send, upsert a lead), so a second run is harmless. The safety
 * effects themselves (the address suppressed, or recorded as sent) were already committed with the
 * event at intake (webhook-store.ts); here the queue marks that address's pending drafts and audits.
 *
 * Hand-off: with Inngest configured (cloud, event key) each stored id is sent as the event
 * `caio/webhook.received` and the Inngest function calls `processEvent`; otherwise an in-process
 * worker does the same. If sending the event fails, the in-process worker takes it.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import {
  isWebhookSource,
  parseWebhookPayload,
  type LeadFields,
  type SuppressReason,
  type WebhookEffect,
} from '../domain/webhooks/sources.js';
import type { TraceEnvelopeInput } from '../domain/trace-envelope.js';
import type { WebhookStore } from '../stores/webhook-store.js';

export interface EffectQueuePort {
  suppressAddress?(email: string, reason: SuppressReason, source: string): Promise<unknown>;
  recordExternalSend?(email: string, source: string): Promise<unknown>;
}

export interface EffectLeadsPort {
  upsertLead?(lead: LeadFields, source: 'rb2b' | 'clay'): Promise<unknown> | unknown;
}

export interface EffectPrepPort {
  prepare?(email: string, trigger: 'lead_interested' | 'lead_meeting_booked'): Promise<unknown>;
}

export interface ProcessorTraces {
  record(input: TraceEnvelopeInput): unknown;
  withCorrelationId<T>(id: string | undefined, fn: () => T): T;
  currentCorrelationId(): string | undefined;
}

export interface WebhookProcessorDeps {
  store: WebhookStore;
  /** Meeting prep (call briefs); optional: without it a `prep` effect is skipped, not deferred. */
  prep?: EffectPrepPort | undefined;
  queue?: EffectQueuePort | undefined;
  leads?: EffectLeadsPort | undefined;
  logger?: Logger | undefined;
  /** Hands an id to Inngest; when absent (or when it throws) the in-process worker processes it. */
  dispatch?: ((id: number, correlationId?: string) => Promise<void>) | undefined;
  /** Each processed event leaves an envelope under the correlation id of the request that stored it. */
  traces?: ProcessorTraces | undefined;
  /** Tries before an event is left alone for an operator (default 10). */
  maxAttempts?: number;
}

export type ProcessOutcome =
  | { id: number; status: 'processed'; effects: number }
  | { id: number; status: 'deferred'; reason: string }
  | { id: number; status: 'skipped'; reason: string }
  | { id: number; status: 'failed'; error: string };

export interface KnownEvent {
  source: string;
  effects: readonly WebhookEffect[];
}

export interface PendingSummary {
  processed: number;
  deferred: number;
  failed: number;
  skipped: number;
}

export interface WebhookProcessor {
  /**
   * Called after the 2xx: process this id soon (Inngest or in-process). `known` is what intake
   * already parsed, so the in-process worker need not read the row back and validate it again.
   */
  enqueue(id: number, known?: KnownEvent): void;
  /** The body of the Inngest function `caio/webhook.received` (with the intake's correlation id). */
  processEvent(id: number, correlationId?: string): Promise<ProcessOutcome>;
  /** Every event still `stored` (crash recovery, a service that appeared since). */
  processPending(limit?: number): Promise<PendingSummary>;
  /** Resolves when the in-process worker has nothing left to do. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createWebhookProcessor(deps: WebhookProcessorDeps): WebhookProcessor {
  const { store, logger } = deps;
  const maxAttempts = deps.maxAttempts ?? 10;
  const waiting: { id: number; known: KnownEvent | undefined; correlationId: string | undefined }[] = [];
  let head = 0;
  const inFlight = new Set<number>();
  let running: Promise<void> | undefined;
  let closed = false;

  const missingService = (effect: WebhookEffect): string | undefined => {
    switch (effect.kind) {
      case 'suppress':
        return deps.queue?.suppressAddress ? undefined : 'queue.suppressAddress';
      case 'sent':
        return deps.queue?.recordExternalSend ? undefined : 'queue.recordExternalSend';
      case 'lead':
        return deps.leads?.upsertLead ? undefined : 'leads.upsertLead';
      case 'prep':
        return undefined;
    }
  };

  const apply = async (effect: WebhookEffect, source: string): Promise<void> => {
    switch (effect.kind) {
      case 'suppress':
        await deps.queue?.suppressAddress?.(effect.email, effect.reason, source);
        return;
      case 'sent':
        await deps.queue?.recordExternalSend?.(effect.email, source);
        return;
      case 'lead':
        await deps.leads?.upsertLead?.(effect.lead, effect.source);
        return;
      case 'prep':
        await deps.prep?.prepare?.(effect.email, effect.trigger);
        return;
    }
  };

  /** Parse a stored row back into its effects (events handed over by id: Inngest, the sweep). */
  const load = async (id: number): Promise<KnownEvent | ProcessOutcome> => {
    const event = await store.get(id);
    if (!event) return { id, status: 'skipped', reason: 'no such event' };
    if (event.status !== 'stored') return { id, status: 'skipped', reason: `already ${event.status}` };
    if (!isWebhookSource(event.source)) return { id, status: 'skipped', reason: 'unknown source' };
    let payload: unknown;
    try {
      payload = JSON.parse(event.payload.toString('utf8'));
    } catch {
      payload = undefined;
    }
    const parsed = parseWebhookPayload(event.source, payload);
    if (!parsed.ok) {
      await store.markFailed(id, parsed.message);
      return { id, status: 'failed', error: parsed.message };
    }
    return { source: event.source, effects: parsed.effects };
  };

  const STATUS = { processed: 'success', deferred: 'skipped', skipped: 'skipped', failed: 'error' } as const;
  /** processEvent, leaving an envelope under `correlationId` (a fresh one for the sweep). */
  const traced = (id: number, correlationId: string | undefined, known?: KnownEvent) => {
    const { traces } = deps;
    if (!traces) return processEvent(id, known);
    return traces.withCorrelationId(correlationId ?? traces.currentCorrelationId(), async () => {
      const started = performance.now();
      const outcome = await processEvent(id, known);
      traces.record({
        tool_name: 'webhook.process',
        case_id: String(id),
        status: STATUS[outcome.status],
        output: outcome,
        duration_ms: performance.now() - started,
        ...(outcome.status === 'failed'
          ? { error_code: 'processing_failed', error_message: outcome.error }
          : {}),
      });
      return outcome;
    });
  };

  const processEvent = async (id: number, known?: KnownEvent): Promise<ProcessOutcome> => {
    if (inFlight.has(id)) return { id, status: 'skipped', reason: 'already being processed' };
    inFlight.add(id);
    try {
      const event = known ?? (await load(id));
      if ('status' in event) return event;
      const missing = event.effects.map(missingService).filter((name) => name !== undefined);
      if (missing.length > 0) {
        return { id, status: 'deferred', reason: `waiting for ${[...new Set(missing)].join(', ')}` };
      }
      for (const effect of event.effects) await apply(effect, event.source);
      // Only a `stored` row flips, so a run that raced the sweep changes nothing the second time.
      await store.markProcessed(id);
      return { id, status: 'processed', effects: event.effects.length };
    } catch (error) {
      const message = errorMessage(error);
      try {
        await store.markFailed(id, message);
      } catch {
        // The database is gone (shutdown): the event stays stored and is retried at the next start.
      }
      logger?.warn({ webhook_event_id: id, err: message }, 'webhook processing failed; will retry');
      return { id, status: 'failed', error: message };
    } finally {
      inFlight.delete(id);
    }
  };

  // One event per event-loop turn: yielding between events lets webhook intake (group commit) and
  // requests interleave with a backlog instead of waiting behind it.
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const drain = async () => {
    while (head < waiting.length && !closed) {
      const item = waiting[head] as (typeof waiting)[number];
      head += 1;
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      await traced(item.id, item.correlationId, item.known);
      await nextTurn();
    }
  };

  const kick = () => {
    if (running || closed) return;
    running = nextTurn()
      .then(drain)
      .finally(() => {
        running = undefined;
        if (head < waiting.length) kick();
      });
  };

  const local = (id: number, known: KnownEvent | undefined, correlationId: string | undefined) => {
    waiting.push({ id, known, correlationId });
    kick();
  };

  return {
    enqueue(id, known) {
      if (closed) return;
      // The request's correlation id travels with the event into work done after the reply.
      const correlationId = deps.traces?.currentCorrelationId();
      if (!deps.dispatch) {
        local(id, known, correlationId);
        return;
      }
      deps.dispatch(id, correlationId).catch((error: unknown) => {
        logger?.warn(
          { webhook_event_id: id, err: errorMessage(error) },
          'Inngest send failed; processing in-process',
        );
        local(id, known, correlationId);
      });
    },
    processEvent: (id, correlationId) => traced(id, correlationId),
    async processPending(limit = 500) {
      const summary: PendingSummary = { processed: 0, deferred: 0, failed: 0, skipped: 0 };
      for (const id of await store.pendingIds(limit, maxAttempts)) {
        if (closed) break;
        const outcome = await traced(id, undefined);
        summary[outcome.status] += 1;
        await nextTurn();
      }
      return summary;
    },
    async idle() {
      while (running) await running;
    },
    async close() {
      closed = true;
      while (running) await running;
    },
  };
}
