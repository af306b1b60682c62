/**
 * Live dependency state for `/api/health/ready` and `/api/runtime/dependencies` (SPEC 6). A loop
 * refreshes it every second (each probe bounded by a deadline), so a Redis outage shows within ~2 s
 * and recovery as soon as the store reconnects; requests read the cached snapshot and never wait on
 * Redis themselves.
 */
import type { BatcherHealth } from './inngest/event-batcher.js';
import { credentialProblem } from '../domain/env-rules.js';
import { SECRET_VARIABLE, WEBHOOK_SOURCES, type WebhookSource } from '../domain/webhooks/sources.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { SCHEMA_VERSION } from '../stores/record/migrations.js';
import type { RecordHealth } from '../stores/record/record.js';
import type { StoreHealth } from '../stores/state-store.js';
import { RECORDS_NOT_SHARED_FIX, recordsNotSharedMessage, type RecordSharing } from './hosts.js';

export type InngestMode = 'cloud' | 'dev' | 'embedded';

export interface DependencySnapshot {
  ready: boolean;
  checked_at: string;
  /** Why not ready when it is this host's own fault: `records_not_shared` (a split brain). */
  code?: 'records_not_shared';
  message?: string;
  /** The record (SPEC 5): reachable, and the one every host on this Redis shares. */
  record?: {
    healthy: boolean;
    dialect: 'sqlite' | 'postgres';
    schema_version: number;
    record_id: string;
    /** False: another record's id is registered in Redis (a split brain). */
    shared: boolean;
    registered_record_id: string | null;
    latency_ms: number | null;
    error: string | null;
  };
  redis: {
    required: boolean;
    healthy: boolean;
    /** `redis`; `embedded` (no REDIS_URL); `embedded-fallback` (Redis down, not required: degraded). */
    mode: 'redis' | 'embedded' | 'embedded-fallback';
    degraded: boolean;
    latency_ms: number | null;
    error: string | null;
  };
  inngest: {
    required: boolean;
    healthy: boolean;
    mode: InngestMode;
    function_count: number;
    /**
     * Events to Inngest are failing: they are kept and retried (beyond the buffer, deliveries are
     * processed in this process), so intake goes on and readiness stays up, but it is said.
     */
    degraded: boolean;
    /** Events waiting for or in flight to the event API; null when this process sends none. */
    events_pending: number | null;
    error: string | null;
  };
  webhooks: {
    healthy: boolean;
    /** Sources without a secret. */
    missing_secrets: WebhookSource[];
    error: string | null;
  };
}

export interface ReadinessDeps {
  config: Config;
  state?: { health(): Promise<StoreHealth> } | undefined;
  /** The record: probed like Redis (a bounded `select 1`). */
  record?:
    { dialect: 'sqlite' | 'postgres'; db: { id: string; health(): Promise<RecordHealth> } } | undefined;
  /** Whether this process shares the record of the other hosts on its Redis. */
  hosts?: { sharing(): RecordSharing } | undefined;
  inngest: {
    mode: InngestMode;
    functionCount: number;
    /** How sending events goes (the server's batcher); absent or undefined when none are sent. */
    delivery?: (() => BatcherHealth | undefined) | undefined;
  };
  now?: () => number;
  /** Refresh period (default 1000 ms). */
  intervalMs?: number;
  /** Deadline of one store health probe (default 800 ms). */
  probeTimeoutMs?: number;
  /** Called with every fresh snapshot (notifications of an unhealthy required dependency). */
  onSnapshot?: ((snapshot: DependencySnapshot) => void) | undefined;
}

export interface Readiness {
  /** The latest snapshot (never waits). */
  snapshot(): DependencySnapshot;
  /** Probe now and store the result. */
  refresh(): Promise<DependencySnapshot>;
  start(): Promise<void>;
  stop(): void;
}

