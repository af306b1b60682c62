/**
 * Live dependency state for `/api/health/ready` and `/api/runtime/dependencies` (SPEC 6). A loop
 * refreshes it every second (each probe bounded by a deadline), so a Redis outage shows within ~2 s
 * and recovery as soon as the store reconnects; requests read the cached snapshot and never wait on
 * Redis themselves.
 */
import { credentialProblem } from '../domain/env-rules.js';
import { SECRET_VARIABLE, WEBHOOK_SOURCES, type WebhookSource } from '../domain/webhooks/sources.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { RecordHealth } from '../stores/record/record.js';
import type { StoreHealth } from '../stores/state-store.js';

export type InngestMode = 'cloud' | 'dev' | 'embedded';

export interface DependencySnapshot {
  ready: boolean;
  checked_at: string;
  /** The record (SQLite or PostgreSQL): always required; 503 while it cannot be reached. */
  record: {
    healthy: boolean;
    kind: 'sqlite' | 'postgres' | null;
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
  /** The record's probe (`select 1`); without it readiness does not report the record. */
  record?: { dialect: 'sqlite' | 'postgres'; health(): Promise<RecordHealth> } | undefined;
  inngest: { mode: InngestMode; functionCount: number };
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
    return {
      required,
      healthy: !missing,
      mode,
      function_count: functionCount,
      error: missing ? 'INNGEST_REQUIRED=true but INNGEST_SIGNING_KEY is not set (or INNGEST_DEV)' : null,
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
    if (!deps.record) return { healthy: true, kind: null, latency_ms: null, error: null };
    const kind = deps.record.dialect;
    try {
      const health = await withDeadline(deps.record.health(), probeTimeoutMs);
      return {
        healthy: health.healthy,
        kind,
        latency_ms: health.latencyMs === undefined ? null : Math.round(health.latencyMs * 100) / 100,
        error: health.healthy ? null : (health.error ?? 'the record does not answer'),
      };
    } catch (error) {
      return {
        healthy: false,
        kind,
        latency_ms: null,
        error: errorMessage(error),
      };
    }
  };

  const compose = (
    redis: DependencySnapshot['redis'],
    record: DependencySnapshot['record'],
  ): DependencySnapshot => {
    const inngest = inngestPart();
    const webhooks = webhooksPart();
    const redisOk = redis.healthy || !redis.required;
    return {
      ready: record.healthy && redisOk && inngest.healthy && webhooks.healthy,
      checked_at: new Date(now()).toISOString(),
      record,
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
    { healthy: false, kind: deps.record?.dialect ?? null, latency_ms: null, error: 'not checked yet' },
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
