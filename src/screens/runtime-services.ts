/**
 * The console's ports over the real runtime: each screen's narrow interface (services.ts) built from
 * the runtime container, the in-process HTTP server's readiness loop and the release service. Every
 * call is async and runs off the render path (hooks poll it); row shapes are mapped to view shapes here
 * so screens never see store records.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { traceFilePath } from '../runtime/config.js';
import type { Draft } from '../runtime/domain/queue/draft.js';
import type { Batch } from '../runtime/domain/gatekeeper/batch.js';
import type { DependencySnapshot, Readiness } from '../runtime/services/readiness.js';
import type { Runtime } from '../runtime/services/runtime.js';
import type { Scorecard } from '../runtime/domain/rubric/scorecard.js';
import { scorecardRows } from '../runtime/services/scorecard.js';
import { tailTraces } from '../runtime/services/traces.js';
import type {
  BatchView,
  ConsoleServices,
  DraftView,
  HealthView,
  OverviewView,
  QueueHeaderView,
  ReleasePort,
  ScorecardView,
  TraceView,
  WebhookView,
} from './services.js';

export interface RuntimeServicesOptions {
  actor: string;
  /** The in-process server's readiness loop (absent when the server did not start). */
  readiness?: Readiness | undefined;
  server: { url: string | undefined; note: string | undefined };
  /** The shipped sample drafts (samples/drafts.jsonl), when present. */
  samplesFile?: string | undefined;
  release?: ReleasePort | undefined;
  now?: () => number;
}

export function draftView(d: Draft): DraftView {
  const name = [d.lead.first_name, d.lead.last_name].filter(Boolean).join(' ');
  return {
    id: d.id,
    status: d.status,
    email: d.lead.email,
    name,
    company: d.lead.company ?? '',
    title: d.lead.title ?? '',
    segment: d.lead.segment ?? '',
    subject: d.subject,
    body: d.body,
    context: d.context,
    findings: d.findings,
    createdAt: d.created_at,
    decidedBy: d.decided_by ?? undefined,
    rejection: d.rejection
      ? `${d.rejection.category}${d.rejection.note ? ` (${d.rejection.note})` : ''}`
      : undefined,
    duplicateOf: d.duplicate_of ?? undefined,
  };
}

/** A batch as `batch list` / `GET /api/batches` give it: no items. */
export interface BatchSummaryRow {
  id: string;
  hash: string;
  status: string;
  mode: string;
  created_at: string;
  expires_at: string;
  previewed_by: string;
}

/** A batch listed without its items (older than the ones shown in full): the list row only. */
export function batchSummaryView(s: BatchSummaryRow): BatchView {
  return {
    id: s.id,
    hash: s.hash,
    status: s.status,
    mode: s.mode,
    createdAt: s.created_at,
    expiresAt: Date.parse(s.expires_at),
    previewedBy: s.previewed_by,
    items: [],
    excluded: [],
  };
}

export function batchView(b: Batch, status: string): BatchView {
  return {
    id: b.id,
    hash: b.hash,
    status,
    mode: b.mode,
    createdAt: b.created_at,
    expiresAt: Date.parse(b.expires_at),
    previewedBy: b.previewed_by,
    items: b.items.map((i) => ({ draftId: i.draft_id, email: i.email, subject: i.subject })),
    excluded: b.excluded.map((x) => ({
      draftId: x.draft_id,
      reason: x.detail ? `${x.reason}: ${x.detail}` : x.reason,
    })),
  };
}

/**
 * While the queue does not change, the Queue header is answered from cache for at most this long:
 * SLA breaches age in with time, and the screen asks once a minute (the AGE column's tick).
 */
const HEADER_TTL_MS = 60_000;

/** Batches shown in full (items + exclusions); older ones are listed by `caio batch list`. */
const BATCH_DETAIL_LIMIT = 50;