export function createReadiness(deps: ReadinessDeps): Readiness {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const intervalMs = deps.intervalMs ?? 1000;
  const probeTimeoutMs = deps.probeTimeoutMs ?? 800;
  const strictProduction = config.mode === 'production' && config.DASHBOARD_AUTH_STRICT;

  const inngestPart = (): DependencySnapshot['inngest'] => {
    const { mode, functionCount } = deps.inngest;
    const required = config.INNGEST_REQUIRED;
    const missing = required && mode === 'embedded';
    const delivery = deps.inngest.delivery?.();
    const failing = delivery?.failingSince != null;
    return {
      required,
      healthy: !missing,
      mode,
      function_count: functionCount,
      degraded: failing,
      events_pending: delivery ? delivery.pending : null,
      error: missing
        ? 'INNGEST_REQUIRED=true but INNGEST_SIGNING_KEY is not set (or INNGEST_DEV)'
        : failing
          ? `events to Inngest failing since ${new Date(delivery.failingSince ?? 0).toISOString()}: ` +
            `${delivery.lastError ?? 'unknown error'}; ${delivery.pending} kept and retried ` +
            '(deliveries past the buffer are processed here)'
          : null,
    };
  };

  const webhooksPart = (): DependencySnapshot['webhooks'] => {
    // An unfit secret (placeholder, too short) refuses deliveries exactly like a missing one.
    const missing = WEBHOOK_SOURCES.filter((source) => {
      const secret = config[SECRET_VARIABLE[source]];
      return !secret || credentialProblem(SECRET_VARIABLE[source], secret) !== undefined;
    });
    const healthy = !(strictProduction && missing.length > 0);
    return {
      healthy,
      missing_secrets: missing,
      error: healthy
        ? null
        : `missing or unusable webhook secrets: ${missing.map((s) => SECRET_VARIABLE[s]).join(', ')}`,
    };
  };

  const redisPart = async (): Promise<DependencySnapshot['redis']> => {
    const required = config.REDIS_REQUIRED;
    if (!config.REDIS_URL) {
      return {
        required,
        healthy: !required,
        mode: 'embedded',
        degraded: false,
        latency_ms: null,
        error: required ? 'REDIS_REQUIRED=true but REDIS_URL is not set' : null,
      };
    }
    if (!deps.state) {
      return {
        required,
        healthy: false,
        mode: 'embedded-fallback',
        degraded: true,
        latency_ms: null,
        error: 'the Redis state store is not available in this build',
      };
    }
    let health: StoreHealth;
    try {
      health = await withDeadline(deps.state.health(), probeTimeoutMs);
    } catch (error) {
      return {
        required,
        healthy: false,
        mode: required ? 'redis' : 'embedded-fallback',
        degraded: !required,
        latency_ms: null,
        error: errorMessage(error),
      };
    }
    const healthy = health.kind === 'redis' && health.healthy && !health.degraded;
    return {
      required,
      healthy,
      mode: healthy || required ? 'redis' : 'embedded-fallback',
      degraded: !healthy && !required,
      latency_ms: health.latencyMs === undefined ? null : Math.round(health.latencyMs * 100) / 100,
      error: healthy ? null : (health.error ?? 'Redis is unavailable'),
    };
  };

  const recordPart = async (): Promise<DependencySnapshot['record']> => {
    const { record } = deps;
    if (!record) return undefined;
    let health: RecordHealth;
    try {
      health = await withDeadline(record.db.health(), probeTimeoutMs);
    } catch (error) {
      health = { healthy: false, latencyMs: undefined, error: errorMessage(error) };
    }
    const sharing = deps.hosts?.sharing();
    return {
      healthy: health.healthy,
      dialect: record.dialect,
      schema_version: SCHEMA_VERSION,
      record_id: record.db.id,
      shared: sharing?.shared ?? true,
      registered_record_id: sharing?.registered_record_id ?? null,
      latency_ms: health.latencyMs === undefined ? null : Math.round(health.latencyMs * 100) / 100,
      error: health.healthy ? null : (health.error ?? 'the record is unreachable'),
    };
  };

  const compose = (
    redis: DependencySnapshot['redis'],
    record: DependencySnapshot['record'],
  ): DependencySnapshot => {
    const inngest = inngestPart();
    const webhooks = webhooksPart();
    const redisOk = redis.healthy || !redis.required;
    const recordOk = record === undefined || (record.healthy && record.shared);
    return {
      ready: redisOk && recordOk && inngest.healthy && webhooks.healthy,
      checked_at: new Date(now()).toISOString(),
      ...(record && !record.shared
        ? {
            code: 'records_not_shared' as const,
            message: `${recordsNotSharedMessage(record.record_id, record.registered_record_id)}. ${RECORDS_NOT_SHARED_FIX}`,
          }
        : {}),
      ...(record ? { record } : {}),
      redis,
      inngest,
      webhooks,
    };
  };

  let current = compose(
    {
      required: config.REDIS_REQUIRED,
      healthy: false,
      mode: 'redis',
      degraded: false,
      latency_ms: null,
      error: 'not checked yet',
    },
    undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<DependencySnapshot> | undefined;

  const refresh = () => {
    inFlight ??= Promise.all([redisPart(), recordPart()])
      .then(([redis, record]) => {
        current = compose(redis, record);
        try {
          deps.onSnapshot?.(current);
        } catch {
          // A listener's failure never breaks readiness.
        }
        return current;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    snapshot: () => current,
    refresh,
    async start() {
      await refresh();
      if (timer) return;
      timer = setInterval(() => void refresh(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let handle: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    handle = setTimeout(() => reject(new Error(`health check timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(handle));
}
