/**
 * The console's ports over a deployed runtime's authenticated API (`caio console --remote URL`):
 * the same views as runtime-services.ts, read and acted on through the routes, with no local record
 * and no local server. The server decides who acts (the token's operator) and what they may do.
 *
 * Live: `/api/events` advances the queue's change token, so the Queue re-reads the pages on screen
 * as soon as anything changes on any host; the other screens poll as they do locally.
 */
import { isUserError } from '../runtime/errors.js';
import type { Batch } from '../runtime/domain/gatekeeper/batch.js';
import type { Draft } from '../runtime/domain/queue/draft.js';
import type { QueuePageQuery } from '../runtime/domain/queue/page.js';
import type { DependencySnapshot } from '../runtime/services/readiness.js';
import type { StatusReport } from '../runtime/services/status.js';
import type { TraceEnvelope } from '../runtime/domain/trace-envelope.js';
import {
  followEvents,
  type ConnectionState,
  type RemoteClient,
  type RemoteIdentity,
} from './remote-client.js';
import {
  batchSummaryView,
  batchView,
  type BatchSummaryRow,
  draftView,
  healthFromSnapshot,
  scorecardView,
} from './runtime-services.js';
import type { Scorecard } from '../runtime/domain/rubric/scorecard.js';
import type {
  BatchView,
  ConsoleServices,
  OverviewView,
  QueueHeaderView,
  ReleaseView,
  RemoteStatus,
  TickResult,
  TraceView,
  WebhookView,
} from './services.js';

export interface RemoteServicesOptions {
  client: RemoteClient;
  identity: RemoteIdentity;
  /** For the event stream (same URL and token as the client). */
  url: string;
  token: string;
  /** The Queue header and taxonomy, read once at connect (`/api/queue/summary`). */
  summary: QueueSummary;
  now?: () => number;
  /** How many batches are read in full (items and exclusions); default 10. */
  batchDetailLimit?: number;
}

export interface QueueSummary {
  approvals_used: number;
  approvals_capacity: number;
  sla_minutes: number;
  sla_breaches: number;
  taxonomy: readonly string[];
}