/** The console's health view of a readiness snapshot (in process, or `/api/runtime/dependencies`). */
export function healthFromSnapshot(r: DependencySnapshot): HealthView {
  // Over the API (remote console) the open route may leave the list out.
  const missing = r.webhooks.missing_secrets ?? [];
  return {
    redis: {
      mode: r.redis.mode,
      required: r.redis.required,
      healthy: r.redis.healthy,
      degraded: r.redis.degraded,
      latencyMs: r.redis.latency_ms ?? undefined,
      error: r.redis.error ?? undefined,
    },
    inngest: {
      mode: r.inngest.mode,
      required: r.inngest.required,
      healthy: r.inngest.healthy,
      // A server older than this console sends no `degraded`.
      degraded: r.inngest.degraded === true,
      latencyMs: undefined,
      error: r.inngest.error ?? undefined,
      detail:
        typeof r.inngest.events_pending === 'number'
          ? `${r.inngest.function_count} functions, ${r.inngest.events_pending} events pending`
          : `${r.inngest.function_count} functions`,
    },
    ready: r.ready,
    reasons: [
      ...(r.redis.healthy ? [] : [`redis: ${r.redis.error ?? 'unhealthy'}`]),
      ...(r.inngest.healthy ? [] : [`inngest: ${r.inngest.error ?? 'unhealthy'}`]),
      ...(r.webhooks.healthy
        ? []
        : [
            `webhooks: ${r.webhooks.error ?? (missing.length > 0 ? `no secret for ${missing.join(', ')}` : 'a secret is missing')}`,
          ]),
    ],
  };
}

