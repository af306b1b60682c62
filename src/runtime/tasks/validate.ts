/**
 * `caio validate` as a service, so the release ritual can reuse it: env rules, then optional live
 * connection checks and the in-process /inngest route check.
 */
import { rawValue, type Mode, type RawEnv } from '../config.js';
import { summarize, validateEnv, type Check } from '../domain/env-rules.js';
import { checkInngest, checkPostgres, checkRedis } from './connections.js';

export interface ValidateOptions {
  env: RawEnv;
  mode: Mode;
  exampleValues: ReadonlySet<string>;
  checkConnections?: boolean;
  verifyInngestRoute?: boolean;
  /** Boots the app in-process and checks /inngest; provided by the HTTP runtime when available. */
  verifyRoute?: (env: RawEnv, mode: Mode) => Promise<Check[]>;
  timeoutMs?: number;
}

export interface ValidateResult {
  mode: Mode;
  checks: Check[];
  result: 'PASS' | 'FAIL';
  summary: { pass: number; warn: number; fail: number };
}

export async function runValidate(options: ValidateOptions): Promise<ValidateResult> {
  const { env, mode } = options;
  const checks = validateEnv({ env, mode, exampleValues: options.exampleValues });
  const failed = new Set(checks.filter((check) => check.status === 'FAIL').map((check) => check.name));

  if (options.checkConnections) {
    const redisUrl = rawValue(env, 'REDIS_URL');
    const inngestUrl = rawValue(env, 'INNGEST_WEBHOOK_URL');
    const signingKey = rawValue(env, 'INNGEST_SIGNING_KEY');
    const pending: Promise<Check[]>[] = [];
    const databaseUrl = rawValue(env, 'DATABASE_URL');
    if (databaseUrl && !failed.has('DATABASE_URL'))
      pending.push(checkPostgres(databaseUrl, options.timeoutMs).then((check) => [check]));
    if (redisUrl && !failed.has('REDIS_URL')) pending.push(checkRedis(redisUrl, options.timeoutMs));
    else
      checks.push(
        skipped(
          'redis.ping',
          redisUrl ? 'REDIS_URL is malformed' : 'REDIS_URL is not set (embedded store)',
          mode,
        ),
      );
    if (
      inngestUrl &&
      signingKey &&
      !failed.has('INNGEST_WEBHOOK_URL') &&
      !failed.has('INNGEST_SIGNING_KEY')
    ) {
      pending.push(checkInngest(inngestUrl, signingKey, options.timeoutMs).then((check) => [check]));
    } else {
      checks.push(
        skipped('inngest.signed_get', 'needs a valid INNGEST_WEBHOOK_URL and INNGEST_SIGNING_KEY', mode),
      );
    }
    for (const result of await Promise.all(pending)) checks.push(...result);
  }

  if (options.verifyInngestRoute) {
    if (options.verifyRoute) checks.push(...(await options.verifyRoute(env, mode)));
    else
      checks.push({
        status: 'FAIL',
        name: 'inngest.route',
        reason: 'the in-process route check is not available in this build',
        fix: 'Run without --verify-inngest-route, or update caio.',
      });
  }

  const { result, ...summary } = summarize(checks);
  return { mode, checks, result, summary };
}

/** A connection check that could not run: a failure outside development, a warning in it. */
function skipped(name: string, why: string, mode: Mode): Check {
  return {
    status: mode === 'development' ? 'WARN' : 'FAIL',
    name,
    reason: `not checked: ${why}`,
    fix: 'Fix the key above, then rerun with --check-connections.',
  };
}
