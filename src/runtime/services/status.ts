/**
 * The one-shot overview (`caio status`, the console's Overview, chat messages): store health,
 * readiness, queue counts, aging, capacity, ramp, send mode, last replay, last release decision.
 * Every section comes from a runtime service when this build has it, else says "unavailable" with
 * the reason — a missing or failing service never fails the whole status.
 */
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { recordsNotSharedMessage, type HostBeat, type RecordSharing } from './hosts.js';

export type Section<T> = ({ available: true } & T) | { available: false; reason: string };

export interface StatusReport {
  generated_at: string;
  mode: string;
  version: string;
  store: Section<{
    kind: string;
    healthy: boolean;
    degraded: boolean;
    latency_ms: number | null;
    error: string | null;
  }>;
  readiness: Section<{ ready: boolean; redis: string; inngest: string; record?: string }>;
  queue: Section<{
    counts: Record<string, number>;
    aging_p50_minutes: number;
    aging_p95_minutes: number;
    aging_max_minutes: number;
    sla_minutes: number;
    sla_breaches: number;
    approvals_used: number;
    approvals_capacity: number;
  }>;
  ramp: Section<{ summary: string }>;
  send_mode: { email: string; crm: string; calendar: string };
  last_replay: Section<{ summary: string }>;
  release: Section<{ release_id: string; env: string; decision: string; at: string }>;
  /** The hosts sharing this record and Redis (heartbeats), and whether this process shares the record. */
  hosts: Section<{
    record_id: string;
    registered_record_id: string | null;
    shared: boolean;
    live: (HostBeat & { split_brain: boolean })[];
  }>;
  /** Required dependencies that are down, one sentence each; `caio status` exits 1 when any. */
  problems: string[];
  /** Something to act on that leaves every host serving (events to Inngest failing); exit unchanged. */
  warnings: string[];
}

/** Narrow, optional views of runtime services (duck-typed so status works with any subset). */
export interface StatusSources {
  config: Config;
  version: string;
  now?: () => number;
  state?: {
    health(): Promise<{
      kind: string;
      healthy: boolean;
      degraded: boolean;
      latencyMs: number | undefined;
      error: string | undefined;
    }>;
  };
  readiness?: { refresh(): Promise<ReadinessLike> };
  queue?: { metrics(): Promise<QueueMetricsLike> };
  ramp?: { status(): Promise<unknown> };
  replay?: { last(): Promise<unknown> | unknown };
  release?: {
    latestRun():
      | Promise<{ release_id: string; env: string; decision: string; finished_at: string } | undefined>
      | { release_id: string; env: string; decision: string; finished_at: string }
      | undefined;
  };
  hosts?: { sharing(): RecordSharing; check(): Promise<RecordSharing>; list(): Promise<HostBeat[]> };
  /** Why a service is absent (e.g. the runtime failed to start), shown instead of "not in this build". */
  unavailableReason?: string;
  /** The record itself could not be opened (a wrong or unreachable DATABASE_URL): it, not Redis, is down. */
  recordError?: string;
}

interface ReadinessLike {
  record?: { healthy: boolean; dialect: string; shared: boolean } | undefined;
  ready: boolean;
  redis: { healthy: boolean; mode: string; required: boolean };
  inngest: { healthy: boolean; mode: string; required: boolean };
}
interface QueueMetricsLike {
  counts: Record<string, number>;
  aging: { p50_minutes: number; p95_minutes: number; max_minutes: number };
  sla: { minutes: number; breaches: number };
  capacity: { per_reviewer: number; reviewers: { reviewer: string; used: number }[] };
}

const NOT_IN_BUILD = 'not available in this build';

async function section<T>(source: unknown, why: string, read: () => Promise<T>): Promise<Section<T>> {
  if (source === undefined) return { available: false, reason: why };
  try {
    return { available: true, ...(await read()) };
  } catch (error) {
    return { available: false, reason: `error: ${errorMessage(error)}` };
  }
}

