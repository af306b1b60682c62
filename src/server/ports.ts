/**
 * What the HTTP layer is given: the runtime container's typed services (`HttpRuntime`), and what a
 * route handler can reach (`HttpServices`).
 */
import type { Config } from '../runtime/config.js';
import type { WebhookSource } from '../runtime/domain/webhooks/sources.js';
import type { CampaignService } from '../runtime/services/campaigns.js';
import type { Gatekeeper } from '../runtime/services/gatekeeper.js';
import type { ReleasePort } from '../screens/services.js';
import type { EventBus } from '../runtime/services/events.js';
import type { EventStreams } from './event-stream.js';
import type { HostRegistry } from '../runtime/services/hosts.js';
import type { InngestRuntime } from '../runtime/services/inngest/client.js';
import type { LeadService } from '../runtime/services/leads.js';
import type { MeetingPrep } from '../runtime/services/meeting-prep.js';
import type { Notifier } from '../runtime/services/notifier.js';
import type { PipelineService } from '../runtime/services/pipeline.js';
import type { QueueService } from '../runtime/services/queue.js';
import type { Readiness } from '../runtime/services/readiness.js';
import type { ReplayService } from '../runtime/services/replay.js';
import type { Runtime } from '../runtime/services/runtime.js';
import type { ScorecardService } from '../runtime/services/scorecard.js';
import type { WebhookProcessor } from '../runtime/services/webhook-processor.js';
import type { WebhookStore } from '../runtime/stores/webhook-store.js';
import type { StateStore } from '../runtime/stores/state-store.js';

/**
 * The services the HTTP layer serves: the runtime container's own, with their real types
 * (`services/runtime.ts` builds each once). `config`, `db` and `record` are required; a runtime built
 * for one narrow purpose (the signed `/inngest` probe of `caio validate`) may leave the rest out, and
 * their routes then answer 503 `not_available`.
 */
export type HttpRuntime = Pick<Runtime, 'config' | 'db' | 'record'> &
  Partial<
    Pick<
      Runtime,
      | 'webhooks'
      | 'state'
      | 'queue'
      | 'leads'
      | 'gatekeeper'
      | 'operators'
      | 'scorecard'
      | 'replay'
      | 'traces'
      | 'campaigns'
      | 'pipeline'
      | 'notifier'
      | 'meetingPrep'
      | 'hosts'
      | 'events'
    >
  >;

/** What auth and readiness need from coordination. */
export type StatePort = Pick<StateStore, 'health' | 'consume'>;

/** Retention and correlation ids: the trace writer's, with pruning bound to the configured file. */
export interface TracesPort {
  prune(olderThanDays?: number): Promise<unknown> | unknown;
  withCorrelationId?<T>(id: string | undefined, fn: () => T): T;
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
  state: StateStore | undefined;
  queue: QueueService | undefined;
  leads: LeadService | undefined;
  gatekeeper: Gatekeeper | undefined;
  scorecard: ScorecardService | undefined;
  traces: TracesPort;
  replay: ReplayService | undefined;
  campaigns: CampaignService | undefined;
  pipeline: PipelineService | undefined;
  meetingPrep: MeetingPrep | undefined;
  notifier: Notifier | undefined;
  /** This process among the hosts (record-id check, heartbeats): a split brain refuses requests. */
  hosts: HostRegistry | undefined;
  /** Change events (queue, batches, release, health) and the `/api/events` streams over them. */
  events: EventBus;
  streams: EventStreams;
  /** The release ritual acting as `actor` (the console's release port), when the host wires one. */
  releaseFor: ((actor: string) => ReleasePort) | undefined;
}
