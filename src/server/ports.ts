/**
 * Narrow views of services that other parts of the runtime own (queue, gatekeeper, leads, operator,
 * scorecard). The HTTP layer asks for them by method name at startup, so it compiles and serves
 * whether or not the service exists yet: a missing service makes its routes answer
 * 503 `not_available` instead of crashing.
 */
import type { ReleasePort } from '../screens/services.js';
import type { EventBus } from '../runtime/services/events.js';
import type { EventStreams } from './event-stream.js';
import type { TraceEnvelopeInput } from '../runtime/domain/trace-envelope.js';
import type { Config } from '../runtime/config.js';
import type { QueuePage, QueuePageQuery } from '../runtime/domain/queue/page.js';
import type { RecordStore } from '../runtime/stores/record/record.js';
import type { SqliteDatabase } from '../runtime/stores/sqlite/database.js';
import type { ConsumeResult, StoreHealth } from '../runtime/stores/state-store.js';
import type { WebhookSource } from '../runtime/domain/webhooks/sources.js';
import type { Readiness } from '../runtime/services/readiness.js';
import type { WebhookStore } from '../runtime/services/webhook-store.js';
import type { WebhookProcessor } from '../runtime/services/webhook-processor.js';
import type { InngestRuntime } from '../runtime/services/inngest/client.js';
import type { Incident, IncidentKind } from '../runtime/domain/notifications/incident.js';

/** What the HTTP app needs from the runtime container; every service beyond config/db is optional. */
export interface HttpRuntime {
  config: Config;
  db: SqliteDatabase;
  /** The record: webhook events are stored in it (when `webhooks` is not given). */
  record: RecordStore;
  webhooks?: unknown;
  state?: unknown;
  queue?: unknown;
  leads?: unknown;
  gatekeeper?: unknown;
  operator?: unknown;
  /** Operators and their tokens (SPEC 12): resolves a token digest to an operator. */
  operators?: unknown;
  scorecard?: unknown;
  replay?: unknown;
  traces?: unknown;
  audit?: unknown;
  campaigns?: unknown;
  pipeline?: unknown;
  notifier?: unknown;
  meetingPrep?: unknown;
  /** The change bus (`publish`, `subscribe`); without one the app keeps its own, in-process. */
  events?: unknown;
  /** The release ritual as the remote console drives it (routes/release.ts); absent = 503. */
  release?: unknown;
}

export interface StatePort {
  health(): Promise<StoreHealth>;
  consume(key: string, limit: number, windowSeconds: number): Promise<ConsumeResult>;
}

export interface QueuePort {
  list?(filter: { status?: string | undefined }): Promise<unknown>;
  /** One page of the queue: `{items, next, total}`. */
  page?(query: QueuePageQuery): Promise<QueuePage>;
  add?(input: unknown, source: 'api'): Promise<unknown>;
  /** Moves whenever any draft changes (any process). */
  changeToken?(): Promise<string>;
  /** One draft, whole. */
  get?(id: string): Promise<unknown>;
  approve?(id: string, actor: string): Promise<unknown>;
  approveMany?(ids: readonly string[], actor: string): Promise<{ ok: boolean }[]>;
  reject?(id: string, actor: string, category: string, note?: string | null): Promise<unknown>;
  undo?(id: string, actor: string): Promise<unknown>;
  metrics?(): Promise<unknown>;
  suppressAddress?(
    email: string,
    reason: SuppressReason,
    source: string,
  ): Promise<{ suppressedDrafts: number }>;
  recordExternalSend?(email: string, source: string): Promise<void>;
  /** Escalates drafts past QUEUE_AGING_SLA_MINUTES (audit row); used by the aging watch. */
  escalateBreaches?(actor?: string): Promise<unknown>;
}

export type SuppressReason = 'bounced' | 'unsubscribed' | 'replied' | 'interested';

export interface LeadInput {
  email: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  company?: string | undefined;
  title?: string | undefined;
  segment?: string | undefined;
  tier?: string | undefined;
}