export async function collectStatus(sources: StatusSources): Promise<StatusReport> {
  const { config } = sources;
  const now = sources.now ?? Date.now;
  const why = sources.unavailableReason ?? NOT_IN_BUILD;
  const dep = (d: ReadinessLike['redis']) =>
    `${d.healthy ? 'healthy' : 'unhealthy'} (${d.mode}${d.required ? ', required' : ''})`;
  const [store, readiness, queue, ramp, lastReplay, hosts] = await Promise.all([
    section(sources.state, why, async () => {
      const h = await sources.state!.health();
      return {
        kind: h.kind,
        healthy: h.healthy,
        degraded: h.degraded,
        latency_ms: h.latencyMs ?? null,
        error: h.error ?? null,
      };
    }),
    section(sources.readiness, why, async () => {
      const r = await sources.readiness!.refresh();
      return {
        ready: r.ready,
        redis: dep(r.redis),
        inngest: dep(r.inngest),
        ...(r.record
          ? {
              record: `${r.record.healthy ? 'healthy' : 'unhealthy'} (${r.record.dialect}${r.record.shared ? '' : ', NOT SHARED'})`,
            }
          : {}),
      };
    }),
    section(sources.queue, why, async () => {
      const m = await sources.queue!.metrics();
      return {
        counts: m.counts,
        aging_p50_minutes: m.aging.p50_minutes,
        aging_p95_minutes: m.aging.p95_minutes,
        aging_max_minutes: m.aging.max_minutes,
        sla_minutes: m.sla.minutes,
        sla_breaches: m.sla.breaches,
        approvals_used: m.capacity.reviewers.reduce((sum, r) => sum + r.used, 0),
        approvals_capacity: m.capacity.per_reviewer,
      };
    }),
    section(sources.ramp, why, async () => ({ summary: summarize(await sources.ramp!.status()) })),
    section(sources.replay, why, async () => ({ summary: summarize(await sources.replay!.last()) })),
    section(sources.hosts, why, async () => {
      const sharing = await sources.hosts!.check();
      const registered = sharing.registered_record_id ?? sharing.record_id;
      const live = (await sources.hosts!.list()).map((beat) => ({
        ...beat,
        split_brain: beat.record_id !== registered,
      }));
      return {
        record_id: sharing.record_id,
        registered_record_id: sharing.registered_record_id,
        shared: sharing.shared,
        live,
      };
    }),
  ]);
  const run = await Promise.resolve(sources.release?.latestRun()).catch(() => undefined);
  // The runtime refused to start (e.g. REDIS_REQUIRED and Redis down): the store is what is unhealthy.
  const storeSection: StatusReport['store'] =
    !store.available && sources.unavailableReason && !sources.state && !sources.recordError
      ? {
          available: true,
          kind: config.REDIS_URL ? 'redis' : 'sqlite',
          healthy: false,
          degraded: false,
          latency_ms: null,
          error: sources.unavailableReason,
        }
      : store;
  const problems: string[] = [];
  const warnings: string[] = [];
  if (sources.recordError) {
    problems.push(
      config.DATABASE_URL
        ? `the record (DATABASE_URL) is down: ${sources.recordError}; start PostgreSQL or correct DATABASE_URL`
        : `the record (HIVE_DIR/caio.db) is down: ${sources.recordError}`,
    );
  } else if (storeSection.available && !storeSection.healthy) {
    const required = config.REDIS_URL ? config.REDIS_REQUIRED : true;
    if (required)
      problems.push(
        `${storeSection.kind === 'redis' ? 'Redis (REDIS_REQUIRED=true)' : 'the embedded store'} is down: ${storeSection.error ?? 'unreachable'}`,
      );
  } else if (!storeSection.available && sources.unavailableReason) {
    problems.push(sources.unavailableReason);
  }
  if (hosts.available) {
    if (!hosts.shared)
      problems.push(
        `${recordsNotSharedMessage(hosts.record_id, hosts.registered_record_id)}: set DATABASE_URL to the shared record`,
      );
    for (const beat of hosts.live.filter((b) => b.split_brain))
      problems.push(
        `host ${beat.id} (${beat.role}) runs record ${beat.record_id}, not the registered ${hosts.registered_record_id ?? hosts.record_id} (records_not_shared): set its DATABASE_URL to the shared record`,
      );
    for (const beat of hosts.live) {
      const events = beat.inngest_events;
      if (!events?.failing_since) continue;
      warnings.push(
        `host ${beat.id} (${beat.role}): events to Inngest failing since ${events.failing_since} (${events.pending} kept and retried): ${events.last_error ?? 'unknown error'}; check INNGEST_EVENT_KEY and INNGEST_EVENT_API_BASE_URL on that host, and the event API`,
      );
    }
  }
  return {
    generated_at: new Date(now()).toISOString(),
    mode: config.mode,
    problems,
    warnings,
    version: sources.version,
    store: storeSection,
    readiness,
    queue,
    ramp,
    send_mode: { email: config.EMAIL_SEND_MODE, crm: config.GHL_MODE, calendar: config.CALENDAR_MODE },
    last_replay: lastReplay,
    release: run
      ? {
          available: true,
          release_id: run.release_id,
          env: run.env,
          decision: run.decision,
          at: run.finished_at,
        }
      : { available: false, reason: 'no release check has run yet' },
    hosts,
  };
}

function hostsSummary(h: Extract<StatusReport['hosts'], { available: true }>): string {
  const record = h.shared
    ? `record ${h.record_id} shared`
    : `RECORDS NOT SHARED: this record ${h.record_id}, registered ${h.registered_record_id ?? 'none'}`;
  const live = h.live.map(
    (beat) =>
      `${beat.id} ${beat.role} ${beat.version}${beat.split_brain ? ` SPLIT BRAIN (record ${beat.record_id}${beat.record_location ? ` at ${beat.record_location}` : ''})` : ''}${beat.inngest_events ? `, events to Inngest ${beat.inngest_events.failing_since ? 'FAILING' : 'ok'} (${beat.inngest_events.pending} pending)` : ''}, seen ${beat.last_seen}`,
  );
  return `${record}; ${live.length === 0 ? 'no live serve or console' : `${live.length} live: ${live.join('; ')}`}`;
}

