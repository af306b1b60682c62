/**
 * Webhook intake into the record (SPEC 5, 6.2). A delivery is acknowledged only after the COMMIT
 * that contains its row; a delivery that suppresses an address (reply, interest, bounce,
 * unsubscribe) commits the suppression in that same transaction, and an Instantly `email_sent`
 * records the address as sent — so the moment the 2xx leaves, every host sees the effect.
 *
 * Group commit keeps that fast: deliveries that arrive while a commit is under way wait in a queue
 * and are all written by the next transaction (one multi-row INSERT), and every caller's promise
 * settles after that COMMIT. Suppressing deliveries have their own lane: they go into the next
 * transaction ahead of any backlog (on PostgreSQL even beside the commits already in flight), so a
 * flood of other webhooks never delays an unsubscribe by more than one commit.
 *
 * The record decides what is a duplicate (the same source and idempotency key), across every host
 * sharing it: see tables/intake.ts.
 */
import { canonicalEmail } from '../domain/canonical-email.js';
import type { WebhookEffect } from '../domain/webhooks/sources.js';
import type { RecordStore } from './record/record.js';
import {
  WEBHOOK_STATUSES,
  type InsertResult,
  type NewWebhookEvent,
  type WebhookEvent,
  type WebhookListOptions,
  type WebhookPage,
  type WebhookPayloadPage,
  type WebhookStatus,
} from './record/tables/intake.js';

export { WEBHOOK_STATUSES };
export type { InsertResult, WebhookEvent, WebhookPage, WebhookPayloadPage, WebhookStatus };
export type { WebhookEventSummary } from './record/tables/intake.js';
export type ListOptions = WebhookListOptions;

export interface NewDelivery extends NewWebhookEvent {
  /** What the validated payload does; suppressions and external sends commit with the row. */
  effects?: readonly WebhookEffect[] | undefined;
}

export interface WebhookStore {
  /** Durably store one delivery (and its safety effects); resolves after the COMMIT that contains it. */
  insert(event: NewDelivery): Promise<InsertResult>;
  /** Commit whatever is pending now (shutdown). */
  flush(): Promise<void>;
  get(id: number): Promise<WebhookEvent | undefined>;
  list(options?: ListOptions): Promise<WebhookPage>;
  /** One source's events with payloads, oldest first, in pages after `since` (tables/intake.ts). */
  listPayloads(options: { source: string; since?: number; limit?: number }): Promise<WebhookPayloadPage>;
  /** Ids of events still waiting for processing (fewer than `maxAttempts` tries), oldest first. */
  pendingIds(limit: number, maxAttempts?: number): Promise<number[]>;
  markProcessed(id: number): Promise<void>;
  /** Processing failed: stays `stored` for a retry, with the error and one more attempt counted. */
  markFailed(id: number, error: string): Promise<void>;
  counts(): Promise<Record<WebhookStatus, number>>;
  /** Flush, then refuse new inserts. */
  close(): Promise<void>;
}

export interface WebhookStoreOptions {
  now?: () => number;
  /** Most rows per transaction (default 500). */
  maxBatch?: number;
  /** Transactions of ordinary deliveries in flight at once (default: 1 on SQLite, 2 on PostgreSQL). */
  concurrency?: number;
}

interface Pending {
  event: NewDelivery;
  resolve(result: InsertResult): void;
  reject(error: unknown): void;
}

type IntakeWrite =
  | { kind: 'suppress'; canonical: string; reason: string; source: string }
  | { kind: 'sent'; canonical: string; source: string };

/** PostgreSQL deadlock / serialization failure: the whole batch is retried. */
const RETRYABLE = new Set(['40P01', '40001']);
const RETRIES = 3;

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export function suppresses(event: NewDelivery): boolean {
  return event.effects?.some((effect) => effect.kind === 'suppress') ?? false;
}

