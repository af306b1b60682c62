/**
 * The named checks of the release ritual. Each check reuses the code of the real command (validate,
 * smoke, migrate, replay, selftest, outbound dry run) or probes the deployed app over HTTP (undici,
 * with timeouts). A check whose implementation is absent from the registry is `inconclusive`, never
 * a pass (see release.ts). Checks never throw for an expected problem: they answer an outcome.
 */
import { request } from 'undici';
import { z } from 'zod';
import type { Config, RawEnv } from '../config.js';
import type { DependencyFact, Facts, NoGoPolicy, RitualStep, TargetEnv } from '../domain/ritual/index.js';
import { errorMessage } from '../errors.js';
import { maskUrl, redact } from '../mask.js';
import { checkRedis, probeInngest } from '../tasks/connections.js';
import { runValidate } from '../tasks/validate.js';

/** Where the checks of one `release check` run go. */
export interface CheckTarget {
  env: TargetEnv;
  /** Base URL of the app under test (deployed, or the in-process server); undefined = no HTTP server. */
  baseUrl: string | undefined;
  token: string | undefined;
  /** Printed as evidence: a masked URL or "in-process runtime". */
  label: string;
  /** The configuration of that deployment (env file + environment). */
  rawEnv: RawEnv;
  config: Config;
}