/** A one-line summary of a service answer (ramp status, stored replay run), tolerant of shape. */
function summarize(value: unknown): string {
  if (value === undefined || value === null) return 'none yet';
  if (typeof value !== 'object') return String(value);
  const record = value as Record<string, unknown>;
  if (typeof record.tier === 'number' && typeof record.daily_limit === 'number') {
    return `tier ${record.tier}: ${record.daily_limit}/day, sent today ${String(record.sent_today ?? '?')}, remaining ${String(
      record.remaining_today ?? '?',
    )}, clean days ${String(record.clean_days ?? '?')}/${String(record.required_clean_days ?? '?')}`;
  }
  if (typeof record.pass_rate === 'number' && typeof record.ran_at === 'string') {
    return `pass rate ${Math.round(record.pass_rate * 1000) / 10}% (threshold ${String(record.threshold)}), block_build=${String(
      record.block_build,
    )}, at ${record.ran_at}`;
  }
  const keys = [
    'tier',
    'daily_limit',
    'clean_days',
    'pass_rate',
    'threshold',
    'block_build',
    'at',
    'ran_at',
    'created_at',
  ];
  const parts = keys.filter((key) => record[key] !== undefined).map((key) => `${key}=${String(record[key])}`);
  return parts.length > 0 ? parts.join(', ') : JSON.stringify(value).slice(0, 120);
}

/** Label/value rows shared by the text and Markdown renderings. */
export function statusRows(report: StatusReport): { label: string; value: string }[] {
  const show = <T>(s: Section<T>, fmt: (v: T) => string) =>
    s.available ? fmt(s) : `unavailable (${s.reason})`;
  return [
    { label: 'Mode', value: `${report.mode} (caio ${report.version})` },
    {
      label: 'Store',
      value: show(
        report.store,
        (s) =>
          `${s.kind} ${s.healthy ? 'healthy' : 'UNHEALTHY'}${s.degraded ? ' (degraded: embedded fallback)' : ''}${
            s.latency_ms !== null ? `, ${s.latency_ms.toFixed(1)} ms` : ''
          }${s.error ? `, ${s.error}` : ''}`,
      ),
    },
    {
      label: 'Readiness',
      value: show(
        report.readiness,
        (r) =>
          `${r.ready ? 'ready' : 'NOT READY'}; ${r.record ? `record ${r.record}; ` : ''}redis ${r.redis}; inngest ${r.inngest}`,
      ),
    },
    { label: 'Hosts', value: show(report.hosts, hostsSummary) },
    {
      label: 'Queue',
      value: show(
        report.queue,
        (q) =>
          Object.entries(q.counts)
            .filter(([, n]) => n > 0)
            .map(([status, n]) => `${status} ${n}`)
            .join(', ') || 'empty',
      ),
    },
    {
      label: 'Aging',
      value: show(
        report.queue,
        (q) =>
          `p50 ${q.aging_p50_minutes.toFixed(0)} min, p95 ${q.aging_p95_minutes.toFixed(0)} min, max ${q.aging_max_minutes.toFixed(0)} min; SLA ${q.sla_minutes} min, ${q.sla_breaches} breach(es)`,
      ),
    },
    {
      label: 'Capacity',
      value: show(
        report.queue,
        (q) => `${q.approvals_used} approvals used today; ${q.approvals_capacity} per reviewer`,
      ),
    },
    { label: 'Ramp', value: show(report.ramp, (r) => r.summary) },
    {
      label: 'Send mode',
      value: `email ${report.send_mode.email}, crm ${report.send_mode.crm}, calendar ${report.send_mode.calendar}`,
    },
    { label: 'Last replay', value: show(report.last_replay, (r) => r.summary) },
    {
      label: 'Last release',
      value:
        report.problems.length > 0
          ? 'not shown while a required dependency is down (see above): a past decision says nothing now'
          : show(report.release, (r) => `${r.decision} for ${r.release_id} (${r.env}) at ${r.at}`),
    },
  ];
}

function problemLines(report: StatusReport): string[] {
  const lines = [
    ...report.problems.map((problem) => `DEPENDENCY DOWN: ${problem}`),
    ...report.warnings.map((warning) => `WARNING: ${warning}`),
  ];
  return lines.length === 0 ? [] : [...lines, ''];
}

export function renderStatusText(report: StatusReport): string {
  const rows = statusRows(report);
  const width = Math.max(...rows.map((row) => row.label.length));
  return [
    `CAIO status at ${report.generated_at}`,
    '',
    ...problemLines(report),
    ...rows.map((row) => `${row.label.padEnd(width)}  ${row.value}`),
  ].join('\n');
}

export function renderStatusMarkdown(report: StatusReport): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `## CAIO status (${report.generated_at})`,
    '',
    ...problemLines(report).map((line) => (line ? `**${line}**` : line)),
    '| | |',
    '|---|---|',
    ...statusRows(report).map((row) => `| **${row.label}** | ${cell(row.value)} |`),
  ].join('\n');
}