export interface LeadsPort {
  upsertLead(lead: LeadInput, source: 'rb2b' | 'clay'): Promise<unknown> | unknown;
}

export interface GatekeeperPort {
  preview?(
    scope: { motion?: 'outbound' | 'inbound' | 'all' | undefined; ids?: readonly string[] | undefined },
    actor: string,
    options?: { persist?: boolean; triggeredBy?: string | null },
  ): Promise<unknown>;
  execute?(batchId: string, hash: string, actor: string, options?: { resume?: boolean }): Promise<unknown>;
  list?(): Promise<unknown>;
}

export interface OperatorPort {
  status?(): Promise<unknown>;
  trigger?(input: unknown, actor: string): Promise<unknown>;
}

export interface ScorecardPort {
  weekly?(week?: string): Promise<unknown>;
}

export interface TracesPort {
  prune?(olderThanDays?: number): Promise<unknown> | unknown;
  withCorrelationId?<T>(id: string | undefined, fn: () => T): T;
  currentCorrelationId?(): string | undefined;
  record?(input: TraceEnvelopeInput): unknown;
}

export interface CampaignsPort {
  control(
    campaignId: string,
    action: 'pause' | 'resume',
    actor: string,
  ): Promise<
    | { ok: true; provider: unknown }
    | { ok: false; status: number | undefined; retryable: boolean; error: string }
  >;
}

export interface NotifierPort {
  raise(incident: Incident | undefined): void;
  resolve(kind: IncidentKind): Promise<number>;
  retryFailed(): Promise<number>;
  /** Open incidents, newest first. */
  open?(): Promise<{ kind: string; title: string; opened_at: string; delivery: string }[]>;
}

export interface PipelinePort {
  run(options: {
    mode: string;
    source?: 'rb2b' | 'clay' | 'all';
    limit?: number | undefined;
    actor: string;
  }): Promise<unknown>;
}

export interface ReplayPort {
  runGate?(): Promise<unknown>;
  last?(): unknown;
}

/** Everything a route handler can reach. */
export interface HttpServices {
  config: Config;
  version: string;
  startedAt: number;
  now(): number;
  readiness: Readiness;
  /** Constant-time matchers of the plain (non-`whsec_`) webhook secrets, digests computed once. */
  webhookSecrets: Partial<Record<WebhookSource, (given: string) => boolean>>;
  /** Why a configured webhook secret is unfit (placeholder, too short, empty whsec_ key), per source. */
  webhookSecretProblems: Partial<Record<WebhookSource, string>>;
  webhooks: WebhookStore;
  processor: WebhookProcessor;
  inngest: InngestRuntime;
  state: StatePort | undefined;
  queue: QueuePort | undefined;
  leads: LeadsPort | undefined;
  gatekeeper: GatekeeperPort | undefined;
  operator: OperatorPort | undefined;
  scorecard: ScorecardPort | undefined;
  traces: TracesPort | undefined;
  replay: ReplayPort | undefined;
  campaigns: CampaignsPort | undefined;
  pipeline: PipelinePort | undefined;
  meetingPrep: { publishApproved?(): Promise<unknown> } | undefined;
  notifier: NotifierPort | undefined;
  /** Change events (queue, batches, release, health) and the `/api/events` streams over them. */
  events: EventBus;
  streams: EventStreams;
  /** The release ritual acting as `actor` (the console's release port), when the host wires one. */
  releaseFor: ((actor: string) => ReleasePort) | undefined;
}

/** `value` when it is an object with at least one of `methods` as a function, else undefined. */
export function port<T>(value: unknown, methods: readonly string[]): T | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  return methods.some((name) => typeof record[name] === 'function') ? (value as T) : undefined;
}

export function statePort(value: unknown): StatePort | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  return typeof record.health === 'function' && typeof record.consume === 'function'
    ? (value as StatePort)
    : undefined;
}
