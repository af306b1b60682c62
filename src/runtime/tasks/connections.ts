/**
 * Live connection checks for `caio validate --check-connections`: a Redis PING with a deadline and
 * measured latency, a PostgreSQL connect reading the record's schema version, and a signed GET of the
 * deployed /inngest. Each answers within its timeout.
 */
import { Redis } from 'ioredis';
import { request } from 'undici';
import type { Check } from '../domain/env-rules.js';
import { errorMessage } from '../errors.js';
import { signInngestRequest } from '../inngest-signature.js';
import { maskUrl } from '../mask.js';
import { SCHEMA_VERSION, postgresLocation, probePostgresRecord } from '../stores/record/open-record.js';

/** DATABASE_URL: connect, read the record's schema version (never migrates). */
export async function checkPostgres(url: string, timeoutMs = 3000): Promise<Check> {
  const name = 'postgres.connect';
  try {
    const found = await probePostgresRecord(url, timeoutMs);
    if (found.schemaVersion > SCHEMA_VERSION)
      return {
        status: 'FAIL',
        name,
        reason: `${found.location} has schema version ${found.schemaVersion}, newer than this caio knows (${SCHEMA_VERSION})`,
        fix: 'Run the same caio version as the other hosts (upgrade this one).',
      };
    return {
      status: 'PASS',
      name,
      reason: `${found.location} in ${found.latencyMs.toFixed(1)} ms, schema ${found.schemaVersion ? `version ${found.schemaVersion}` : 'not created yet (the first start creates it)'}`,
      fix: '',
    };
  } catch (error) {
    return {
      status: 'FAIL',
      name,
      reason: `cannot use ${postgresLocation(url)}: ${errorMessage(error)}`,
      fix: 'Start PostgreSQL or correct DATABASE_URL (postgres://user:password@host:5432/database).',
    };
  }
}

export async function checkRedis(url: string, timeoutMs = 3000): Promise<Check[]> {
  const name = 'redis.ping';
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  // ioredis rejects connect() with a bare "Connection is closed"; the cause arrives as an 'error' event.
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    const started = performance.now();
    await withDeadline(client.connect(), timeoutMs, 'connect');
    const pong = await withDeadline(client.ping(), timeoutMs, 'PING');
    const latency = performance.now() - started;
    const checks: Check[] = [
      {
        status: pong === 'PONG' ? 'PASS' : 'FAIL',
        name,
        reason: `${pong} in ${latency.toFixed(1)} ms from ${maskUrl(url)}`,
        fix: pong === 'PONG' ? '' : 'The server answered PING unexpectedly; check REDIS_URL.',
      },
    ];
    checks.push(await persistenceCheck(client, timeoutMs));
    return checks;
  } catch (error) {
    return [
      {
        status: 'FAIL',
        name,
        reason: `cannot reach ${maskUrl(url)}: ${describeRedisError(lastError ?? error)}`,
        fix: 'Start Redis or fix REDIS_URL (host, port, password, rediss:// for TLS).',
      },
    ];
  } finally {
    client.disconnect();
  }
}

function describeRedisError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = errorMessage(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

async function persistenceCheck(client: Redis, timeoutMs: number): Promise<Check> {
  const name = 'redis.persistence';
  try {
    const [save, aof] = await Promise.all([
      withDeadline(client.config('GET', 'save') as Promise<string[]>, timeoutMs, 'CONFIG GET'),
      withDeadline(client.config('GET', 'appendonly') as Promise<string[]>, timeoutMs, 'CONFIG GET'),
    ]);
    const rdb = (save[1] ?? '').trim() !== '';
    const appendOnly = aof[1] === 'yes';
    if (!rdb && !appendOnly) {
      return {
        status: 'WARN',
        name,
        reason:
          'no persistence configured (save "" and appendonly no): a restart drops locks, claims and caches (the record keeps every fact and they are rebuilt)',
        fix: 'Enable AOF (appendonly yes) or RDB snapshots on the Redis server to avoid the rebuild after a restart.',
      };
    }
    return { status: 'PASS', name, reason: appendOnly ? 'AOF enabled' : 'RDB snapshots enabled', fix: '' };
  } catch (error) {
    return {
      status: 'WARN',
      name,
      reason: `could not read persistence settings (${errorMessage(error)})`,
      fix: 'Confirm with your provider that AOF or RDB persistence is on.',
    };
  }
}

export interface InngestProbe {
  status: number;
  body: Record<string, unknown> | undefined;
}

/** Signed introspection GET of a /inngest URL. */
export async function probeInngest(url: string, signingKey: string, timeoutMs = 5000): Promise<InngestProbe> {
  const response = await request(url, {
    method: 'GET',
    headers: { 'x-inngest-signature': signInngestRequest(signingKey) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.body.text();
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.statusCode, body };
}

export async function checkInngest(url: string, signingKey: string, timeoutMs = 5000): Promise<Check> {
  const name = 'inngest.signed_get';
  try {
    const { status, body } = await probeInngest(url, signingKey, timeoutMs);
    if (body?.authentication_succeeded === true) {
      return {
        status: 'PASS',
        name,
        reason: `authentication_succeeded: true, mode=${String(body.mode)}, function_count=${String(body.function_count)}`,
        fix: '',
      };
    }
    return {
      status: 'FAIL',
      name,
      reason: `HTTP ${status}, authentication_succeeded: ${String(body?.authentication_succeeded ?? 'absent')}`,
      fix: 'Check that the deployed app uses this INNGEST_SIGNING_KEY and serves /inngest at INNGEST_WEBHOOK_URL.',
    };
  } catch (error) {
    return {
      status: 'FAIL',
      name,
      reason: `cannot reach ${maskUrl(url)}: ${errorMessage(error)}`,
      fix: 'Check INNGEST_WEBHOOK_URL and that the app is deployed and reachable.',
    };
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