function intakeWrites(batch: readonly Pending[], results: readonly InsertResult[]): IntakeWrite[] {
  const writes: IntakeWrite[] = [];
  batch.forEach(({ event }, index) => {
    if (results[index]?.duplicate !== false || event.status !== 'stored') return;
    for (const effect of event.effects ?? []) {
      if (effect.kind === 'suppress') {
        writes.push({
          kind: 'suppress',
          canonical: canonicalEmail(effect.email),
          reason: effect.reason,
          source: event.source,
        });
      } else if (effect.kind === 'sent') {
        writes.push({ kind: 'sent', canonical: canonicalEmail(effect.email), source: event.source });
      }
    }
  });
  // One order on every host: concurrent commits touching the same addresses wait, never deadlock.
  return writes.sort((a, b) => (a.canonical < b.canonical ? -1 : a.canonical > b.canonical ? 1 : 0));
}

export function createWebhookStore(record: RecordStore, options: WebhookStoreOptions = {}): WebhookStore {
  const now = options.now ?? Date.now;
  const maxBatch = options.maxBatch ?? 500;
  const concurrency = options.concurrency ?? (record.dialect === 'postgres' ? 2 : 1);
  const urgent: Pending[] = [];
  const ordinary: Pending[] = [];
  const active = new Set<Promise<void>>();
  let ordinaryInFlight = 0;
  let urgentInFlight = 0;
  let scheduled = false;
  let closed = false;

  const write = async (batch: Pending[]): Promise<InsertResult[]> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await record.transaction(async (tx) => {
          const results = await tx.webhookEvents.insertMany(batch.map((item) => item.event));
          const at = now();
          for (const effect of intakeWrites(batch, results)) {
            if (effect.kind === 'suppress')
              await tx.addresses.suppress(effect.canonical, effect.reason, effect.source, at);
            else await tx.addresses.recordExternalSend(effect.canonical, effect.source, at);
          }
          return results;
        });
      } catch (error) {
        if (attempt >= RETRIES || !isRetryable(error)) throw error;
      }
    }
  };

  const commit = (batch: Pending[], lane: 'urgent' | 'ordinary') => {
    if (lane === 'urgent') urgentInFlight += 1;
    else ordinaryInFlight += 1;
    const done = write(batch).then(
      (results) => batch.forEach((item, index) => item.resolve(results[index] as InsertResult)),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
    const settled = done.finally(() => {
      active.delete(settled);
      if (lane === 'urgent') urgentInFlight -= 1;
      else ordinaryInFlight -= 1;
      pump();
    });
    active.add(settled);
  };

  function pump() {
    scheduled = false;
    // Suppressions first, in a transaction of their own beside whatever is in flight.
    if (urgent.length > 0 && urgentInFlight === 0) commit(urgent.splice(0, maxBatch), 'urgent');
    while (ordinary.length > 0 && ordinaryInFlight < concurrency) {
      commit(ordinary.splice(0, maxBatch), 'ordinary');
    }
  }

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };

  const flush = async () => {
    for (;;) {
      pump();
      if (active.size === 0 && urgent.length === 0 && ordinary.length === 0) return;
      await Promise.allSettled([...active]);
    }
  };

  return {
    insert(event) {
      if (closed) return Promise.reject(new Error('the webhook store is closed (shutting down)'));
      return new Promise<InsertResult>((resolve, reject) => {
        (suppresses(event) ? urgent : ordinary).push({ event, resolve, reject });
        schedule();
      });
    },
    flush,
    get: (id) => record.webhookEvents.get(id),
    list: (listOptions) => record.webhookEvents.list(listOptions),
    listPayloads: (pageOptions) => record.webhookEvents.listPayloads(pageOptions),
    pendingIds: (limit, maxAttempts) => record.webhookEvents.pendingIds(limit, maxAttempts),
    async markProcessed(id) {
      await record.webhookEvents.markProcessed(id);
    },
    markFailed: (id, error) => record.webhookEvents.markFailed(id, error),
    counts: () => record.webhookEvents.counts(),
    async close() {
      await flush();
      closed = true;
    },
  };
}