function queryString(query: QueuePageQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function overviewFromStatus(report: StatusReport): OverviewView {
  const q = report.queue.available ? report.queue : undefined;
  return {
    mode: report.mode,
    counts: q?.counts ?? {},
    agingP95Minutes: q && (q.counts.pending ?? 0) > 0 ? q.aging_p95_minutes : undefined,
    slaBreaches: q?.sla_breaches ?? 0,
    approvalsUsed: q?.approvals_used ?? 0,
    approvalsCapacity: q?.approvals_capacity ?? 0,
    rampTier: report.ramp.available ? report.ramp.summary : `unavailable (${report.ramp.reason})`,
    sendMode: `email ${report.send_mode.email}, crm ${report.send_mode.crm}, calendar ${report.send_mode.calendar}`,
    lastReplay: report.last_replay.available ? report.last_replay.summary : undefined,
    incidents: [],
  };
}

export function createRemoteServices(options: RemoteServicesOptions): {
  services: ConsoleServices;
  remote: RemoteStatus;
  close(): void;
} {
  const { client, identity } = options;
  const now = options.now ?? Date.now;

  const id = (value: string) => encodeURIComponent(value);

  // Live: every event (or a reconnection) moves the change token the Queue polls.
  let changes = 0;
  let connection: { state: ConnectionState; detail: string | undefined } = {
    state: 'connecting',
    detail: undefined,
  };
  const listeners = new Set<() => void>();
  const stream = followEvents({
    url: options.url,
    token: options.token,
    onChange: () => {
      changes += 1;
    },
    onState: (state, detail) => setState(state, detail),
  });
  function setState(state: ConnectionState, detail?: string): void {
    if (state === connection.state && detail === connection.detail) return;
    connection = { state, detail };
    for (const listener of listeners) listener();
  }
  // A 401 on any call means the operator is locked out now (revoked, rotated): the header says so.
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    try {
      return await client.request<T>(method, path, body);
    } catch (error) {
      if (isUserError(error) && error.code === 'remote_unauthorized')
        setState('unauthorized', 'the server refused the token (401)');
      throw error;
    }
  };
  const get = <T>(path: string) => call<T>('GET', path);
  const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {});

  let summary = options.summary;
  let summaryAt = { changes, at: now() };
  const header = async (): Promise<QueueHeaderView> => {
    if (summaryAt.changes !== changes || now() - summaryAt.at > 60_000) {
      summary = await get<QueueSummary>('/api/queue/summary');
      summaryAt = { changes, at: now() };
    }
    return {
      approvalsUsed: summary.approvals_used,
      approvalsCapacity: summary.approvals_capacity,
      slaBreaches: summary.sla_breaches,
    };
  };

  const services: ConsoleServices = {
    actor: identity.operator,
    now,
    server: { url: client.label, note: `remote runtime ${identity.version}` },
    async health() {
      return healthFromSnapshot(await get<DependencySnapshot>('/api/runtime/dependencies'));
    },
    async overview() {
      const [report, incidents, mine] = await Promise.all([
        get<StatusReport>('/api/operator/status'),
        get<{ incidents: { kind: string; title: string; opened_at: string; delivery: string }[] }>(
          '/api/incidents',
        ).catch(() => ({ incidents: [] })),
        get<QueueSummary>('/api/queue/summary'),
      ]);
      return {
        ...overviewFromStatus(report),
        // The Overview counts this operator's approvals, as the local console does.
        approvalsUsed: mine.approvals_used,
        approvalsCapacity: mine.approvals_capacity,
        incidents: incidents.incidents.map((i) => ({
          kind: i.kind,
          title: i.title,
          openedAt: i.opened_at,
          delivery: i.delivery,
        })),
      };
    },
    queue: {
      taxonomy: summary.taxonomy,
      slaMinutes: summary.sla_minutes,
      async page(query) {
        const page = await get<{ items: Draft[]; next: string | null; total: number }>(
          `/api/queue${queryString(query)}`,
        );
        return { items: page.items.map(draftView), next: page.next, total: page.total };
      },
      changeToken: async () => String(changes),
      header,
      async approve(draftId) {
        await post(`/api/queue/${id(draftId)}/approve`);
      },
      async reject(draftId, category, note) {
        await post(`/api/queue/${id(draftId)}/reject`, { category, ...(note ? { note } : {}) });
      },
      async undo(draftId) {
        await post(`/api/queue/${id(draftId)}/undo`);
      },
      async approveMany(ids) {
        const { results } = await post<{
          results: { id: string; ok: boolean; code?: string; message?: string }[];
        }>('/api/queue/approve', { ids });
        return {
          approved: results.filter((r) => r.ok).length,
          refused: results
            .filter((r) => !r.ok)
            .map((r) => ({ id: r.id, reason: r.message ?? r.code ?? 'refused' })),
        };
      },
    },
    batches: {
      async list() {
        const summaries = await get<BatchSummaryRow[]>('/api/batches');
        const limit = options.batchDetailLimit ?? 10;
        return Promise.all(
          summaries.map(async (s, i): Promise<BatchView> => {
            if (i < limit) {
              const full = await get<Batch & { status: string }>(`/api/batches/${id(s.id)}`);
              return batchView(full, full.status);
            }
            return batchSummaryView(s);
          }),
        );
      },
      async preview() {
        const batch = await post<Batch>('/api/batches', { motion: 'all' });
        return batchView(batch, 'previewed');
      },
      async execute(batchId, hash) {
        const result = await post<{ counts?: { sent?: number; failed?: number } }>(
          `/api/batches/${id(batchId)}/execute`,
          { hash },
        );
        return { sent: result.counts?.sent ?? 0, failed: result.counts?.failed ?? 0 };
      },
    },
    release: {
      checklist: () => get<ReleaseView>('/api/release'),
      async rerun(stepId, onStep) {
        const view = await post<ReleaseView>('/api/release/check', { step: stepId });
        const step = view.steps.find((s) => s.id === stepId);
        if (step) onStep?.({ id: step.id, status: step.status, evidence: step.evidence });
      },
      async runAll(onStep) {
        const view = await post<ReleaseView>('/api/release/check');
        for (const step of view.steps.filter((s) => s.kind === 'auto'))
          onStep?.({ id: step.id, status: step.status, evidence: step.evidence });
      },
      tick: (stepId, options = {}) =>
        post<TickResult>(`/api/release/steps/${id(stepId)}/confirm`, { force: options.force === true }),
      async untick(stepId) {
        const { message } = await post<{ message: string }>(`/api/release/steps/${id(stepId)}/unconfirm`);
        return message;
      },
      async exportReport() {
        const { file } = await post<{ file: string }>('/api/release/report');
        return { file: `${file} (on the server)` };
      },
    },
    traces: {
      async recent(limit) {
        const { envelopes } = await get<{ envelopes: TraceEnvelope[] }>(
          `/api/traces?limit=${Math.min(500, limit)}`,
        );
        return envelopes.reverse().map((e): TraceView => ({
          ts: e.ts,
          correlationId: e.correlation_id,
          tool: e.tool_name,
          agent: e.agent ?? '',
          status: e.status,
          durationMs: e.duration_ms ?? undefined,
          error: e.error_message ?? undefined,
          caseId: e.case_id ?? undefined,
        }));
      },
    },
    webhooks: {
      async recent({ limit, status }) {
        const params = new URLSearchParams({ limit: String(limit), ...(status ? { status } : {}) });
        const page = await get<{
          events: {
            id: number | string;
            source: string;
            status: string;
            received_at: string;
            idempotency_key: string;
            error: string | null;
          }[];
        }>(`/api/webhooks?${params.toString()}`);
        return page.events.map((e): WebhookView => ({
          id: String(e.id),
          source: e.source,
          status: e.status,
          receivedAt: e.received_at,
          idempotencyKey: e.idempotency_key,
          error: e.error ?? undefined,
        }));
      },
    },
    // `:pipeline` through the trigger route (approver role); typing it is the operator's confirmation.
    pipeline: {
      async run() {
        const { result } = await post<{
          result: { drafted: number; considered: number; skipped: Readonly<Record<string, number>> };
        }>('/api/operator/trigger', { action: 'pipeline', confirm: true });
        return result;
      },
    },
    scorecard: {
      async current() {
        return scorecardView(await get<Scorecard>('/api/scorecard'));
      },
      async signOff(force) {
        const card = await post<Scorecard>('/api/scorecard/sign-off', { force });
        const signed = card.sign_off.status === 'ok' ? card.sign_off.value : null;
        return `Signed off ${card.week} as ${signed?.by ?? identity.operator}${signed?.forced ? ' (forced; the earlier sign-off is kept)' : ''}`;
      },
    },
    role: identity.role,
  };
  const remote: RemoteStatus = {
    url: client.label,
    operator: identity.operator,
    role: identity.role,
    state: () => connection,
    onState(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  services.remote = remote;
  return { services, remote, close: () => stream.stop() };
}