export function createRuntimeServices(runtime: Runtime, options: RuntimeServicesOptions): ConsoleServices {
  const now = options.now ?? Date.now;
  const { actor } = options;
  const { queue, gatekeeper, config } = runtime;

  async function health(): Promise<HealthView> {
    if (options.readiness) return healthFromSnapshot(await options.readiness.refresh());
    const started = now();
    const h = await runtime.state.health();
    return {
      redis: {
        mode: h.kind === 'redis' ? 'redis' : h.degraded ? 'embedded-fallback' : 'embedded',
        required: config.REDIS_REQUIRED,
        healthy: h.healthy,
        degraded: h.degraded,
        latencyMs: h.latencyMs ?? now() - started,
        error: h.error,
      },
      inngest: {
        mode: 'unknown',
        required: config.INNGEST_REQUIRED,
        healthy: !config.INNGEST_REQUIRED,
        degraded: false,
        latencyMs: undefined,
        error: 'the HTTP server did not start, so /inngest is not served',
      },
      ready: false,
      reasons: [options.server.note ?? 'the HTTP server is not running'],
    };
  }

  async function overview(): Promise<OverviewView> {
    const [metrics, ramp, incidents, replay] = await Promise.all([
      queue.metrics(),
      runtime.ramp.status(),
      runtime.notifier.open(),
      runtime.replays.latest(),
    ]);
    const mine = metrics.capacity.reviewers.find((r) => r.reviewer.toLowerCase() === actor.toLowerCase());
    return {
      mode: config.mode,
      counts: metrics.counts,
      agingP95Minutes: metrics.aging.pending > 0 ? metrics.aging.p95_minutes : undefined,
      slaBreaches: metrics.sla.breaches,
      approvalsUsed: mine?.used ?? 0,
      approvalsCapacity: config.DAILY_APPROVAL_CAPACITY,
      rampTier: `tier ${ramp.tier}: ${ramp.sent_today} of ${ramp.daily_limit} sent today, ${ramp.clean_days}/${ramp.required_clean_days} clean days`,
      sendMode: `email ${config.EMAIL_SEND_MODE}, crm ${config.GHL_MODE}, calendar ${config.CALENDAR_MODE}`,
      lastReplay: replay
        ? `${Math.round(replay.pass_rate * 100)}% (threshold ${Math.round(replay.threshold * 100)}%), block_build=${replay.block_build}, ${replay.ran_at}`
        : undefined,
      incidents: incidents.map((i) => ({
        kind: i.kind,
        title: i.title,
        openedAt: i.opened_at,
        delivery: i.delivery,
      })),
    };
  }

  const samplesFile = options.samplesFile;
  let headerCache: { token: string; at: number; view: QueueHeaderView } | undefined;
  const queuePort: ConsoleServices['queue'] = {
    taxonomy: queue.taxonomy,
    slaMinutes: config.QUEUE_AGING_SLA_MINUTES,
    async page(query) {
      const page = await queue.page(query);
      return { items: page.items.map(draftView), next: page.next, total: page.total };
    },
    changeToken: () => queue.changeToken(),
    async header() {
      // queue.metrics() is a handful of indexed aggregates; reuse it while the change token stands
      // still (at most HEADER_TTL_MS, so time-driven SLA breaches still show).
      const token = await queue.changeToken();
      const at = now();
      if (headerCache && headerCache.token === token && at - headerCache.at < HEADER_TTL_MS)
        return headerCache.view;
      const metrics = await queue.metrics();
      const me = actor.toLowerCase();
      const used = metrics.capacity.reviewers
        .filter((r) => r.reviewer.toLowerCase() === me)
        .reduce((sum, r) => sum + r.used, 0);
      const view = {
        approvalsUsed: used,
        approvalsCapacity: config.DAILY_APPROVAL_CAPACITY,
        slaBreaches: metrics.sla.breaches,
      };
      headerCache = { token, at, view };
      return view;
    },
    async approve(id) {
      await queue.approve(id, actor);
    },
    async reject(id, category, note) {
      await queue.reject(id, actor, category, note ?? null);
    },
    async undo(id) {
      await queue.undo(id, actor);
    },
    async approveMany(ids) {
      const results = await queue.approveMany(ids, actor);
      return {
        approved: results.filter((r) => r.ok).length,
        refused: results
          .filter((r) => !r.ok)
          .map((r) => ({ id: r.id, reason: r.message ?? r.code ?? 'refused' })),
      };
    },
    ...(samplesFile
      ? {
          async loadSamples() {
            const report = await queue.importLines(await readFile(samplesFile, 'utf8'), 'import');
            return {
              imported: report.imported,
              rejected: report.errors.length,
              file: `samples/${basename(samplesFile)}`,
            };
          },
        }
      : {}),
  };

  const batchesPort: ConsoleServices['batches'] = {
    async list() {
      const summaries = await gatekeeper.list();
      return Promise.all(
        summaries.map(async (s, i): Promise<BatchView> => {
          if (i < BATCH_DETAIL_LIMIT) {
            const full = await gatekeeper.get(s.id);
            return batchView(full.batch, full.status);
          }
          return batchSummaryView(s);
        }),
      );
    },
    async preview() {
      const batch = await gatekeeper.preview({ motion: 'all' }, actor);
      return batchView(batch, 'previewed');
    },
    async execute(id, hash) {
      const result = await gatekeeper.execute(id, hash, actor);
      return { sent: result.counts.sent, failed: result.counts.failed };
    },
  };

  const traceFile = traceFilePath(config);
  return {
    actor,
    now,
    server: options.server,
    health,
    overview,
    queue: queuePort,
    batches: batchesPort,
    pipeline: {
      run: () => runtime.pipeline.run({ mode: config.mode, actor }),
    },
    release: options.release,
    traces: {
      async recent(limit) {
        const { envelopes } = await tailTraces(traceFile, { limit });
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
        const page = await runtime.webhooks.list({
          limit,
          ...(status === 'quarantined' || status === 'processed' || status === 'stored' ? { status } : {}),
        });
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
    scorecard: scorecardPort(runtime, actor),
  };
}

/** The week's scorecard as label/value rows, with the sign-off (who, when, the decision then) apart. */
function scorecardPort(runtime: Runtime, actor: string): ConsoleServices['scorecard'] {
  const service = runtime.scorecard;
  return {
    async current() {
      return scorecardView(await service.weekly());
    },
    async signOff(force) {
      const card = await service.signOff({ by: actor, force });
      const signed = card.sign_off.status === 'ok' ? card.sign_off.value : null;
      return `Signed off ${card.week} as ${signed?.by ?? actor}${signed?.forced ? ' (forced; the earlier sign-off is kept)' : ''}`;
    },
  };
}

/** A scorecard as the console shows it: every metric but the sign-off as a row, the sign-off apart. */
export function scorecardView(card: Scorecard): ScorecardView {
  // undefined: the record could not say; null: not signed off yet.
  const signed = card.sign_off.status === 'ok' ? card.sign_off.value : undefined;
  const decision = card.release_decision.status === 'ok' ? card.release_decision.value : undefined;
  return {
    week: card.week,
    rows: scorecardRows(card)
      .filter(([label]) => label !== 'Sign-off')
      .map(([label, value]) => ({ label, value })),
    signOff: signed && {
      by: signed.by,
      role: signed.role,
      at: signed.at,
      note: signed.note,
      forced: signed.forced,
      decision: signed.decision_at_sign_off,
    },
    decision: decision === undefined ? undefined : (decision?.decision ?? null),
  };
}