export interface CheckContext {
  step: RitualStep;
  target: CheckTarget;
  policy: NoGoPolicy;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface CheckOutput {
  outcome: 'pass' | 'fail' | 'inconclusive';
  summary: string;
  measured?: string;
  threshold?: string;
  excerpt?: string;
  facts?: Facts;
}

export type CheckFn = (ctx: CheckContext) => Promise<CheckOutput>;
export type CheckRegistry = Readonly<Record<string, CheckFn | undefined>>;

export const CHECK_NAMES = [
  'validate',
  'dependencies',
  'inngest_route',
  'smoke',
  'migrate_status',
  'replay',
  'selftest',
  'outbound_dry_run',
  'queue_aging',
  'critical_failures_week',
] as const;

// validate -----------------------------------------------------------------------------------------

export function validateCheck(exampleValues: ReadonlySet<string>): CheckFn {
  return async ({ target, step }) => {
    const mode = step.env ?? target.env;
    const result = await runValidate({ env: target.rawEnv, mode, exampleValues });
    const failed = result.checks.filter((check) => check.status === 'FAIL');
    const { pass, warn, fail } = result.summary;
    return {
      outcome: result.result === 'PASS' ? 'pass' : 'fail',
      summary:
        result.result === 'PASS'
          ? `${mode} env valid (${pass} passed, ${warn} warnings)`
          : `${fail} ${mode} env check(s) failed: ${failed.map((check) => check.name).join(', ')}`,
      measured: `${fail} failed, ${warn} warnings`,
      threshold: '0 failed',
      excerpt: failed
        .slice(0, 3)
        .map((check) => `FAIL ${check.name}: ${check.reason}`)
        .join('; '),
    };
  };
}

// HTTP probes ------------------------------------------------------------------------------------

interface HttpAnswer {
  status: number;
  body: unknown;
}

async function httpGet(url: string, token: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
  const response = await request(url, {
    method: 'GET',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.body.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text.slice(0, 200);
  }
  return { status: response.statusCode, body };
}

const depSchema = z
  .object({
    required: z.boolean().optional(),
    healthy: z.boolean(),
    mode: z.string().nullish(),
    error: z.string().nullish(),
  })
  .passthrough();
const dependenciesSchema = z
  .object({ ready: z.boolean(), redis: depSchema, inngest: depSchema })
  .passthrough();

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;
const PROTECTED_PROBE = '/api/runtime/dependencies';

/**
 * GET /api/health/ready (open), GET /api/runtime/dependencies without a token (must be refused) and
 * with it. Facts: readiness status, each dependency's health, unprotected routes.
 */
export const dependenciesCheck: CheckFn = async ({ target, timeoutMs }) => {
  if (!target.baseUrl) return inProcessDependencies(target, timeoutMs);
  const secrets = [target.token];
  try {
    const ready = await httpGet(join(target.baseUrl, '/api/health/ready'), undefined, timeoutMs);
    const open = await httpGet(join(target.baseUrl, PROTECTED_PROBE), undefined, timeoutMs);
    const authed = await httpGet(join(target.baseUrl, PROTECTED_PROBE), target.token, timeoutMs);
    const unprotected = open.status === 401 || open.status === 403 ? [] : [`GET ${PROTECTED_PROBE}`];
    const parsed = dependenciesSchema.safeParse(authed.body);
    const facts: Facts = { readiness_status: ready.status, unprotected_routes: unprotected };
    if (!parsed.success) {
      return {
        outcome: authed.status === 401 || authed.status === 403 ? 'fail' : 'inconclusive',
        summary: `${PROTECTED_PROBE} answered ${authed.status} without the expected body${
          authed.status === 401 ? ' (is --token right?)' : ''
        }`,
        measured: `readiness HTTP ${ready.status}`,
        excerpt: redact(JSON.stringify(authed.body).slice(0, 200), secrets),
        facts,
      };
    }
    const deps: DependencyFact[] = (['redis', 'inngest'] as const).map((name) => {
      const dep = parsed.data[name];
      return {
        name,
        required: dep.required ?? false,
        healthy: dep.healthy,
        ...(dep.error
          ? { detail: redact(dep.error, secrets) }
          : dep.mode
            ? { detail: `mode ${dep.mode}` }
            : {}),
      };
    });
    facts.dependencies_ready = parsed.data.ready;
    facts.dependencies = deps;
    const unhealthy = deps.filter((dep) => dep.required && !dep.healthy).map((dep) => dep.name);
    const ok =
      ready.status === 200 && parsed.data.ready && unhealthy.length === 0 && unprotected.length === 0;
    const problems = [
      ready.status !== 200 ? `readiness ${ready.status}` : '',
      unhealthy.length > 0 ? `unhealthy: ${unhealthy.join(', ')}` : '',
      unprotected.length > 0 ? `${PROTECTED_PROBE} answered ${open.status} without a token` : '',
      !parsed.data.ready && unhealthy.length === 0 ? 'dependencies not ready' : '',
    ].filter(Boolean);
    return {
      outcome: ok ? 'pass' : 'fail',
      summary: ok ? 'ready; every required dependency healthy; token required' : problems.join('; '),
      measured: `readiness HTTP ${ready.status}, ready=${parsed.data.ready}`,
      threshold: 'HTTP 200, ready=true',
      excerpt: deps
        .map((d) => `${d.name}: ${d.healthy ? 'healthy' : 'unhealthy'}${d.required ? ' (required)' : ''}`)
        .join(', '),
      facts,
    };
  } catch (error) {
    return {
      outcome: 'inconclusive',
      summary: `cannot reach ${maskUrl(target.baseUrl)}: ${redact(errorMessage(error), secrets)}`,
    };
  }
};

/** Without an HTTP server: probe Redis directly so a required, unreachable Redis still vetoes GO. */
async function inProcessDependencies(target: CheckTarget, timeoutMs: number): Promise<CheckOutput> {
  const { config } = target;
  const redis: DependencyFact = config.REDIS_URL
    ? await checkRedis(config.REDIS_URL, Math.min(timeoutMs, 3000)).then(([ping]) => ({
        name: 'redis',
        required: config.REDIS_REQUIRED,
        healthy: ping?.status === 'PASS',
        detail: ping?.reason ?? 'no answer',
      }))
    : {
        name: 'redis',
        required: config.REDIS_REQUIRED,
        healthy: !config.REDIS_REQUIRED,
        detail: 'REDIS_URL not set (embedded store)',
      };
  const facts: Facts = { dependencies: [redis] };
  if (redis.required && !redis.healthy) {
    return { outcome: 'fail', summary: `redis (required) is unhealthy: ${redis.detail}`, facts };
  }
  return {
    outcome: 'inconclusive',
    summary: 'no HTTP server (the in-process runtime did not start): readiness and /inngest not measured',
    excerpt: `redis: ${redis.healthy ? 'healthy' : 'unhealthy'} (${redis.detail})`,
    facts,
  };
}

/** Signed GET /inngest (SPEC 6.3): authentication_succeeded, mode and function_count. */
export const inngestRouteCheck: CheckFn = async ({ target, policy, timeoutMs }) => {
  if (!target.baseUrl) {
    return {
      outcome: 'inconclusive',
      summary: 'no HTTP server to probe (the in-process runtime did not start: see the target line)',
    };
  }
  const key = target.config.INNGEST_SIGNING_KEY;
  if (!key)
    return { outcome: 'inconclusive', summary: 'INNGEST_SIGNING_KEY is not set: cannot sign the probe' };
  const url = join(target.baseUrl, '/inngest');
  try {
    const { status, body } = await probeInngest(url, key, timeoutMs);
    const mode = typeof body?.mode === 'string' ? body.mode : null;
    const count = typeof body?.function_count === 'number' ? body.function_count : null;
    const authenticated = body?.authentication_succeeded === true;
    const facts: Facts = { inngest: { mode, function_count: count, authenticated } };
    const ok = authenticated && mode === policy.inngest_mode && count === policy.expected_function_count;
    return {
      outcome: ok ? 'pass' : authenticated || status < 500 ? 'fail' : 'inconclusive',
      summary: ok
        ? `authenticated, mode=${mode}, function_count=${count}`
        : `HTTP ${status}, authentication_succeeded=${authenticated}, mode=${mode ?? 'unknown'}, function_count=${count ?? 'unknown'}`,
      measured: `mode=${mode ?? 'unknown'}, function_count=${count ?? 'unknown'}`,
      threshold: `mode=${policy.inngest_mode}, function_count=${policy.expected_function_count}`,
      ...(authenticated ? { facts } : {}),
    };
  } catch (error) {
    return { outcome: 'inconclusive', summary: `cannot reach ${maskUrl(url)}: ${errorMessage(error)}` };
  }
};
